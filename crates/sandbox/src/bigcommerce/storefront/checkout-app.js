// The simulated checkout page's own script, behaving like checkout-js (a React app): the
// payment step's subtree is replaced whenever the shopper changes something, and the
// native place-order button validates the terms checkbox with checkout-js's markup.
(function () {
  "use strict";
  var app = document.getElementById("checkout-app");
  if (!app) { return; }
  var checkoutId = app.getAttribute("data-checkout-id");
  var termsError = app.getAttribute("data-terms-error");

  function step() { return document.querySelector(".checkout-step--payment"); }

  function rerender() {
    return fetch("/checkout/payment-step", { credentials: "same-origin" }).then(function (res) {
      var due = res.headers.get("x-amount-due");
      return res.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.firstElementChild;
        var old = step().querySelector(".checkout-view-content");
        if (fresh && old) { old.replaceWith(fresh); }
        if (due) { document.querySelector("[data-test=cart-price-value]").textContent = due; }
      });
    });
  }

  document.addEventListener("change", function (event) {
    var t = event.target;
    if (t.id === "useStoreCredit") {
      fetch("/api/storefront/checkouts/" + encodeURIComponent(checkoutId) + "/store-credit", {
        method: t.checked ? "POST" : "DELETE",
        credentials: "same-origin"
      }).then(rerender);
    } else if (t.name === "paymentProviderRadio") {
      var chosen = t.value;
      rerender().then(function () {
        var again = document.querySelector("input[name=paymentProviderRadio][value='" + chosen + "']");
        if (again) { again.checked = true; }
      });
    } else if (t.name === "terms" && t.checked) {
      var field = t.closest(".form-field");
      field.classList.remove("form-field--error");
      var errors = field.querySelector(".form-field-errors");
      if (errors) { errors.remove(); }
    }
  });

  document.addEventListener("submit", function (event) {
    var terms = document.querySelector("input[name=terms]");
    if (terms && !terms.checked) {
      event.preventDefault();
      var field = terms.closest(".form-field");
      field.classList.add("form-field--error");
      if (!field.querySelector(".form-field-errors")) {
        var ul = document.createElement("ul");
        ul.className = "form-field-errors";
        var li = document.createElement("li");
        li.className = "form-field-error";
        var label = document.createElement("label");
        label.className = "form-inlineMessage";
        label.textContent = termsError;
        li.appendChild(label);
        ul.appendChild(li);
        field.appendChild(ul);
      }
    }
  });
})();
