//! Webhook scopes: which names a hook may subscribe to, and which events a subscription
//! receives.
//!
//! The list follows BigCommerce's event reference (`docs/integrations/webhooks/events`)
//! and the schemas in `webhooks.v3.yml`. Channel-specific scopes
//! (`store/channel/{id}/…`), B2B and inventory-location scopes are left out: the app
//! never subscribes to them, and an unknown scope is answered with 422 like BigCommerce.

/// The scope of the hook that receives delivery problems of the client's other hooks.
pub const DELIVERY_EXCEPTION_SCOPE: &str = "store/hook/deliveryException";

/// Every exact scope the simulator accepts.
const EXACT: &[&str] = &[
    "store/app/uninstalled",
    "store/brand/metafield/created",
    "store/brand/metafield/deleted",
    "store/brand/metafield/updated",
    "store/cart/abandoned",
    "store/cart/converted",
    "store/cart/couponApplied",
    "store/cart/created",
    "store/cart/deleted",
    "store/cart/lineItem/created",
    "store/cart/lineItem/deleted",
    "store/cart/lineItem/updated",
    "store/cart/metafield/created",
    "store/cart/metafield/deleted",
    "store/cart/metafield/updated",
    "store/cart/updated",
    "store/category/created",
    "store/category/deleted",
    "store/category/metafield/created",
    "store/category/metafield/deleted",
    "store/category/metafield/updated",
    "store/category/updated",
    "store/channel/created",
    "store/channel/updated",
    "store/customer/address/created",
    "store/customer/address/deleted",
    "store/customer/address/updated",
    "store/customer/created",
    "store/customer/deleted",
    "store/customer/payment/instrument/default/updated",
    "store/customer/updated",
    DELIVERY_EXCEPTION_SCOPE,
    "store/information/updated",
    "store/metafield/created",
    "store/metafield/deleted",
    "store/metafield/updated",
    "store/order/archived",
    "store/order/created",
    "store/order/message/created",
    "store/order/metafield/created",
    "store/order/metafield/deleted",
    "store/order/metafield/updated",
    "store/order/refund/created",
    "store/order/statusUpdated",
    "store/order/transaction/created",
    "store/order/transaction/updated",
    "store/order/updated",
    "store/product/created",
    "store/product/deleted",
    "store/product/inventory/order/updated",
    "store/product/inventory/updated",
    "store/product/metafield/created",
    "store/product/metafield/deleted",
    "store/product/metafield/updated",
    "store/product/updated",
    "store/product/variant/metafield/created",
    "store/product/variant/metafield/deleted",
    "store/product/variant/metafield/updated",
    "store/shipment/created",
    "store/shipment/deleted",
    "store/shipment/updated",
    "store/sku/created",
    "store/sku/deleted",
    "store/sku/inventory/order/updated",
    "store/sku/inventory/updated",
    "store/sku/updated",
    "store/subscriber/created",
    "store/subscriber/deleted",
    "store/subscriber/updated",
];

/// Wildcard scopes: `prefix/*` receives every event whose scope starts with `prefix/`
/// (so `store/cart/*` also receives `store/cart/lineItem/…`, as documented).
const WILDCARDS: &[&str] = &[
    "store/brand/metafield/*",
    "store/cart/*",
    "store/cart/lineItem/*",
    "store/category/*",
    "store/channel/*",
    "store/customer/*",
    "store/customer/address/*",
    "store/metafield/*",
    "store/order/*",
    "store/product/*",
    "store/product/metafield/*",
    "store/product/variant/metafield/*",
    "store/shipment/*",
    "store/sku/*",
    "store/subscriber/*",
];

/// Whether a hook may subscribe to `scope`.
pub fn is_known(scope: &str) -> bool {
    EXACT.contains(&scope) || WILDCARDS.contains(&scope)
}

/// Whether a hook subscribed to `hook_scope` receives an event of `event_scope`.
pub fn matches(hook_scope: &str, event_scope: &str) -> bool {
    if hook_scope == event_scope {
        return true;
    }
    match hook_scope.strip_suffix('*') {
        Some(prefix) => prefix.ends_with('/') && event_scope.starts_with(prefix),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_wildcard_scopes_are_known() {
        assert!(is_known("store/order/statusUpdated"));
        assert!(is_known("store/order/*"));
        assert!(is_known(DELIVERY_EXCEPTION_SCOPE));
        assert!(!is_known("store/order/whatever"));
        assert!(!is_known("store/*"));
        assert!(!is_known(""));
    }

    #[test]
    fn wildcards_match_by_prefix() {
        assert!(matches("store/order/*", "store/order/created"));
        assert!(matches("store/order/*", "store/order/refund/created"));
        assert!(matches("store/cart/*", "store/cart/lineItem/created"));
        assert!(!matches("store/order/*", "store/orderx/created"));
        assert!(!matches("store/order/*", "store/shipment/created"));
        assert!(matches("store/order/created", "store/order/created"));
        assert!(!matches("store/order/created", "store/order/updated"));
    }

    #[test]
    fn every_wildcard_covers_some_exact_scope() {
        for wildcard in WILDCARDS {
            assert!(
                EXACT.iter().any(|scope| matches(wildcard, scope)),
                "{wildcard} matches nothing"
            );
        }
    }
}
