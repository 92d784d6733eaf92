/* SeQura for BigCommerce: the checkout script.

   BigCommerce loads it on the checkout page through the Scripts API (footer, `integrity` +
   `crossorigin="anonymous"`; the app registers the SRI hash of these exact bytes) from
   {app}/storefront/checkout.js?store={store_hash}. It adds one SeQura method per eligible
   product to the payment step, and on a click asks the app for a solicitation, shows
   SeQura's identification form, and sends the shopper to the order confirmation page once
   the app reports the order.

   ES2017, strict, no dependencies, no eval, no inline handlers; the only global it defines
   is window.SequraBigCommerce (a page may set window.SequraBigCommerce = {texts: {...}}
   beforehand to translate the texts below). The file is plain ASCII, so its meaning does
   not depend on the charset it is served with. */
(function () {
  "use strict";

  const previous = window.SequraBigCommerce || {};
  if (previous.started) {
    return;
  }

  // Every text the shopper can see.
  const TEXTS = Object.assign(
    {
      termsRequired: "Please agree to the terms and conditions",
      opening: "Opening SeQura\u2026",
      confirming: "Confirming your payment with SeQura\u2026",
      inReview: "SeQura is reviewing your request. Please wait\u2026",
      redirecting: "Payment approved. Taking you to your order\u2026",
      notEligible:
        "This SeQura payment method is not available for this order. Please choose another payment method.",
      checkoutChanged:
        "Your order has changed. Please check it and choose the payment method again.",
      unavailable:
        "SeQura is not available right now. Please try again in a few minutes or choose another payment method.",
      rejected: "SeQura could not approve this payment. Please choose another payment method.",
      failed: "The payment could not be completed. Please choose another payment method.",
      notCompleted:
        "The payment was not completed. You can try again or choose another payment method.",
      timeout:
        "We could not confirm your payment yet. If you completed it, you will receive an e-mail about your order; otherwise please try again.",
      formFailed:
        "SeQura's form could not be opened. Please try again or choose another payment method.",
      generic: "Something went wrong. Please try again or choose another payment method."
    },
    previous.texts || {}
  );

  // The checkout-js markup this script relies on (Optimized One-Page Checkout).
  const SELECTORS = {
    content: ".checkout-step--payment .checkout-view-content",
    list: "ul.form-checklist.optimizedCheckout-form-checklist",
    total: '[data-test="cart-total"] [data-test="cart-price-value"]',
    terms: 'input[name="terms"]',
    termsField: ".form-field, fieldset.checkout-terms"
  };

  const POLL_INTERVAL_MS = 1000;
  const POLL_LIMIT_MS = 30 * 60 * 1000; // while the form is open: the shopper takes their time
  const AFTER_APPROVAL_MS = 2 * 60 * 1000; // form closed on approval: the app is creating the order
  const AFTER_CLOSE_MS = 3000; // form closed otherwise: a last look before giving the buttons back
  const FORM_READY_MS = 20000;
  const REVIEW_GRACE_MS = 15000; // in review: SeQura's form shows its notice, then moves on
  const CHECKOUT_INCLUDE =
    "cart.lineItems.physicalItems.options,cart.lineItems.digitalItems.options,customer,payments";

  // --- where the app is: this script's own src ---------------------------------------

  function ownScript() {
    const current = document.currentScript;
    if (current && current.src) {
      return current;
    }
    const all = document.querySelectorAll('script[src*="/storefront/checkout.js"]');
    return all.length ? all[all.length - 1] : null;
  }

  const script = ownScript();
  let source = null;
  try {
    source = script ? new URL(script.src, document.baseURI) : null;
  } catch (e) {
    source = null;
  }
  const storeHash = source ? source.searchParams.get("store") : null;
  if (!source || !storeHash) {
    if (window.console) {
      window.console.warn("SeQura: cannot tell the store from this script's address");
    }
    return;
  }
  const appBase = source.origin + source.pathname.replace(/\/storefront\/checkout\.js$/, "");
  // A page with a nonce-based CSP gives its nonce to this script; SeQura's form scripts get it too.
  const nonce = (script && script.nonce) || "";

  function appUrl(path) {
    return appBase + "/storefront/" + encodeURIComponent(storeHash) + path;
  }

  // --- state ----------------------------------------------------------------------------

  const state = {
    content: null, // the payment step's content element last seen
    totalText: null, // the order total as displayed, last seen
    reading: false, // a storefront read for eligibility is running
    readAgain: false,
    wanted: null, // eligibility key of the latest storefront read
    key: null, // eligibility key of the methods shown
    methods: [],
    version: 0, // bumped whenever the methods shown change
    cache: new Map(), // eligibility key -> methods
    inflight: new Map(), // eligibility key -> promise of methods
    run: null, // the solicitation under way
    message: null // {text, error}
  };
  const itemMethods = new WeakMap(); // <li> -> method
  let radioCount = 0;

  // --- money ----------------------------------------------------------------------------

  // A decimal amount ("123.45" or 123.45 as BigCommerce sends it) in cents, half away from
  // zero past the cent, without floating-point arithmetic; null when it is not a decimal.
  function toCents(value) {
    let text = "";
    if (typeof value === "number") {
      if (!Number.isFinite(value)) {
        return null;
      }
      text = /e/i.test(String(value)) ? value.toFixed(6) : String(value);
    } else if (typeof value === "string") {
      text = value.trim();
    }
    const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
    if (!match) {
      return null;
    }
    const fraction = (match[3] || "") + "000";
    let cents = Number(match[2]) * 100 + Number(fraction.slice(0, 2));
    if (Number(fraction.charAt(2)) >= 5) {
      cents += 1;
    }
    if (!Number.isSafeInteger(cents)) {
      return null;
    }
    return match[1] === "-" && cents !== 0 ? -cents : cents;
  }

  // --- HTTP -----------------------------------------------------------------------------

  async function getJson(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    return { status: response.status, ok: response.ok, body: body };
  }

  function toApp(extra) {
    return Object.assign(
      { credentials: "omit", mode: "cors", cache: "no-store", headers: { Accept: "application/json" } },
      extra || {}
    );
  }

  function httpUrl(value) {
    if (typeof value !== "string" || value === "") {
      return null;
    }
    try {
      const url = new URL(value, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  // The shopper's checkout as the storefront sees it now: {id, data} or null.
  async function readCheckout() {
    const options = {
      credentials: "include",
      cache: "no-store",
      headers: { Accept: "application/json" }
    };
    const carts = await getJson("/api/storefront/carts", options);
    const cart = carts.ok && Array.isArray(carts.body) ? carts.body[0] : null;
    if (!cart || !cart.id) {
      return null;
    }
    const checkout = await getJson(
      "/api/storefront/checkouts/" + encodeURIComponent(cart.id) + "?include=" + CHECKOUT_INCLUDE,
      options
    );
    if (!checkout.ok || !checkout.body || typeof checkout.body !== "object") {
      return null;
    }
    return { id: String(cart.id), data: checkout.body };
  }

  // What eligibility depends on, from a storefront checkout.
  function factsOf(checkout) {
    const cart = checkout.cart || {};
    const lines = cart.lineItems || {};
    const products = [];
    const skus = [];
    [].concat(lines.physicalItems || [], lines.digitalItems || []).forEach(function (item) {
      if (item && item.productId !== undefined && item.productId !== null) {
        const id = String(item.productId);
        if (products.indexOf(id) < 0) {
          products.push(id);
        }
      }
      // Excluded products are configured by SKU.
      if (item && typeof item.sku === "string" && item.sku !== "" && skus.indexOf(item.sku) < 0) {
        skus.push(item.sku);
      }
    });
    const due =
      checkout.outstandingBalance !== undefined && checkout.outstandingBalance !== null
        ? checkout.outstandingBalance
        : checkout.grandTotal;
    return {
      country: String((checkout.billingAddress || {}).countryCode || "").toUpperCase(),
      currency: String((cart.currency || {}).code || "").toUpperCase(),
      amount: toCents(due),
      products: products.join(","),
      skus: skus.join(","),
      useStoreCredit: checkout.isStoreCreditApplied === true
    };
  }

  // --- eligibility ------------------------------------------------------------------------

  function validMethod(method) {
    return (
      method &&
      typeof method.product === "string" &&
      method.product !== "" &&
      typeof method.title === "string"
    );
  }

  // The methods for one key: from the cache, from the request already in flight, or asked.
  function methodsFor(checkoutId, facts, key) {
    if (state.cache.has(key)) {
      return Promise.resolve(state.cache.get(key));
    }
    if (state.inflight.has(key)) {
      return state.inflight.get(key);
    }
    const query = new URLSearchParams({
      country: facts.country,
      currency: facts.currency,
      amount: String(facts.amount),
      products: facts.products,
      skus: facts.skus
    });
    const url = appUrl("/checkouts/" + encodeURIComponent(checkoutId) + "/methods?" + query);
    const request = (async function () {
      try {
        const answer = await getJson(url, toApp());
        if (answer.ok && answer.body && Array.isArray(answer.body.methods)) {
          const methods = answer.body.methods.filter(validMethod);
          state.cache.set(key, methods);
          return methods;
        }
        return []; // not cached: asked again on the next change
      } catch (e) {
        return [];
      } finally {
        state.inflight.delete(key);
      }
    })();
    state.inflight.set(key, request);
    return request;
  }

  function show(key, methods) {
    if (state.key !== key || state.methods !== methods) {
      state.key = key;
      state.methods = methods;
      state.version += 1;
    }
    render();
  }

  // Reads the checkout and shows the methods it is eligible for; one read at a time (a
  // change during a read triggers one more read).
  async function refresh() {
    if (state.reading) {
      state.readAgain = true;
      return;
    }
    state.reading = true;
    try {
      do {
        state.readAgain = false;
        try {
          const checkout = await readCheckout();
          if (!checkout) {
            state.wanted = null;
            show(null, []);
            continue;
          }
          const facts = factsOf(checkout.data);
          const key = [checkout.id, facts.country, facts.currency, facts.amount, facts.products, facts.skus].join(
            "|"
          );
          state.wanted = key;
          if (!facts.country || !facts.currency || facts.amount === null || facts.amount <= 0) {
            show(key, []);
            continue;
          }
          const methods = await methodsFor(checkout.id, facts, key);
          if (state.wanted === key) {
            show(key, methods);
          }
        } catch (e) {
          // a failed read leaves the buttons as they are; the next change reads again
        }
      } while (state.readAgain);
    } finally {
      state.reading = false;
    }
  }

  // --- rendering ----------------------------------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function iconUrl(value) {
    if (typeof value !== "string") {
      return null;
    }
    return /^data:image\//i.test(value) ? value : /^https:\/\//i.test(value) ? value : null;
  }

  // One method as an item of the checkout's method list, in the checkout's own markup.
  function methodItem(method) {
    radioCount += 1;
    const id = "sequra-method-" + radioCount;
    const item = element(
      "li",
      "form-checklist-item optimizedCheckout-form-checklist-item sequra-method"
    );
    item.setAttribute("data-sequra-item", "method");
    item.setAttribute("data-sequra-version", String(state.version));
    item.setAttribute("data-test", "sequra-method");
    item.setAttribute("data-sequra-product", method.product);
    item.setAttribute("data-sequra-campaign", method.campaign == null ? "" : String(method.campaign));

    const header = element("div", "form-checklist-header");
    const field = element("div", "form-field");
    const radio = element("input", "form-checklist-checkbox optimizedCheckout-form-checklist-checkbox");
    radio.type = "radio";
    radio.name = "sequraMethod";
    radio.id = id;
    radio.value = method.product;
    const label = element("label", "form-label optimizedCheckout-form-label");
    label.htmlFor = id;
    if (typeof method.long_title === "string" && method.long_title) {
      label.title = method.long_title;
    }

    const container = element("div", "paymentProviderHeader-container");
    const nameContainer = element("div", "paymentProviderHeader-nameContainer");
    const icon = iconUrl(method.icon);
    if (icon) {
      const img = element("img", "paymentProviderHeader-img sequra-method-icon");
      img.src = icon;
      img.alt = "";
      nameContainer.appendChild(img);
    }
    const name = element("div", "paymentProviderHeader-name", method.title);
    name.setAttribute("data-test", "sequra-method-name");
    nameContainer.appendChild(name);
    container.appendChild(nameContainer);

    const details = [
      ["sequra-method-claim", method.claim],
      ["sequra-method-cost", method.cost_description]
    ].filter(function (detail) {
      return typeof detail[1] === "string" && detail[1] !== "";
    });
    if (details.length) {
      const line = element("div", "paymentProviderHeader-cc sequra-method-detail");
      details.forEach(function (detail, index) {
        if (index > 0) {
          line.appendChild(document.createTextNode(" "));
        }
        line.appendChild(element("span", detail[0], detail[1]));
      });
      container.appendChild(line);
    }

    label.appendChild(container);
    field.appendChild(radio);
    field.appendChild(label);
    header.appendChild(field);
    item.appendChild(header);

    itemMethods.set(item, method);
    item.addEventListener("click", function () {
      start(method);
    });
    return item;
  }

  function sameMethod(a, b) {
    return Boolean(a && b) && a.product === b.product && (a.campaign || null) === (b.campaign || null);
  }

  function messageItem() {
    const item = element("li", "sequra-message");
    item.setAttribute("data-sequra-item", "message");
    item.setAttribute("data-sequra-version", String(state.version));
    item.setAttribute("data-test", "sequra-message");
    item.setAttribute("role", "alert");
    item.hidden = true;
    return item;
  }

  // Makes the payment step show the current methods and state; changes the DOM only when it
  // differs, so the MutationObserver that calls it settles.
  function render() {
    const content = document.querySelector(SELECTORS.content);
    if (!content) {
      return;
    }
    const ours = content.querySelectorAll("[data-sequra-item]");
    const nativeList = content.querySelector(SELECTORS.list + ":not([data-sequra-item])");
    const expected = state.methods.length ? state.methods.length + 1 + (nativeList ? 0 : 1) : 0;
    const current = content.querySelectorAll('[data-sequra-version="' + state.version + '"]');
    const firstItem = content.querySelector('[data-sequra-item="method"]');
    const intact =
      ours.length === expected &&
      current.length === expected &&
      (!nativeList || !firstItem || firstItem.parentNode === nativeList);
    if (!intact) {
      Array.prototype.forEach.call(ours, function (node) {
        if (node.parentNode) {
          node.parentNode.removeChild(node);
        }
      });
      if (state.methods.length) {
        let list = nativeList;
        if (!list) {
          list = element("ul", "form-list form-checklist optimizedCheckout-form-checklist");
          list.setAttribute("data-sequra-item", "list");
          list.setAttribute("data-sequra-version", String(state.version));
          const form = content.querySelector("form") || content;
          form.insertBefore(list, form.firstChild);
        }
        state.methods.forEach(function (method) {
          list.appendChild(methodItem(method));
        });
        list.appendChild(messageItem());
      }
    }
    sync(content);
  }

  // Busy/selected state and the message, on the items already there.
  function sync(content) {
    const run = state.run;
    Array.prototype.forEach.call(content.querySelectorAll('[data-sequra-item="method"]'), function (item) {
      const radio = item.querySelector("input");
      const busy = run !== null;
      const chosen = busy && sameMethod(itemMethods.get(item), run.method);
      if (radio && radio.disabled !== busy) {
        radio.disabled = busy;
      }
      if (radio && radio.checked !== chosen) {
        radio.checked = chosen;
      }
      if (item.classList.contains("sequra-method--busy") !== busy) {
        item.classList.toggle("sequra-method--busy", busy);
      }
    });
    const message = content.querySelector('[data-sequra-item="message"]');
    if (message) {
      const text = state.message ? state.message.text : "";
      const error = Boolean(state.message && state.message.error);
      if (message.textContent !== text) {
        message.textContent = text;
      }
      if (message.hidden !== !text) {
        message.hidden = !text;
      }
      if (message.classList.contains("form-inlineMessage") !== error) {
        message.classList.toggle("form-inlineMessage", error);
      }
    }
  }

  function setMessage(text, error) {
    state.message = text ? { text: String(text), error: Boolean(error) } : null;
    render();
  }

  // --- terms and conditions --------------------------------------------------------------

  function termsInput() {
    return (
      document.querySelector("fieldset.checkout-terms " + SELECTORS.terms) ||
      document.querySelector(SELECTORS.terms)
    );
  }

  // True when there is no terms checkbox or it is ticked; otherwise shows checkout-js's own
  // error on the field (once).
  function termsAccepted() {
    const input = termsInput();
    if (!input || input.type !== "checkbox" || input.checked) {
      return true;
    }
    const field = input.closest(SELECTORS.termsField) || input.parentNode;
    if (!field.classList.contains("form-field--error")) {
      field.classList.add("form-field--error");
    }
    if (!field.querySelector(".form-field-errors")) {
      const list = element("ul", "form-field-errors");
      list.setAttribute("data-sequra-terms-error", "");
      const entry = element("li", "form-field-error");
      const label = element("label", "form-inlineMessage", TEXTS.termsRequired);
      label.setAttribute("role", "alert");
      label.setAttribute("aria-live", "polite");
      if (input.id) {
        label.htmlFor = input.id;
      }
      entry.appendChild(label);
      list.appendChild(entry);
      field.appendChild(list);
    }
    return false;
  }

  function clearTermsError(input) {
    const field = input.closest(SELECTORS.termsField) || input.parentNode;
    Array.prototype.forEach.call(field.querySelectorAll("[data-sequra-terms-error]"), function (node) {
      node.parentNode.removeChild(node);
    });
    if (!field.querySelector(".form-field-errors")) {
      field.classList.remove("form-field--error");
    }
  }

  document.addEventListener(
    "change",
    function (event) {
      const target = event.target;
      if (target && target.matches && target.matches(SELECTORS.terms) && target.checked) {
        clearTermsError(target);
      }
    },
    true
  );

  // --- the solicitation ----------------------------------------------------------------------

  function failure(text) {
    const error = new Error(text);
    error.sequraText = text;
    return error;
  }

  function solicitationError(answer) {
    const code = answer.body && answer.body.error;
    if (code === "not_eligible" || code === "checkout_changed") {
      state.cache.clear();
      refresh();
      return code === "not_eligible" ? TEXTS.notEligible : TEXTS.checkoutChanged;
    }
    if (code === "unavailable" || answer.status === 503) {
      return TEXTS.unavailable;
    }
    return TEXTS.generic;
  }

  async function start(method) {
    if (state.run) {
      return;
    }
    if (!termsAccepted()) {
      render();
      return;
    }
    const run = {
      method: method,
      done: false,
      closed: false,
      closeReason: null,
      deadline: Date.now() + POLL_LIMIT_MS,
      statusUrl: null,
      form: null,
      timer: null,
      polling: false,
      pollAgain: false
    };
    state.run = run;
    setMessage(TEXTS.opening, false);
    try {
      const checkout = await readCheckout();
      if (!checkout) {
        throw failure(TEXTS.generic);
      }
      const facts = factsOf(checkout.data);
      const answer = await getJson(
        appUrl("/checkouts/" + encodeURIComponent(checkout.id) + "/solicitations"),
        toApp({
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: JSON.stringify({
            product: method.product,
            campaign: method.campaign == null ? null : method.campaign,
            use_store_credit: facts.useStoreCredit
          })
        })
      );
      if (run.done) {
        return;
      }
      if (answer.status !== 201 && answer.status !== 200) {
        throw failure(solicitationError(answer));
      }
      const solicitation = answer.body || {};
      run.statusUrl = httpUrl(solicitation.status_url);
      if (!run.statusUrl || typeof solicitation.form_html !== "string") {
        throw failure(TEXTS.generic);
      }
      setMessage(TEXTS.confirming, false);
      await openForm(run, solicitation.form_html);
      poll(run);
    } catch (e) {
      end(run, (e && e.sequraText) || TEXTS.generic);
    }
  }

  // Ends a run that did not lead to an order: the form goes, the message shows, the buttons
  // come back.
  function end(run, text) {
    if (run.done) {
      return;
    }
    run.done = true;
    clearTimeout(run.timer);
    closeForm(run);
    if (state.run === run) {
      state.run = null;
    }
    setMessage(text, true);
  }

  function leave(run, url) {
    run.done = true;
    clearTimeout(run.timer);
    setMessage(TEXTS.redirecting, false);
    try {
      window.top.location.assign(url);
    } catch (e) {
      window.location.assign(url);
    }
  }

  // --- SeQura's form ------------------------------------------------------------------------

  function closeForm(run) {
    const form = run.form;
    run.form = null;
    if (form && typeof form.hide === "function") {
      try {
        form.hide();
      } catch (e) {
        // the form is going anyway
      }
    }
    const container = document.getElementById("sequra-form-container");
    if (container && container.parentNode) {
      container.parentNode.removeChild(container);
    }
  }

  // A copy of a <script> the browser will run (scripts parsed through innerHTML never run).
  function runnable(inert) {
    const fresh = document.createElement("script");
    Array.prototype.forEach.call(inert.attributes, function (attribute) {
      fresh.setAttribute(attribute.name, attribute.value);
    });
    if (nonce) {
      fresh.nonce = nonce;
    }
    fresh.async = false; // keep the order of the form's scripts
    fresh.text = inert.text;
    return fresh;
  }

  // Injects SeQura's form HTML, runs its scripts, waits for SequraFormInstance and shows it.
  function openForm(run, html) {
    closeForm(run);
    window.SequraFormInstance = undefined;
    const template = document.createElement("template");
    template.innerHTML = html;
    let broken = false;
    Array.prototype.forEach.call(template.content.querySelectorAll("script"), function (inert) {
      const fresh = runnable(inert);
      if (fresh.src) {
        fresh.addEventListener("error", function () {
          broken = true;
        });
      }
      inert.parentNode.replaceChild(fresh, inert);
    });
    // The form's inline script names its iframe; a CSP without 'unsafe-inline' (and no
    // nonce) blocks it, so name it here as well.
    const frame = template.content.querySelector("iframe[id]");
    if (frame) {
      window.SequraFormElement = frame.id;
    }
    const container = element("div", "sequra-form");
    container.id = "sequra-form-container";
    document.body.appendChild(container);
    container.appendChild(template.content);

    const started = Date.now();
    return new Promise(function (resolve, reject) {
      (function check() {
        if (run.done) {
          reject(failure(TEXTS.generic));
          return;
        }
        const form = window.SequraFormInstance;
        if (form && typeof form.show === "function") {
          run.form = form;
          if (typeof form.setCloseCallback === "function") {
            form.setCloseCallback(function (reason) {
              formClosed(run, reason);
            });
          }
          form.show();
          resolve(form);
          return;
        }
        if (broken || Date.now() - started > FORM_READY_MS) {
          reject(failure(TEXTS.formFailed));
          return;
        }
        setTimeout(check, 50);
      })();
    });
  }

  // The form closed itself: after an approval keep waiting for the order; otherwise take a
  // last look at the solicitation and give the buttons back.
  function formClosed(run, reason) {
    if (run.done || run.closed) {
      return;
    }
    run.closed = true;
    run.closeReason = typeof reason === "string" ? reason : null;
    run.form = null;
    const grace = run.closeReason === "approved" ? AFTER_APPROVAL_MS : AFTER_CLOSE_MS;
    run.deadline = Math.min(run.deadline, Date.now() + grace);
    closeForm(run);
    clearTimeout(run.timer);
    poll(run);
  }

  // --- status polling -----------------------------------------------------------------------

  function poll(run) {
    if (run.done) {
      return;
    }
    if (run.polling) {
      run.pollAgain = true;
      return;
    }
    run.polling = true;
    pollOnce(run).then(function (again) {
      run.polling = false;
      if (again && !run.done) {
        const delay = run.pollAgain ? 0 : POLL_INTERVAL_MS;
        run.pollAgain = false;
        run.timer = setTimeout(function () {
          poll(run);
        }, delay);
      }
    });
  }

  function statusMessage(status, fallback) {
    return typeof status.message === "string" && status.message !== "" ? status.message : fallback;
  }

  // One look at the solicitation; true when another look is due.
  async function pollOnce(run) {
    let answer = null;
    try {
      answer = await getJson(run.statusUrl, toApp());
    } catch (e) {
      answer = null;
    }
    if (run.done) {
      return false;
    }
    if (answer && answer.ok && answer.body) {
      const status = answer.body;
      if (status.state === "completed") {
        const url = httpUrl(status.confirmation_url);
        if (url) {
          leave(run, url);
          return false;
        }
      } else if (status.state === "rejected") {
        end(run, statusMessage(status, TEXTS.rejected));
        return false;
      } else if (status.state === "failed") {
        end(run, statusMessage(status, TEXTS.failed));
        return false;
      } else if (status.state === "in_review") {
        setMessage(TEXTS.inReview, false);
        // SeQura's form shows its review notice as its last view, then takes the shopper
        // on; go on ourselves only if it does not.
        const url = httpUrl(status.confirmation_url);
        if (url) {
          run.reviewSince = run.reviewSince || Date.now();
          if (run.closed || Date.now() - run.reviewSince > REVIEW_GRACE_MS) {
            leave(run, url);
            return false;
          }
        }
      }
    } else if (answer && (answer.status === 404 || answer.status === 410)) {
      end(run, TEXTS.failed);
      return false;
    }
    if (Date.now() >= run.deadline) {
      let text = TEXTS.timeout;
      if (run.closed && run.closeReason === "rejected") {
        text = TEXTS.rejected;
      } else if (run.closed && run.closeReason !== "approved") {
        text = TEXTS.notCompleted;
      }
      end(run, text);
      return false;
    }
    return true;
  }

  // --- watching the checkout -------------------------------------------------------------------

  // Runs on every DOM change: (re)injects the buttons, and reads eligibility again when the
  // payment step appears (again) or the order total changes.
  function scan() {
    const content = document.querySelector(SELECTORS.content);
    if (!content) {
      state.content = null;
      return;
    }
    const total = document.querySelector(SELECTORS.total);
    const totalText = total ? total.textContent.trim() : "";
    if (content !== state.content || totalText !== state.totalText) {
      state.content = content;
      state.totalText = totalText;
      refresh();
    }
    render();
  }

  function watch() {
    new MutationObserver(scan).observe(document.body, {
      childList: true,
      subtree: true,
      characterData: true
    });
    scan();
  }

  window.SequraBigCommerce = Object.assign(previous, { version: 1, started: true, texts: TEXTS });

  if (document.body) {
    watch();
  } else {
    document.addEventListener("DOMContentLoaded", watch);
  }
})();
