// The admin UI's only script. Pages are rendered by the server as HTML fragments; this
// script fetches them with the session token (no cookies: they are unreliable inside the
// control-panel iframe), swaps them into the page, and submits forms the same way.
(function () {
  "use strict";
  var root = document.getElementById("app");
  if (!root) { return; }
  var view = document.getElementById("view");
  var token = root.getAttribute("data-token");

  function setActive(name) {
    var links = document.querySelectorAll(".app-nav a");
    for (var i = 0; i < links.length; i++) {
      links[i].classList.toggle("active", links[i].getAttribute("data-nav") === name);
    }
  }

  function expired() {
    view.innerHTML = '<div class="panel"><div class="message warning">Your session has ended. ' +
      'Open the SeQura app again from Apps › My Apps in your control panel.</div></div>';
  }

  function request(method, url, body) {
    var headers = { "Authorization": "Bearer " + token, "Accept": "text/html" };
    if (body !== undefined) { headers["Content-Type"] = "application/x-www-form-urlencoded"; }
    view.classList.add("loading");
    return fetch(url, { method: method, headers: headers, body: body, credentials: "omit" })
      .then(function (res) {
        var fresh = res.headers.get("X-Session-Token");
        if (fresh) { token = fresh; }
        if (res.status === 401) { expired(); return; }
        var nav = res.headers.get("X-Admin-Nav");
        var navLinks = res.headers.get("X-Admin-Onboarded");
        return res.text().then(function (html) {
          view.innerHTML = html;
          if (nav) { setActive(nav); }
          if (navLinks !== null) { document.body.classList.toggle("onboarded", navLinks === "1"); }
          var firstError = view.querySelector(".has-error input, .has-error select");
          if (firstError) { firstError.focus(); }
        });
      })
      .catch(function () {
        view.innerHTML = '<div class="panel"><div class="message error">The app could not be reached. ' +
          'Check your connection and try again.</div></div>';
      })
      .then(function () { view.classList.remove("loading"); });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-view]");
    if (!link) { return; }
    event.preventDefault();
    request("GET", link.getAttribute("href"));
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-view]")) { return; }
    event.preventDefault();
    var data = new URLSearchParams(new FormData(form));
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var method = (form.getAttribute("method") || "get").toUpperCase();
    var action = form.getAttribute("action");
    if (method === "GET") {
      request("GET", action + (action.indexOf("?") < 0 ? "?" : "&") + data.toString());
    } else {
      request("POST", action, data.toString());
    }
  });

  request("GET", root.getAttribute("data-start"));
})();
