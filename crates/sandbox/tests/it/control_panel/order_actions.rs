//! The merchant's order actions through the pages (Edit order, Ship items, Refund, Change
//! status, Archive), each compared with the same action through the control handle on a
//! twin simulator seeded and ordered alike: same order, shipments, refunds, transactions,
//! store credit, and the same webhook events.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use sandbox::bigcommerce::control_panel::OrderAction;
use sandbox::bigcommerce::model::{Order, Refund, RefundItemType, Shipment, Transaction};
use sandbox::bigcommerce::{
    AddressPatch, BigCommerce, BigCommerceOptions, NewShipment, OfflineMethod, OrderEdit,
    OrderUpdate, Placement, RefundItemRequest,
};
use serde_json::Value;

use super::{Cp, Page, browser};

const STORE: &str = "abc123";

/// The example order: 2 × shirt (line 301, 25.00) + 1 × shoes (line 302, 60.00) + 5.00
/// shipping to address 151 = 115.00, placed with Cash on Delivery (and the customer's
/// 20.00 store credit when asked), then approved (11).
fn place(sim: &BigCommerce, checkout_id: &str, store_credit: bool) -> i64 {
    let id = sim
        .place_order(
            STORE,
            checkout_id,
            Placement::offline(OfflineMethod::example(), store_credit),
        )
        .unwrap();
    sim.set_order_status(STORE, id, 11).unwrap();
    id
}

/// What a store holds about one order, with every timestamp set aside.
#[derive(Debug, PartialEq)]
struct OrderState {
    order: Order,
    shipments: Vec<Shipment>,
    refunds: Vec<Refund>,
    transactions: Vec<Transaction>,
    store_credit: i64,
}

fn at0() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

fn state_of(sim: &BigCommerce, order_id: i64, customer_id: i64) -> OrderState {
    let mut order = sim.order(STORE, order_id).unwrap();
    order.created_at = at0();
    order.modified_at = at0();
    order.shipped_at = order.shipped_at.map(|_| at0());
    OrderState {
        order,
        shipments: sim
            .shipments(STORE, order_id)
            .into_iter()
            .map(|s| Shipment {
                created_at: at0(),
                ..s
            })
            .collect(),
        refunds: sim
            .refunds(STORE, order_id)
            .into_iter()
            .map(|r| Refund {
                created_at: at0(),
                ..r
            })
            .collect(),
        transactions: sim
            .transactions(STORE, order_id)
            .into_iter()
            .map(|t| Transaction {
                created_at: at0(),
                ..t
            })
            .collect(),
        store_credit: sim.customer(STORE, customer_id).unwrap().store_credit_cents,
    }
}

/// `(scope, data)` of the events after `mark`.
fn events(sim: &BigCommerce, mark: u64) -> Vec<(String, Value)> {
    sim.events_since(STORE, mark)
        .into_iter()
        .map(|e| (e.event.scope, e.event.data))
        .collect()
}

fn scopes(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(scope, _)| scope.as_str()).collect()
}

/// The store driven through the pages (signed in as the owner) and its twin, driven
/// through the control handle.
struct Twins {
    cp: Cp,
    twin: BigCommerce,
    order: i64,
}

impl Twins {
    async fn new(store_credit: bool) -> Self {
        let cp = Cp::installed().await;
        let twin = BigCommerce::new("http://127.0.0.1:9", BigCommerceOptions::default());
        twin.seed_example().unwrap();
        let order = place(&cp.sim, &cp.ex.checkout_id, store_credit);
        assert_eq!(place(&twin, &cp.ex.checkout_id, store_credit), order);
        cp.sign_in_as_owner().await;
        Self { cp, twin, order }
    }

    fn marks(&self) -> (u64, u64) {
        (self.cp.sim.mark(), self.twin.mark())
    }

    fn state(&self) -> OrderState {
        state_of(&self.cp.sim, self.order, self.cp.ex.customer_id)
    }

    /// Both stores hold the same order and emitted the same events since `marks`; the
    /// events, for further checks.
    fn assert_same(&self, marks: (u64, u64)) -> Vec<(String, Value)> {
        assert_eq!(
            self.state(),
            state_of(&self.twin, self.order, self.cp.ex.customer_id)
        );
        let ours = events(&self.cp.sim, marks.0);
        assert_eq!(ours, events(&self.twin, marks.1));
        ours
    }

    fn path(&self, action: OrderAction) -> String {
        format!("/manage/orders/{}/{}", self.order, action.segment())
    }

    async fn order_page(&self) -> Page {
        self.cp.get(&format!("/manage/orders/{}", self.order)).await
    }

    /// Opens an action from the order page's Actions menu, as a merchant does.
    async fn open(&self, menu_item: &str) -> Page {
        let order = self.order_page().await;
        let page = self.cp.open(order.one(menu_item).attr("href")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        page
    }
}

/// The session's CSRF token on a page.
fn token(page: &Page) -> String {
    page.all("csrf-token")[0].attr("value").to_owned()
}

/// Submits the form `form` of `page` with its CSRF token and `fields` (what the merchant
/// typed), following the redirect like a browser.
async fn submit(cp: &Cp, page: &Page, form: &str, fields: &[(&str, &str)]) -> Page {
    let action = page.one(form).attr("action").to_owned();
    let token = token(page);
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    post_to(cp, &action, &all).await
}

/// A form post to a path (`/cp/…`) with exactly `fields`.
async fn post_to(cp: &Cp, path: &str, fields: &[(&str, &str)]) -> Page {
    Page::of(
        cp.browser
            .post(format!("{}{path}", cp.base))
            .form(fields)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The name and value of every element `test` of a page (the form's inputs as shown).
fn inputs(page: &Page, test: &str) -> Vec<(String, String)> {
    page.all(test)
        .into_iter()
        .map(|e| (e.attr("name").to_owned(), e.attr("value").to_owned()))
        .collect()
}

fn total(page: &Page, key: &str) -> i64 {
    page.find("order-total-row", "data-total", key)
        .attr("data-cents")
        .parse()
        .unwrap()
}

fn line_cell(page: &Page, line: i64, cell: &str) -> String {
    // Cells follow their row: find the row's position, then the nth cell of that kind.
    let rows = page.all("order-line");
    let index = rows
        .iter()
        .position(|r| r.attr("data-line-id") == line.to_string())
        .unwrap_or_else(|| panic!("no line {line}"));
    page.all(cell)[index].text.clone()
}

#[tokio::test]
async fn the_order_list_and_page_show_what_the_merchant_needs() {
    let t = Twins::new(true).await;
    let checkout =
        t.cp.sim
            .create_checkout(STORE, example_checkout(&t.cp, Some(t.cp.ex.customer_id)))
            .unwrap();
    let incomplete =
        t.cp.sim
            .create_order_from_checkout(STORE, &checkout)
            .unwrap();

    let list = t.cp.get("/manage/orders").await;
    assert_eq!(list.status, StatusCode::OK);
    // The incomplete order (status 0) is hidden, as BigCommerce does.
    let rows = list.all("order-row");
    assert_eq!(rows.len(), 1, "{}", list.html);
    assert_eq!(rows[0].attr("data-order-id"), t.order.to_string());
    assert_ne!(incomplete, t.order);
    assert_eq!(list.one("order-customer").text, "Laura Pérez");
    assert_eq!(list.one("order-status").text, "Awaiting Fulfillment");
    assert_eq!(list.one("order-total").attr("data-cents"), "11500");
    assert_eq!(list.one("order-total").text, "€115.00");
    assert_eq!(list.one("order-payment-method").text, "SeQura");
    assert!(!list.one("order-date").text.is_empty());
    for item in [
        "order-action-edit",
        "order-action-ship",
        "order-action-refund",
        "order-action-status",
        "order-action-archive",
    ] {
        assert_eq!(
            list.one(item).attr("href"),
            format!(
                "/cp/abc123/manage/orders/{}/{}",
                t.order,
                item.trim_start_matches("order-action-")
            )
        );
    }

    let page = t.cp.open(list.one("order-link").attr("href")).await;
    assert_eq!(page.status, StatusCode::OK);
    let lines = page.all("order-line");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].attr("data-line-id"), "301");
    assert_eq!(line_cell(&page, 301, "line-name"), "Camiseta algodón");
    assert_eq!(line_cell(&page, 301, "line-sku"), "CAM-ALG-M-AZ");
    assert_eq!(line_cell(&page, 301, "line-quantity"), "2");
    assert_eq!(line_cell(&page, 301, "line-shipped"), "0");
    assert_eq!(line_cell(&page, 301, "line-refunded"), "0");
    assert_eq!(line_cell(&page, 301, "line-price"), "€25.00");
    assert_eq!(line_cell(&page, 301, "line-total"), "€50.00");
    assert_eq!(total(&page, "subtotal"), 11_000);
    assert_eq!(total(&page, "shipping"), 500);
    assert_eq!(total(&page, "grand_total"), 11_500);
    assert_eq!(total(&page, "store_credit"), 2_000);
    assert!(!page.html.contains("data-total=\"refunded\""));
    let billing = page.one("order-billing-address");
    assert_eq!(billing.attr("data-address-id"), "0");
    assert!(page.html.contains("Carrer de Balmes 100"));
    assert_eq!(
        page.one("order-shipping-address").attr("data-address-id"),
        "151"
    );
    assert_eq!(page.one("shipping-method").text, "Envío estándar");
    assert_eq!(page.one("order-payment-method").text, "SeQura");
    let payments: Vec<String> = page
        .all("order-payment-row")
        .iter()
        .map(|p| p.attr("data-provider-id").to_owned())
        .collect();
    assert_eq!(payments, ["storecredit", "cod"]);
    assert!(page.has("order-staff-notes"));
    assert!(page.has("order-shipments-empty"));
    assert!(page.has("order-refunds-empty"));

    // Its page opens even though the list hides it.
    let hidden = t.cp.get(&format!("/manage/orders/{incomplete}")).await;
    assert_eq!(hidden.status, StatusCode::OK);
    assert_eq!(hidden.one("order-status").attr("data-status-id"), "0");
}

/// A checkout of one shirt, for `customer_id` or a guest.
fn example_checkout(cp: &Cp, customer_id: Option<i64>) -> sandbox::bigcommerce::NewCheckout {
    sandbox::bigcommerce::NewCheckout {
        id: None,
        customer_id,
        email: customer_id.is_none().then(|| "guest@example.es".to_owned()),
        items: vec![sandbox::bigcommerce::NewLine {
            product_id: cp.ex.products[0],
            quantity: 1,
        }],
        billing_address: Some(sandbox::bigcommerce::model::Address::example()),
        shipping_address: Some(sandbox::bigcommerce::model::Address::example()),
        shipping_option: Some(sandbox::bigcommerce::model::ShippingOption::example()),
        coupons: Vec::new(),
        customer_message: String::new(),
    }
}

#[tokio::test]
async fn editing_items_quantities_and_addresses_is_the_control_handles_edit() {
    let t = Twins::new(true).await;
    let form = t.open("order-action-edit").await;
    assert_eq!(form.all("edit-line").len(), 2);
    assert_eq!(
        form.find("edit-line-quantity", "data-line-id", "301")
            .attr("value"),
        "2"
    );
    assert_eq!(
        form.find("edit-billing-field", "data-field", "city")
            .attr("value"),
        "Barcelona"
    );
    let shoes = t.cp.ex.products[1].to_string();

    // Everything the form shows, as a browser sends it, with the merchant's changes.
    let mut fields: Vec<(String, String)> = Vec::new();
    for test in [
        "edit-line-quantity",
        "edit-billing-field",
        "edit-shipping-field",
        "edit-shipping-method",
        "edit-shipping-cost",
        "edit-discount",
    ] {
        fields.extend(inputs(&form, test));
    }
    let set = |fields: &mut Vec<(String, String)>, name: &str, value: &str| {
        let slot = fields.iter_mut().find(|(n, _)| n == name).unwrap();
        slot.1 = value.to_owned();
    };
    set(&mut fields, "qty_301", "1");
    set(&mut fields, "billing_city", "Valencia");
    set(&mut fields, "billing_zip", "46001");
    set(&mut fields, "shipping_151_street_1", "Calle Mayor 1");
    set(&mut fields, "shipping_151_cost", "7.50");
    fields.push(("add_product_id".into(), shoes.clone()));
    fields.push(("add_quantity".into(), "2".into()));
    fields.push((
        "staff_notes".into(),
        "Called the customer\r\nto confirm".into(),
    ));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();

    let marks = t.marks();
    let page = submit(&t.cp, &form, "edit-order-form", &borrowed).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.one("cp-notice").text,
        format!("Order #{} was updated.", t.order)
    );
    t.twin
        .update_order(
            STORE,
            t.order,
            OrderUpdate {
                staff_notes: Some("Called the customer\nto confirm".into()),
                edits: vec![
                    OrderEdit::SetQuantity {
                        order_product_id: 301,
                        quantity: 1,
                    },
                    OrderEdit::AddItem {
                        product_id: t.cp.ex.products[1],
                        quantity: 2,
                        order_address_id: None,
                    },
                    OrderEdit::PatchBillingAddress(AddressPatch {
                        city: Some("Valencia".into()),
                        zip: Some("46001".into()),
                        ..AddressPatch::default()
                    }),
                    OrderEdit::PatchShippingAddress {
                        address_id: 151,
                        patch: AddressPatch {
                            street_1: Some("Calle Mayor 1".into()),
                            ..AddressPatch::default()
                        },
                    },
                    OrderEdit::SetShippingCost {
                        address_id: 151,
                        cents: 750,
                    },
                ],
                ..OrderUpdate::default()
            },
        )
        .unwrap();
    let events = t.assert_same(marks);
    assert_eq!(scopes(&events), ["store/order/updated"]);
    // Totals recomputed: 1 × 25 + 1 × 60 + 2 × 60 + 7.50.
    assert_eq!(total(&page, "subtotal"), 20_500);
    assert_eq!(total(&page, "shipping"), 750);
    assert_eq!(total(&page, "grand_total"), 21_250);
    assert_eq!(page.all("order-line").len(), 3);
    assert_eq!(line_cell(&page, 301, "line-quantity"), "1");
    assert!(page.html.contains("Valencia"));
    assert!(page.html.contains("Calle Mayor 1"));
    assert_eq!(
        page.one("order-staff-notes").text,
        "Called the customer\nto confirm"
    );

    // Removing a line and a discount; the rest of the form as shown, unchanged.
    let form = t.open("order-action-edit").await;
    let marks = t.marks();
    let page = submit(
        &t.cp,
        &form,
        "edit-order-form",
        &[("remove_302", "1"), ("qty_301", "1"), ("discount", "10")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    t.twin
        .edit_order(
            STORE,
            t.order,
            vec![
                OrderEdit::RemoveItem {
                    order_product_id: 302,
                },
                OrderEdit::SetDiscount { cents: 1_000 },
            ],
        )
        .unwrap();
    t.assert_same(marks);
    assert_eq!(page.all("order-line").len(), 2);
    assert_eq!(total(&page, "manual_discount"), -1_000);
    assert_eq!(total(&page, "grand_total"), 2_500 + 12_000 + 750 - 1_000);

    // A Save without changes is still a save: one `updated`, as every PUT.
    let form = t.open("order-action-edit").await;
    let marks = t.marks();
    let page = submit(&t.cp, &form, "edit-order-form", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    t.twin.edit_order(STORE, t.order, Vec::new()).unwrap();
    assert_eq!(scopes(&t.assert_same(marks)), ["store/order/updated"]);
}

#[tokio::test]
async fn shipping_partially_then_fully_is_ship_items() {
    let t = Twins::new(true).await;
    let form = t.open("order-action-ship").await;
    // By default everything left is shipped.
    assert_eq!(form.one("ship-address-id").attr("value"), "151");
    assert_eq!(
        inputs(&form, "ship-line-quantity"),
        [
            ("qty_301".into(), "2".into()),
            ("qty_302".into(), "1".into())
        ]
    );
    assert_eq!(form.one("ship-method").attr("value"), "Envío estándar");

    let marks = t.marks();
    let page = submit(
        &t.cp,
        &form,
        "ship-form",
        &[
            ("order_address_id", "151"),
            ("qty_301", "1"),
            ("qty_302", "0"),
            ("tracking_number", "EJ958083578ES"),
            ("shipping_provider", ""),
            ("tracking_carrier", "correos"),
            ("shipping_method", "Envío estándar"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.one("cp-notice").text,
        "Shipment #12 created: 1 item shipped."
    );
    t.twin
        .ship_items(
            STORE,
            t.order,
            NewShipment {
                order_address_id: 151,
                items: vec![(301, 1)],
                tracking_number: "EJ958083578ES".into(),
                tracking_carrier: "correos".into(),
                shipping_method: "Envío estándar".into(),
                ..NewShipment::default()
            },
        )
        .unwrap();
    let events = t.assert_same(marks);
    assert_eq!(
        scopes(&events),
        [
            "store/shipment/created",
            "store/order/statusUpdated",
            "store/order/updated"
        ]
    );
    assert_eq!(events[1].1["status"]["new_status_id"], 3);
    assert_eq!(page.one("order-status").attr("data-status-id"), "3");
    assert_eq!(line_cell(&page, 301, "line-shipped"), "1");
    assert_eq!(page.one("shipment-tracking-number").text, "EJ958083578ES");
    assert_eq!(page.one("shipment-carrier").text, "correos");

    // The rest, with the form's defaults as a browser sends them.
    let form = t.open("order-action-ship").await;
    let mut fields = inputs(&form, "ship-line-quantity");
    assert_eq!(
        fields,
        [
            ("qty_301".into(), "1".into()),
            ("qty_302".into(), "1".into())
        ]
    );
    fields.push(("order_address_id".into(), "151".into()));
    fields.push(("tracking_number".into(), "EJ958083579ES".into()));
    fields.push(("shipping_provider".into(), "ups".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let marks = t.marks();
    let page = submit(&t.cp, &form, "ship-form", &borrowed).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    t.twin
        .ship_items(
            STORE,
            t.order,
            NewShipment {
                order_address_id: 151,
                items: vec![(301, 1), (302, 1)],
                tracking_number: "EJ958083579ES".into(),
                shipping_provider: "ups".into(),
                ..NewShipment::default()
            },
        )
        .unwrap();
    let events = t.assert_same(marks);
    assert_eq!(events[1].1["status"]["new_status_id"], 2);
    assert_eq!(page.one("order-status").attr("data-status-id"), "2");
    assert_eq!(page.all("order-shipment").len(), 2);
    assert!(t.state().order.shipped_at.is_some());

    // Nothing is left: the form says so and a shipment of more is refused.
    let form = t.open("order-action-ship").await;
    assert!(form.has("ship-nothing"));
    let marks = t.marks();
    let page = submit(
        &t.cp,
        &form,
        "ship-form",
        &[("order_address_id", "151"), ("qty_301", "1")],
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        page.one("order-error").text,
        "Only 0 of order product 301 are left to ship"
    );
    assert!(events_since_are_none(&t, marks));
}

fn events_since_are_none(t: &Twins, marks: (u64, u64)) -> bool {
    events(&t.cp.sim, marks.0).is_empty()
}

/// Runs a refund through the pages: the items form, the quote, the method of `kind`.
async fn refund_through_pages(t: &Twins, fields: &[(&str, &str)], kind: &str) -> Page {
    let form = t.open("order-action-refund").await;
    let quote = submit(&t.cp, &form, "refund-form", fields).await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.html);
    let method = quote.find("refund-method", "data-kind", kind);
    let mut carried: Vec<(String, String)> = inputs(&quote, "refund-carried");
    carried.push(("method".into(), method.attr("value").to_owned()));
    let borrowed: Vec<(&str, &str)> = carried
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    submit(&t.cp, &quote, "refund-quote-form", &borrowed).await
}

#[tokio::test]
async fn refunding_partially_to_the_payment_then_fully_to_store_credit_is_refund_items() {
    let t = Twins::new(true).await;
    // The quote shows where the money can go, first the order's payment.
    let form = t.open("order-action-refund").await;
    assert_eq!(form.one("refund-left").text, "€115.00");
    let quote = submit(&t.cp, &form, "refund-form", &[("qty_301", "1")]).await;
    assert_eq!(quote.one("refund-quote-total").attr("data-cents"), "2500");
    let kinds: Vec<String> = quote
        .all("refund-method")
        .iter()
        .map(|m| m.attr("data-kind").to_owned())
        .collect();
    assert_eq!(kinds, ["payment", "store_credit", "custom"]);
    assert_eq!(quote.all("refund-method")[0].attr("data-providers"), "cod");
    assert!(quote.all("refund-method")[0].attrs.contains_key("checked"));
    // Asking for a quote changes nothing.
    assert!(t.cp.sim.refunds(STORE, t.order).is_empty());

    let marks = t.marks();
    let page = refund_through_pages(&t, &[("qty_301", "1"), ("qty_302", "0")], "payment").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.one("cp-notice").text,
        "Refund #3 of €25.00 was created."
    );
    t.twin
        .refund_items(
            STORE,
            t.order,
            vec![RefundItemRequest::product(301, 1)],
            false,
        )
        .unwrap();
    let events = t.assert_same(marks);
    assert_eq!(
        scopes(&events),
        [
            "store/order/refund/created",
            "store/order/transaction/created",
            "store/order/statusUpdated",
            "store/order/updated"
        ]
    );
    assert_eq!(page.one("order-status").attr("data-status-id"), "14");
    assert_eq!(line_cell(&page, 301, "line-refunded"), "1");
    assert_eq!(page.one("refund-payment").attr("data-provider-id"), "cod");
    assert_eq!(total(&page, "refunded"), 2_500);

    // The rest (the other shirt, the shoes and the shipping) to store credit: 90.00.
    let marks = t.marks();
    let page = refund_through_pages(
        &t,
        &[("qty_301", "1"), ("qty_302", "1"), ("shipping_151", "5.00")],
        "store_credit",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    t.twin
        .refund_items(
            STORE,
            t.order,
            vec![
                RefundItemRequest::product(301, 1),
                RefundItemRequest::product(302, 1),
                RefundItemRequest::amount(RefundItemType::Shipping, 151, 500),
            ],
            true,
        )
        .unwrap();
    let events = t.assert_same(marks);
    assert_eq!(events[2].1["status"]["new_status_id"], 4);
    assert_eq!(page.one("order-status").attr("data-status-id"), "4");
    assert_eq!(t.state().store_credit, 9_000);
    assert_eq!(page.all("order-refund").len(), 2);

    // Nothing is left to refund.
    let form = t.open("order-action-refund").await;
    let page = submit(&t.cp, &form, "refund-form", &[("amount", "1")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.has("order-error"), "{}", page.html);
}

#[tokio::test]
async fn a_custom_amount_refund_with_a_reason_is_an_order_level_refund() {
    let t = Twins::new(false).await;
    let marks = t.marks();
    let page = refund_through_pages(
        &t,
        &[("amount", "10.50"), ("reason", "Late delivery")],
        "payment",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let mut item = RefundItemRequest::amount(RefundItemType::Order, t.order, 1_050);
    item.reason = "Late delivery".into();
    t.twin
        .refund_items(STORE, t.order, vec![item], false)
        .unwrap();
    t.assert_same(marks);
    assert_eq!(page.one("order-status").attr("data-status-id"), "14");
    assert_eq!(page.one("refund-item").attr("data-item-type"), "ORDER");

    // The manual (custom) method and the rest of the order: Refunded.
    let marks = t.marks();
    let page = refund_through_pages(&t, &[("amount", "104.50")], "custom").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let quote = t
        .twin
        .refund_quote(
            STORE,
            t.order,
            &[RefundItemRequest::amount(
                RefundItemType::Order,
                t.order,
                10_450,
            )],
        )
        .unwrap();
    let custom = quote
        .refund_methods
        .iter()
        .find(|m| m.iter().all(|p| p.provider_id == "custom"))
        .unwrap();
    t.twin
        .refund(
            STORE,
            t.order,
            sandbox::bigcommerce::RefundRequest {
                items: vec![RefundItemRequest::amount(
                    RefundItemType::Order,
                    t.order,
                    10_450,
                )],
                payments: custom
                    .iter()
                    .map(|p| sandbox::bigcommerce::RefundPaymentRequest {
                        provider_id: p.provider_id.clone(),
                        amount_cents: p.amount_cents,
                        offline: p.offline,
                    })
                    .collect(),
                merchant_override: None,
                user_id: t.cp.ex.owner_id,
            },
        )
        .unwrap();
    t.assert_same(marks);
    assert_eq!(page.one("order-status").attr("data-status-id"), "4");
}

#[tokio::test]
async fn changing_the_status_and_cancelling_is_set_order_status() {
    let t = Twins::new(true).await;
    let form = t.open("order-action-status").await;
    let options = form.html.matches("data-status-id=").count();
    // 15 options, plus the badge.
    assert_eq!(options, 16);
    assert!(form.html.contains("value=\"11\" selected"));

    let marks = t.marks();
    let page = submit(&t.cp, &form, "status-form", &[("status_id", "9")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.one("cp-notice").text,
        format!("Order #{} is now Awaiting Shipment.", t.order)
    );
    t.twin.set_order_status(STORE, t.order, 9).unwrap();
    t.assert_same(marks);

    // Cancel.
    let form = t.open("order-action-status").await;
    let marks = t.marks();
    let page = submit(&t.cp, &form, "status-form", &[("status_id", "5")]).await;
    assert_eq!(page.status, StatusCode::OK);
    t.twin.cancel_order(STORE, t.order).unwrap();
    let events = t.assert_same(marks);
    assert_eq!(
        scopes(&events),
        ["store/order/statusUpdated", "store/order/updated"]
    );
    assert_eq!(events[0].1["status"]["previous_status_id"], 9);
    assert_eq!(events[0].1["status"]["new_status_id"], 5);
    assert_eq!(page.one("order-status").text, "Cancelled");
}

#[tokio::test]
async fn archiving_asks_first_then_hides_the_order_from_the_list() {
    let t = Twins::new(true).await;
    let confirm = t.open("order-action-archive").await;
    assert!(confirm.has("archive-warning"));
    // Opening the confirmation changes nothing.
    assert!(!t.cp.sim.order(STORE, t.order).unwrap().is_deleted);

    let marks = t.marks();
    let list = submit(&t.cp, &confirm, "archive-form", &[]).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert!(
        list.url
            .ends_with("/manage/orders?notice=Order+%23250+was+archived."),
        "{}",
        list.url
    );
    assert!(list.has("orders-empty"));
    t.twin.archive_order(STORE, t.order).unwrap();
    assert_eq!(scopes(&t.assert_same(marks)), ["store/order/archived"]);
    let page = t.order_page().await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("order-archived"));

    // Archiving again changes nothing and says it is done.
    let marks = t.marks();
    let again = t.open("order-action-archive").await;
    let list = submit(&t.cp, &again, "archive-form", &[]).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(events(&t.cp.sim, marks.0).is_empty());
}

#[tokio::test]
async fn forms_without_this_sessions_token_are_forbidden() {
    let t = Twins::new(true).await;
    let form = t.open("order-action-status").await;
    let good = token(&form);
    let before = t.state();
    let mark = t.cp.sim.mark();
    let posts = [
        (t.path(OrderAction::Edit), vec![("qty_301", "1")]),
        (
            t.path(OrderAction::Ship),
            vec![("order_address_id", "151"), ("qty_301", "1")],
        ),
        (
            format!("/manage/orders/{}/refund/quote", t.order),
            vec![("qty_301", "1")],
        ),
        (
            t.path(OrderAction::Refund),
            vec![("qty_301", "1"), ("method", "cod:2500")],
        ),
        (t.path(OrderAction::Status), vec![("status_id", "5")]),
        (t.path(OrderAction::Archive), vec![]),
    ];
    // Another session of the same user has another token.
    let other = browser();
    let url =
        t.cp.sim
            .control_panel_owner_order_url(STORE, t.order)
            .unwrap();
    assert_eq!(
        other.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let status_form =
        t.cp.sim
            .control_panel_order_action_url(STORE, t.order, OrderAction::Status);
    let other_page = Page::of(other.get(&status_form).send().await.unwrap()).await;
    let other_token = token(&other_page);
    assert_ne!(other_token, good);
    for (path, fields) in &posts {
        for bad in [
            None,
            Some(""),
            Some("00"),
            Some("zz"),
            Some(other_token.as_str()),
        ] {
            let mut all = fields.clone();
            if let Some(bad) = bad {
                all.push(("csrf_token", bad));
            }
            let page = t.cp.post(path, &all).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} {bad:?}");
            assert_eq!(page.one("error-message").attr("data-status"), "403");
        }
    }
    assert_eq!(t.state(), before);
    assert!(t.cp.sim.events_since(STORE, mark).is_empty());
    // Signing in again starts a new session: the old token no longer works.
    t.cp.sign_in_as_owner().await;
    let page =
        t.cp.post(
            &t.path(OrderAction::Status),
            &[("status_id", "5"), ("csrf_token", &good)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Signed out: the sign-in picker.
    let anonymous = browser();
    let response = anonymous
        .post(t.cp.url(&t.path(OrderAction::Status)))
        .form(&[("status_id", "5"), ("csrf_token", good.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // A session cookie without its session id is no session.
    let response = anonymous
        .get(t.cp.url("/manage/orders"))
        .header("cookie", format!("bc_cp_user={}", t.cp.ex.owner_id))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(t.state(), before);
}

/// A post to a path with fields, the status it gets and a part of the order page's error.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, StatusCode, &'a str);

#[tokio::test]
async fn bad_inputs_are_4xx_pages_and_change_nothing() {
    let t = Twins::new(false).await;
    let form = t.open("order-action-edit").await;
    let csrf = token(&form);
    let before = t.state();
    let mark = t.cp.sim.mark();
    let edit = t.path(OrderAction::Edit);
    let ship = t.path(OrderAction::Ship);
    let quote = format!("/manage/orders/{}/refund/quote", t.order);
    let refund = t.path(OrderAction::Refund);
    let status = t.path(OrderAction::Status);
    let cases: Vec<Case> = vec![
        // Edit order.
        (
            &edit,
            vec![("qty_999", "1")],
            StatusCode::BAD_REQUEST,
            "no order product 999",
        ),
        (
            &edit,
            vec![("qty_301", "-1")],
            StatusCode::BAD_REQUEST,
            "quantity must be between 0 and 1000000",
        ),
        (
            &edit,
            vec![("qty_301", "99999999")],
            StatusCode::BAD_REQUEST,
            "quantity must be between 0 and 1000000",
        ),
        (
            &edit,
            vec![("qty_301", "two")],
            StatusCode::BAD_REQUEST,
            "must be a whole number",
        ),
        (
            &edit,
            vec![("qty_x", "1")],
            StatusCode::BAD_REQUEST,
            "qty_x is not understood",
        ),
        (
            &edit,
            vec![("remove_999", "1")],
            StatusCode::BAD_REQUEST,
            "no order product 999",
        ),
        (
            &edit,
            vec![("add_product_id", "999")],
            StatusCode::BAD_REQUEST,
            "no product 999",
        ),
        (
            &edit,
            vec![("add_product_id", "shoes")],
            StatusCode::BAD_REQUEST,
            "Choose a product",
        ),
        (
            &edit,
            vec![("add_product_id", "77"), ("add_quantity", "0")],
            StatusCode::BAD_REQUEST,
            "quantity must be between 1",
        ),
        (
            &edit,
            vec![("shipping_999_city", "X")],
            StatusCode::BAD_REQUEST,
            "no address 999",
        ),
        (
            &edit,
            vec![("shipping_151_cost", "-5")],
            StatusCode::BAD_REQUEST,
            "must not be negative",
        ),
        (
            &edit,
            vec![("shipping_151_cost", "cheap")],
            StatusCode::BAD_REQUEST,
            "The shipping cost must be an amount",
        ),
        (
            &edit,
            vec![("discount", "1.234")],
            StatusCode::BAD_REQUEST,
            "The discount must be an amount",
        ),
        // Ship items.
        (
            &ship,
            vec![("qty_301", "1")],
            StatusCode::BAD_REQUEST,
            "Choose the shipping address",
        ),
        (
            &ship,
            vec![("order_address_id", "999"), ("qty_301", "1")],
            StatusCode::BAD_REQUEST,
            "no shipping address 999",
        ),
        (
            &ship,
            vec![("order_address_id", "151")],
            StatusCode::BAD_REQUEST,
            "items is required",
        ),
        (
            &ship,
            vec![("order_address_id", "151"), ("qty_301", "3")],
            StatusCode::BAD_REQUEST,
            "Only 2 of order product 301 are left to ship",
        ),
        (
            &ship,
            vec![("order_address_id", "151"), ("qty_301", "-1")],
            StatusCode::BAD_REQUEST,
            "between 1 and",
        ),
        (
            &ship,
            vec![("order_address_id", "151"), ("qty_999", "1")],
            StatusCode::BAD_REQUEST,
            "no product 999",
        ),
        (
            &ship,
            vec![
                ("order_address_id", "151"),
                ("qty_301", "1"),
                ("shipping_provider", "pigeon"),
            ],
            StatusCode::BAD_REQUEST,
            "not a valid shipping provider",
        ),
        // Refund: the quote step and the refund.
        (
            &quote,
            vec![],
            StatusCode::BAD_REQUEST,
            "At least one item is required.",
        ),
        (
            &quote,
            vec![("qty_301", "3")],
            StatusCode::BAD_REQUEST,
            "Only 2 of order product 301 are left to refund",
        ),
        (
            &quote,
            vec![("qty_301", "-1")],
            StatusCode::BAD_REQUEST,
            "between 1 and",
        ),
        (
            &quote,
            vec![("qty_999", "1")],
            StatusCode::BAD_REQUEST,
            "no product 999",
        ),
        (
            &quote,
            vec![("amount", "200")],
            StatusCode::BAD_REQUEST,
            "exceeds the refundable amount",
        ),
        (
            &quote,
            vec![("amount", "-5")],
            StatusCode::BAD_REQUEST,
            "amount must be positive",
        ),
        (
            &quote,
            vec![("amount", "lots")],
            StatusCode::BAD_REQUEST,
            "The refund amount must be an amount",
        ),
        (
            &quote,
            vec![("shipping_151", "6")],
            StatusCode::BAD_REQUEST,
            "exceeds the refundable amount",
        ),
        (
            &refund,
            vec![("qty_301", "1")],
            StatusCode::BAD_REQUEST,
            "Choose where the refund goes.",
        ),
        (
            &refund,
            vec![("qty_301", "1"), ("method", "cod")],
            StatusCode::BAD_REQUEST,
            "Choose where the refund goes.",
        ),
        (
            &refund,
            vec![("qty_301", "1"), ("method", "cod:100")],
            StatusCode::BAD_REQUEST,
            "do not match any refund method",
        ),
        // Change status.
        (
            &status,
            vec![],
            StatusCode::BAD_REQUEST,
            "Choose one of the order statuses.",
        ),
        (
            &status,
            vec![("status_id", "closed")],
            StatusCode::BAD_REQUEST,
            "Choose one of the order statuses.",
        ),
        (
            &status,
            vec![("status_id", "15")],
            StatusCode::BAD_REQUEST,
            "valid order status id",
        ),
        (
            &status,
            vec![("status_id", "-1")],
            StatusCode::BAD_REQUEST,
            "Choose one of the order statuses.",
        ),
    ];
    for (path, fields, expected, message) in cases {
        let mut all = fields.clone();
        all.push(("csrf_token", &csrf));
        let page = t.cp.post(path, &all).await;
        assert_eq!(page.status, expected, "{path} {fields:?}: {}", page.html);
        let error = page.one("order-error").text;
        assert!(error.contains(message), "{path} {fields:?}: {error}");
        // The order's page, with the order as it was.
        assert_eq!(
            page.one("order-title").attr("data-order-id"),
            t.order.to_string()
        );
    }
    assert_eq!(t.state(), before);
    assert!(t.cp.sim.events_since(STORE, mark).is_empty());

    // A guest's order: no store credit among the refund methods, and BigCommerce's 422
    // when it is asked for anyway.
    let checkout =
        t.cp.sim
            .create_checkout(STORE, example_checkout(&t.cp, None))
            .unwrap();
    let guest =
        t.cp.sim
            .place_order(
                STORE,
                &checkout,
                Placement::offline(OfflineMethod::example(), false),
            )
            .unwrap();
    let line = t.cp.sim.order(STORE, guest).unwrap().lines[0]
        .id
        .to_string();
    let qty = format!("qty_{line}");
    let quote =
        t.cp.post(
            &format!("/manage/orders/{guest}/refund/quote"),
            &[(qty.as_str(), "1"), ("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.html);
    assert!(!quote.html.contains("data-kind=\"store_credit\""));
    let mark = t.cp.sim.mark();
    let page =
        t.cp.post(
            &format!("/manage/orders/{guest}/refund"),
            &[
                (qty.as_str(), "1"),
                ("method", "storecredit:2500"),
                ("csrf_token", &csrf),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.one("order-error").text,
        "Unable to provide store credit for a guest customer."
    );
    assert!(t.cp.sim.events_since(STORE, mark).is_empty());

    // Unknown orders: 404 pages, for the forms and the posts.
    for action in OrderAction::ALL {
        for order in ["999999", "abc", "-1"] {
            let path = format!("/manage/orders/{order}/{}", action.segment());
            assert_eq!(
                t.cp.get(&path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
            let page = t.cp.post(&path, &[("csrf_token", &csrf)]).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.has("error-message"));
        }
    }
    assert_eq!(
        t.cp.get(&format!("/manage/orders/{}/ship?address=999", t.order))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Not a form at all.
    let response =
        t.cp.browser
            .post(t.cp.url(&status))
            .header("content-type", "application/json")
            .body("{\"status_id\": 5}")
            .send()
            .await
            .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response =
        t.cp.browser
            .post(t.cp.url(&status))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![0xff, 0xfe, b'=', 0x00])
            .send()
            .await
            .unwrap();
    assert!(response.status().is_client_error());
    assert_eq!(t.state(), before);
}

#[tokio::test]
async fn the_control_handle_gives_the_order_urls() {
    let t = Twins::new(true).await;
    let sim = &t.cp.sim;
    assert_eq!(
        sim.control_panel_order_url(STORE, t.order),
        format!("{}/cp/abc123/manage/orders/{}", t.cp.base, t.order)
    );
    assert_eq!(
        sim.control_panel_orders_url(STORE),
        format!("{}/cp/abc123/manage/orders", t.cp.base)
    );
    assert_eq!(
        sim.control_panel_order_action_url(STORE, t.order, OrderAction::Refund),
        format!("{}/cp/abc123/manage/orders/{}/refund", t.cp.base, t.order)
    );
    // Signed in as the staff user, straight onto the order.
    let staff = browser();
    let url = sim
        .control_panel_order_sign_in_url(STORE, t.cp.ex.staff_id, t.order)
        .unwrap();
    let page = Page::of(staff.get(&url).send().await.unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.one("cp-signed-in-user").attr("data-user-id"),
        t.cp.ex.staff_id.to_string()
    );
    assert_eq!(
        page.one("order-title").attr("data-order-id"),
        t.order.to_string()
    );
    assert!(
        sim.control_panel_order_sign_in_url(STORE, t.cp.ex.staff_id, 999_999)
            .is_err()
    );
    assert!(sim.control_panel_owner_order_url("nope", t.order).is_err());

    // The staff user's refund is recorded as theirs.
    let form = Page::of(
        staff
            .get(sim.control_panel_order_action_url(STORE, t.order, OrderAction::Refund))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = token(&form);
    let response = staff
        .post(format!(
            "{}/manage/orders/{}/refund",
            sim.control_panel_url(STORE),
            t.order
        ))
        .form(&[
            ("csrf_token", token.as_str()),
            ("qty_302", "1"),
            ("method", "cod:6000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(sim.refunds(STORE, t.order)[0].user_id, t.cp.ex.staff_id);
}

#[tokio::test]
async fn the_pages_and_the_rest_api_change_the_order_alike() {
    // The twin here is served and changed through the REST API, as an app would.
    let t = Twins::new(true).await;
    let api = crate::bigcommerce::Harness::new().await;
    assert_eq!(place(&api.sim, &api.ex.checkout_id, true), t.order);
    let order = t.order;
    let same = |marks: (u64, u64)| {
        let mut ours = t.state();
        let mut theirs = state_of(&api.sim, order, api.ex.customer_id);
        // API refunds have no control-panel user.
        for refund in ours.refunds.iter_mut().chain(theirs.refunds.iter_mut()) {
            refund.user_id = 0;
        }
        assert_eq!(ours, theirs);
        let ours = events(&t.cp.sim, marks.0);
        assert_eq!(ours, events(&api.sim, marks.1));
        ours
    };

    // Ship items ≡ POST /v2/orders/{id}/shipments.
    let form = t.open("order-action-ship").await;
    let marks = (t.cp.sim.mark(), api.sim.mark());
    let page = submit(
        &t.cp,
        &form,
        "ship-form",
        &[
            ("order_address_id", "151"),
            ("qty_301", "2"),
            ("qty_302", "0"),
            ("tracking_number", "EJ958083578ES"),
            ("shipping_provider", "ups"),
            ("tracking_link", "https://track.example/EJ958083578ES"),
            ("comments", "Parcel 1 of 2"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let reply = api
        .post(
            &format!("/v2/orders/{order}/shipments"),
            serde_json::json!({
                "order_address_id": 151,
                "tracking_number": "EJ958083578ES",
                "shipping_provider": "ups",
                "tracking_link": "https://track.example/EJ958083578ES",
                "comments": "Parcel 1 of 2",
                "items": [{"order_product_id": 301, "quantity": 2}]
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    same(marks);

    // Refund ≡ refund quote, then POST …/payment_actions/refunds with its first method.
    let marks = (t.cp.sim.mark(), api.sim.mark());
    let page = refund_through_pages(&t, &[("qty_302", "1")], "payment").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let items = serde_json::json!([{"item_type": "PRODUCT", "item_id": 302, "quantity": 1}]);
    let quote = api
        .post(
            &format!("/v3/orders/{order}/payment_actions/refund_quotes"),
            serde_json::json!({"items": items}),
        )
        .await;
    assert_eq!(quote.status, StatusCode::CREATED, "{}", quote.raw);
    let payments: Vec<Value> = quote.body["data"]["refund_methods"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            serde_json::json!({
                "provider_id": m["provider_id"],
                "amount": m["amount"],
                "offline": m["offline"]
            })
        })
        .collect();
    let reply = api
        .post(
            &format!("/v3/orders/{order}/payment_actions/refunds"),
            serde_json::json!({"items": items, "payments": payments}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    same(marks);

    // Change status to Cancelled ≡ PUT /v2/orders/{id} {"status_id": 5}.
    let form = t.open("order-action-status").await;
    let marks = (t.cp.sim.mark(), api.sim.mark());
    let page = submit(&t.cp, &form, "status-form", &[("status_id", "5")]).await;
    assert_eq!(page.status, StatusCode::OK);
    let reply = api
        .put(
            &format!("/v2/orders/{order}"),
            serde_json::json!({"status_id": 5}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    same(marks);

    // Archive ≡ DELETE /v2/orders/{id}.
    let form = t.open("order-action-archive").await;
    let marks = (t.cp.sim.mark(), api.sim.mark());
    submit(&t.cp, &form, "archive-form", &[]).await;
    let reply = api.delete(&format!("/v2/orders/{order}")).await;
    assert!(reply.status.is_success(), "{}", reply.raw);
    assert_eq!(scopes(&same(marks)), ["store/order/archived"]);
}
