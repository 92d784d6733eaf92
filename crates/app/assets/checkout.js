/* SeQura for BigCommerce: the checkout script (registered through the Scripts API with the
   SRI hash of these exact bytes). The payment-step buttons arrive with the checkout
   journey; until then this script only announces itself. */
(function () {
  "use strict";
  window.SequraBigCommerce = window.SequraBigCommerce || { version: 1 };
})();
