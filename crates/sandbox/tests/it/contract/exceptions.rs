//! Where the official OpenAPI files are known to be wrong, and what we validate instead.
//!
//! Nothing is loosened silently: each exception replaces one node of one spec file with a
//! corrected schema (still strictly validated), names the original text it corrects — so the
//! load fails loudly once BigCommerce fixes the file and the exception can go — and says why.

/// One correction to a spec file, applied when the file is loaded.
#[derive(Debug)]
pub struct SpecPatch {
    /// File name in `contracts/bigcommerce/openapi/`.
    pub file: &'static str,
    /// JSON pointer of the node to replace (its parent must exist).
    pub pointer: &'static str,
    /// The node as the official file has it (JSON), or `None` when it is absent there.
    pub original: Option<&'static str>,
    /// What we validate against instead (JSON).
    pub replacement: &'static str,
    /// Why: the evidence that the file is wrong (spec section, example, documentation).
    pub reason: &'static str,
}

/// Evidence tags as in `spec/bigcommerce-platform.md` §0: [§n] that document, [C:repo/path]
/// BigCommerce's own client code, "own example" an example in the same spec file.
pub const SPEC_PATCHES: &[SpecPatch] = &[
    // ---- orders.v2.oas2.yml ------------------------------------------------------------
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/paths/~1orders~1{order_id}/get/responses/404",
        original: Some(
            r#"{"description": "The requested resource was not found.", "content": {"application/json": {"schema": {}}}}"#,
        ),
        replacement: r##"{"$ref": "#/components/responses/404_Resp"}"##,
        reason: "the operation's 404 schema is `{}`, which checks nothing; the same file describes \
                 the v2 error body once, as `404_Resp` (array of {status, message}), and §1.2 says \
                 every v2 error has that shape",
    },
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/paths/~1orders/get/responses/204",
        original: None,
        replacement: r#"{"description": "No Content: the page is empty (no body)"}"#,
        reason: "v2 collections answer an empty page with 204 and no body [§1.2, §1.3]; the file \
                 documents that only for shipments",
    },
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/paths/~1orders~1{order_id}~1coupons/get/responses/204",
        original: None,
        replacement: r#"{"description": "No Content: the order has no coupons (no body)"}"#,
        reason: "v2 collections answer an empty page with 204 and no body [§1.2, §1.3]; most \
                 orders have no coupon",
    },
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/paths/~1orders~1{order_id}~1shipping_addresses/get/responses/204",
        original: None,
        replacement: r#"{"description": "No Content: the order has no shipping address (no body)"}"#,
        reason: "v2 collections answer an empty page with 204 and no body [§1.2, §1.3]; an order \
                 of digital goods only has no shipping address",
    },
    // Members the files' own examples show but the schemas do not declare: declared here so
    // that the live test's closed-world check (`schema::undeclared`) can refuse any other.
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/components/schemas/orderStatus_Base/properties/order",
        original: None,
        replacement: r#"{"type": "integer"}"#,
        reason: "the sort position of a status: every entry of the file's own example \
                 `orderStatusCollection_Resp` has it (`order: 0`, `order: 1`, …)",
    },
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/components/schemas/order_RespOnly/properties/custom_status",
        original: None,
        replacement: r#"{"type": "string"}"#,
        reason: "the status label the merchant gave: the file's own examples `order_Resp` and \
                 `orderCollection_Resp` have it (`custom_status: Awaiting Fulfillment`)",
    },
    SpecPatch {
        file: "orders.v2.oas2.yml",
        pointer: "/components/schemas/order_RespOnly/properties/credit_card_type",
        original: None,
        replacement: r#"{"nullable": true}"#,
        reason: "the file's own examples `order_Resp` and `orderCollection_Resp` have it, as \
                 `null` and as `{}`; left untyped since they disagree",
    },
    // ---- orders.v3.yml -------------------------------------------------------------------
    SpecPatch {
        file: "orders.v3.yml",
        pointer: "/components/schemas/RefundItem/properties/requested_amount",
        original: Some(r##"{"$ref": "#/components/schemas/Amount"}"##),
        replacement: r##"{"allOf": [{"$ref": "#/components/schemas/Amount"}], "nullable": true}"##,
        reason: "the file's own response examples (Refund_Resp, RefundCollection_Resp) return \
                 `requested_amount: null` for PRODUCT items and `RefundID_Get` declares it \
                 nullable; only request bodies need a number here",
    },
    SpecPatch {
        file: "orders.v3.yml",
        pointer: "/components/schemas/RefundID_Get/properties/data/properties/payments/items/properties/transaction_id",
        original: None,
        replacement: r#"{"type": "string"}"#,
        reason: "the same refund payment as `RefundPayment`, which declares `transaction_id` \
                 (a string); the refund endpoints filter on a payment's `transaction_id`",
    },
    // ---- checkouts.v3.yml ----------------------------------------------------------------
    SpecPatch {
        file: "checkouts.v3.yml",
        pointer: "/paths/~1checkouts~1{checkoutId}~1token/post/responses/200/content/application~1json/schema",
        original: Some(
            r##"{"type": "object", "properties": {"checkoutToken": {"type": "string", "example": "beb3590088be88f59ba980d54a68df655cd8a1052a3e9caf535f3f820146c226"}, "meta": {"$ref": "#/components/schemas/MetaOpen"}}}"##,
        ),
        replacement: r##"{"type": "object", "required": ["data"], "properties": {"data": {"type": "object", "required": ["checkoutToken"], "properties": {"checkoutToken": {"type": "string"}, "meta": {"$ref": "#/components/schemas/MetaOpen"}}}}}"##,
        reason: "the schema leaves out the `data` envelope that the operation's own example (and \
                 every v3 response, §1.1) has — `{\"data\": {\"checkoutToken\": …, \"meta\": {}}}` — \
                 so as published it would accept any object; the app reads data.checkoutToken, \
                 hence `required`",
    },
    SpecPatch {
        file: "checkouts.v3.yml",
        pointer: "/paths/~1checkouts~1{checkoutId}~1token/post/responses/422/content/application~1json/schema/properties/status/type",
        original: Some(r#""string""#),
        replacement: r#""integer""#,
        reason: "typed string yet `format: int32`; the 401 beside it and every other v3 error \
                 body carry an integer status [§1.2]",
    },
    SpecPatch {
        file: "checkouts.v3.yml",
        pointer: "/components/schemas/Checkout/properties/cart/properties/line_items/properties/physical_items/items/properties/coupons",
        original: None,
        replacement: r#"{"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "object"}}]}"#,
        reason: "the operation's own examples have it on physical items (`coupons: []`, \
                 `coupons: 6.4`); carts.v3.yml describes the same cart line item with \
                 `coupons: oneOf [number, array of Applied Coupon]` (ItemDigitalGet) and an \
                 array (ItemPhysical)",
    },
    SpecPatch {
        file: "checkouts.v3.yml",
        pointer: "/components/schemas/Checkout/properties/cart/properties/line_items/properties/digital_items/items/properties/coupons",
        original: None,
        replacement: r#"{"oneOf": [{"type": "number"}, {"type": "array", "items": {"type": "object"}}]}"#,
        reason: "as for physical items: carts.v3.yml declares `coupons` on digital cart items \
                 (ItemDigital, ItemDigitalGet: oneOf [number, array])",
    },
    SpecPatch {
        file: "checkouts.v3.yml",
        pointer: "/components/schemas/Checkout/properties/billing_address/allOf/0/properties/country",
        original: None,
        replacement: r#"{"type": "string"}"#,
        reason: "the country's name beside `country_code`: the operation's own examples have \
                 it on the billing address (`country: ''`) and on consignment addresses \
                 (`country: United States`)",
    },
    SpecPatch {
        file: "checkouts.v3.yml",
        pointer: "/components/schemas/Checkout/properties/consignments/items/properties/address/allOf/0/properties/country",
        original: None,
        replacement: r#"{"type": "string"}"#,
        reason: "as for the billing address: the operation's own examples have \
                 `country: United States` on consignment addresses",
    },
    // ---- storefront (the checkout script) ------------------------------------------------
    SpecPatch {
        file: "checkouts.sf.yml",
        pointer: "/components/schemas/checkout_Full/properties/billingAddress",
        original: Some(r##"{"$ref": "#/components/schemas/address_Base"}"##),
        replacement: r##"{"$ref": "#/components/schemas/address_Full"}"##,
        reason: "a checkout's billing address is a saved address with its `id`: the realistic                  example examples/checkout-storefront-response.json has `billingAddress.id`, and                  BigCommerce's own SDK types it `BillingAddress extends Address { id: string }`                  [C:bigcommerce/checkout-sdk-js packages/core/src/billing/billing-address.ts];                  the same file's `address_Full` is that shape",
    },
    SpecPatch {
        file: "checkouts.sf.yml",
        pointer: "/components/schemas/lineItemPhysicalDigital/properties/parentId/nullable",
        original: None,
        replacement: "true",
        reason: "a line item outside a bundle has no parent: BigCommerce's own SDK types it \
                 `parentId?: string | null` [C:bigcommerce/checkout-sdk-js \
                 packages/core/src/cart/line-item.ts]",
    },
    SpecPatch {
        file: "carts.sf.yml",
        pointer: "/components/schemas/responseCartBaseItem/properties/parentId/nullable",
        original: None,
        replacement: "true",
        reason: "as for checkouts.sf.yml lineItemPhysicalDigital.parentId [C:bigcommerce/\
                 checkout-sdk-js packages/core/src/cart/line-item.ts]",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/ItemPhysical/properties/parentId/nullable",
        original: None,
        replacement: "true",
        reason: "as for checkouts.sf.yml lineItemPhysicalDigital.parentId [C:bigcommerce/\
                 checkout-sdk-js packages/core/src/cart/line-item.ts]",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/Order/properties/lineItems",
        original: Some(
            r##"{"type": "array", "description": "Array of `LineItem` objects.", "items": {"$ref": "#/components/schemas/OrderLineItem"}}"##,
        ),
        replacement: r##"{"$ref": "#/components/schemas/OrderLineItem"}"##,
        reason: "`OrderLineItem` is itself the {physicalItems, digitalItems, …} map; wrapping it \
                 in an array is a slip: the SDK types `lineItems: LineItemMap` \
                 [C:bigcommerce/checkout-sdk-js packages/core/src/order/order.ts]",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/OrderLineItem/required",
        original: Some(r#"["digitalItems", "giftCertificate", "physicalItems"]"#),
        replacement: r#"["digitalItems", "giftCertificates", "physicalItems"]"#,
        reason: "the map's member is `giftCertificates`, as in carts.sf.yml and the SDK's \
                 `LineItemMap` [C:bigcommerce/checkout-sdk-js src/cart/line-item-map.ts]",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/OrderLineItem/properties/giftCertificates",
        original: None,
        replacement: r##"{"type": "array", "items": {"$ref": "#/components/schemas/OrderItemGiftCertificate"}}"##,
        reason: "declares `giftCertificates` (see the previous exception) with the item schema \
                 the file gives its misspelt `giftCertificate`",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/ItemPhysical/properties/discounts",
        original: Some(
            r#"{"type": "object", "properties": {}, "description": "List of discounts applied to this item. If no discount applied, empty array is returned. If discount has been applied, discount object returned."}"#,
        ),
        replacement: r##"{"type": "array", "items": {"$ref": "#/components/schemas/AppliedDiscount"}}"##,
        reason: "its own description says an (empty) array; OrderItemDigital and BaseItem in the \
                 same file declare an array of AppliedDiscount, and so does the SDK \
                 (`discounts: Array<…>` in [C:bigcommerce/checkout-sdk-js packages/core/src/cart/line-item.ts])",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/Order/properties/customerId/type",
        original: Some(r#""string""#),
        replacement: r#""integer""#,
        reason: "a customer id is numeric everywhere else (`customerId: number` in \
                 [C:bigcommerce/checkout-sdk-js packages/core/src/order/order.ts])",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/Order/properties/taxTotal",
        original: Some(r#"{"type": "integer"}"#),
        replacement: r#"{"type": "number"}"#,
        reason: "a money amount in major units (19.96), like every other storefront total \
                 (`taxTotal: number` in [C:bigcommerce/checkout-sdk-js packages/core/src/order/order.ts])",
    },
    SpecPatch {
        file: "orders.sf.yml",
        pointer: "/components/schemas/Order/properties/taxes/items/properties/amount",
        original: Some(r#"{"type": "integer"}"#),
        replacement: r#"{"type": "number"}"#,
        reason: "a money amount in major units, as `taxTotal` [C:bigcommerce/checkout-sdk-js \
                 packages/core/src/tax/tax.ts]",
    },
];
