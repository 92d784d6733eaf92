//! Request bodies, parsed from JSON into the simulator's own types (written from the
//! contract, §1.6–§1.8) and validated. Every problem becomes a message; nothing here
//! can panic on input.
//!
//! Malformed JSON is a 400 (SeQura's real answer is undocumented); everything that is
//! JSON but not a valid order is a 409 with `{"errors":["Invalid data: ..."]}`, one
//! entry per problem, like SeQura's observed answers.

use std::fmt::Display;

use serde_json::{Map, Value};

/// Why a body was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Invalid {
    /// Not JSON at all (400).
    Malformed(String),
    /// JSON, but not acceptable (409); each entry starts with `Invalid data: `.
    Data(Vec<String>),
}

/// A cart (`cart`, `shipped_cart`, `unshipped_cart`, `remaining_cart`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cart {
    pub currency: String,
    pub order_total_with_tax: i64,
    pub items: Vec<CartItem>,
    /// The cart as sent.
    pub raw: Value,
}

impl Cart {
    pub fn empty(currency: &str) -> Self {
        Self {
            currency: currency.to_owned(),
            order_total_with_tax: 0,
            items: Vec::new(),
            raw: serde_json::json!({"currency": currency, "gift": false, "order_total_with_tax": 0, "items": []}),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.order_total_with_tax == 0
    }

    /// Ordered quantity per product key (see [`CartItem::product_key`]).
    pub fn product_quantities(&self) -> Vec<(String, i64)> {
        let mut quantities: Vec<(String, i64)> = Vec::new();
        for item in &self.items {
            let Some(key) = item.product_key() else {
                continue;
            };
            let quantity = item.quantity.unwrap_or(0);
            match quantities.iter_mut().find(|(k, _)| *k == key) {
                Some((_, q)) => *q = q.saturating_add(quantity),
                None => quantities.push((key, quantity)),
            }
        }
        quantities
    }
}

/// One cart line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartItem {
    /// `product`, `service`, `registration`, `handling`, `invoice_fee`, `discount`,
    /// `other_payment` (a missing `type` is `product`).
    pub kind: String,
    pub reference: String,
    pub name: String,
    pub quantity: Option<i64>,
    pub price_with_tax: Option<i64>,
    pub total_with_tax: i64,
}

impl CartItem {
    /// Products and services are matched across carts by reference (by name when the
    /// reference is empty); other lines have no quantity to compare.
    pub fn product_key(&self) -> Option<String> {
        if self.kind != "product" && self.kind != "service" {
            return None;
        }
        Some(if self.reference.is_empty() {
            format!("name:{}", self.name)
        } else {
            self.reference.clone()
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantReference {
    pub order_ref_1: String,
    pub order_ref_2: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventsWebhook {
    pub url: String,
    pub parameters: Vec<(String, String)>,
}

/// `order.merchant`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantBlock {
    pub id: String,
    pub notify_url: Option<String>,
    pub notification_parameters: Vec<(String, String)>,
    pub return_url: Option<String>,
    pub approved_callback: Option<String>,
    pub rejected_callback: Option<String>,
    pub events_webhook: Option<EventsWebhook>,
}

/// The body of `POST orders` and `PUT orders/{uuid}`.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderPayload {
    pub state: String,
    pub merchant: MerchantBlock,
    pub merchant_reference: Option<MerchantReference>,
    pub cart: Cart,
    pub delivery_address: Value,
    pub invoice_address: Value,
    pub customer: Value,
    /// The whole `order` object as sent.
    pub raw: Value,
}

/// Which endpoint an order body is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderCall {
    /// `POST orders`: state `""` (or absent), `merchant.notify_url` required.
    Solicit,
    /// `PUT orders/{uuid}`: state `confirmed` or `on_hold`.
    Acknowledge,
}

/// The body of `PUT merchants/{m}/orders/{ref1}`.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdatePayload {
    pub merchant_id: String,
    pub merchant_reference: Option<MerchantReference>,
    pub unshipped_cart: Cart,
    pub shipped_cart: Cart,
    pub delivery_address: Option<Value>,
    pub invoice_address: Option<Value>,
    pub raw: Value,
}

/// The body of `POST orders/delivery_reports`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryReport {
    pub merchant_id: String,
    /// `(state, order_ref_1)` per reported order.
    pub orders: Vec<(String, Option<String>)>,
    pub raw: Value,
}

pub fn parse_json(body: &[u8]) -> Result<Value, Invalid> {
    serde_json::from_slice(body).map_err(|err| Invalid::Malformed(format!("Malformed JSON: {err}")))
}

/// Collects problems; every accessor returns `None` after recording one.
struct Check {
    errors: Vec<String>,
}

type Obj = Map<String, Value>;

impl Check {
    fn new() -> Self {
        Self { errors: Vec::new() }
    }

    fn fail(&mut self, path: &str, problem: impl Display) {
        self.errors.push(format!("Invalid data: {path} {problem}"));
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Invalid> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ if self.errors.is_empty() => Err(Invalid::Data(vec![
                "Invalid data: the request could not be understood".to_owned(),
            ])),
            _ => Err(Invalid::Data(self.errors)),
        }
    }

    fn object<'a>(&mut self, parent: &'a Obj, key: &str, path: &str) -> Option<&'a Obj> {
        match parent.get(key) {
            Some(Value::Object(object)) => Some(object),
            None | Some(Value::Null) => {
                self.fail(&join(path, key), "is missing");
                None
            }
            Some(_) => {
                self.fail(&join(path, key), "must be an object");
                None
            }
        }
    }

    fn opt_object<'a>(&mut self, parent: &'a Obj, key: &str, path: &str) -> Option<&'a Obj> {
        match parent.get(key) {
            None | Some(Value::Null) => None,
            Some(_) => self.object(parent, key, path),
        }
    }

    fn string(&mut self, parent: &Obj, key: &str, path: &str) -> Option<String> {
        match parent.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => {
                self.fail(&join(path, key), "is missing");
                None
            }
            Some(_) => {
                self.fail(&join(path, key), "must be a string");
                None
            }
        }
    }

    fn non_empty(&mut self, parent: &Obj, key: &str, path: &str) -> Option<String> {
        let value = self.string(parent, key, path)?;
        if value.trim().is_empty() {
            self.fail(&join(path, key), "must not be empty");
            return None;
        }
        Some(value)
    }

    fn opt_string(&mut self, parent: &Obj, key: &str, path: &str) -> Option<String> {
        match parent.get(key) {
            None | Some(Value::Null) => None,
            Some(_) => self.string(parent, key, path),
        }
    }

    /// A string or an integer (references may be either), as a string.
    fn reference(&mut self, parent: &Obj, key: &str, path: &str) -> Option<String> {
        match parent.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Some(n.to_string()),
            None | Some(Value::Null) => {
                self.fail(&join(path, key), "is missing");
                None
            }
            Some(_) => {
                self.fail(&join(path, key), "must be a string or an integer");
                None
            }
        }
    }

    fn int(&mut self, parent: &Obj, key: &str, path: &str) -> Option<i64> {
        match parent.get(key) {
            Some(Value::Number(n)) => match n.as_i64() {
                Some(value) => Some(value),
                None => {
                    self.fail(&join(path, key), "must be an integer number of cents");
                    None
                }
            },
            None | Some(Value::Null) => {
                self.fail(&join(path, key), "is missing");
                None
            }
            Some(_) => {
                self.fail(&join(path, key), "must be an integer");
                None
            }
        }
    }

    fn opt_bool(&mut self, parent: &Obj, key: &str, path: &str) {
        match parent.get(key) {
            None | Some(Value::Null | Value::Bool(_)) => {}
            Some(_) => self.fail(&join(path, key), "must be true or false"),
        }
    }

    fn url(&mut self, parent: &Obj, key: &str, path: &str, required: bool) -> Option<String> {
        let value = if required {
            self.string(parent, key, path)?
        } else {
            self.opt_string(parent, key, path)?
        };
        match url::Url::parse(&value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Some(value)
            }
            _ => {
                self.fail(&join(path, key), format!("is not a valid URL: '{value}'"));
                None
            }
        }
    }

    /// A map of strings (numbers and booleans are taken as their text; nulls are
    /// skipped, as the core omits null keys).
    fn string_map(&mut self, parent: &Obj, key: &str, path: &str) -> Vec<(String, String)> {
        let Some(map) = self.opt_object(parent, key, path) else {
            return Vec::new();
        };
        let path = join(path, key);
        let mut out = Vec::new();
        for (name, value) in map {
            match value {
                Value::String(s) => out.push((name.clone(), s.clone())),
                Value::Number(n) => out.push((name.clone(), n.to_string())),
                Value::Bool(b) => out.push((name.clone(), b.to_string())),
                Value::Null => {}
                _ => self.fail(&join(&path, name), "must be a string"),
            }
        }
        out
    }

    fn merchant(&mut self, order: &Obj, call: Option<OrderCall>) -> Option<MerchantBlock> {
        let merchant = self.object(order, "merchant", "order")?;
        let path = "order.merchant";
        let id = self.non_empty(merchant, "id", path);
        let full = call == Some(OrderCall::Solicit);
        let notify_url = if full {
            self.url(merchant, "notify_url", path, true)
        } else {
            self.url(merchant, "notify_url", path, false)
        };
        let notification_parameters = self.string_map(merchant, "notification_parameters", path);
        let return_url = self.url(merchant, "return_url", path, false);
        for key in ["edit_url", "abort_url", "approved_url"] {
            self.url(merchant, key, path, false);
        }
        let approved_callback = self.opt_string(merchant, "approved_callback", path);
        let rejected_callback = self.opt_string(merchant, "rejected_callback", path);
        let events_webhook = match self.opt_object(merchant, "events_webhook", path) {
            Some(hook) => {
                let hook_path = join(path, "events_webhook");
                let url = self.url(hook, "url", &hook_path, true);
                let parameters = self.string_map(hook, "parameters", &hook_path);
                url.map(|url| EventsWebhook { url, parameters })
            }
            None => None,
        };
        self.opt_object(merchant, "options", path);
        Some(MerchantBlock {
            id: id?,
            notify_url,
            notification_parameters,
            return_url,
            approved_callback,
            rejected_callback,
            events_webhook,
        })
    }

    fn merchant_reference(&mut self, order: &Obj) -> Option<MerchantReference> {
        let reference = self.opt_object(order, "merchant_reference", "order")?;
        let path = "order.merchant_reference";
        let order_ref_1 = match reference.get("order_ref_1") {
            None | Some(Value::Null) => None,
            Some(_) => self.reference(reference, "order_ref_1", path),
        };
        let order_ref_2 = match reference.get("order_ref_2") {
            None | Some(Value::Null) => None,
            Some(_) => self.reference(reference, "order_ref_2", path),
        };
        let order_ref_1 = order_ref_1.filter(|r| !r.is_empty())?;
        Some(MerchantReference {
            order_ref_1,
            order_ref_2,
        })
    }

    /// A cart; `label` prefixes the sum message (empty for `order.cart`, whose message
    /// is SeQura's observed one, verbatim).
    fn cart(&mut self, value: &Value, path: &str, label: &str) -> Option<Cart> {
        let Value::Object(cart) = value else {
            self.fail(path, "must be an object");
            return None;
        };
        let currency = self.string(cart, "currency", path);
        if let Some(currency) = &currency
            && currency != "EUR"
        {
            self.fail(
                &join(path, "currency"),
                format!("'{currency}' is not supported (only EUR)"),
            );
        }
        self.opt_bool(cart, "gift", path);
        let total = self.int(cart, "order_total_with_tax", path);
        if let Some(total) = total
            && total < 0
        {
            self.fail(&join(path, "order_total_with_tax"), "must not be negative");
        }
        let items_path = join(path, "items");
        let items = match cart.get("items") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| self.item(item, &format!("{items_path}[{index}]")))
                .collect::<Vec<_>>(),
            None | Some(Value::Null) => {
                self.fail(&items_path, "is missing");
                return None;
            }
            Some(_) => {
                self.fail(&items_path, "must be an array");
                return None;
            }
        };
        let items: Vec<CartItem> = items.into_iter().collect::<Option<_>>()?;
        let total = total?;
        let sum: i128 = items.iter().map(|i| i128::from(i.total_with_tax)).sum();
        if sum != i128::from(total) {
            let terms: Vec<String> = items.iter().map(|i| i.total_with_tax.to_string()).collect();
            self.errors.push(format!(
                "Invalid data: {label}items' total_with_tax add up to {sum} ({}) but order_total_with_tax is {total}. The diff is {}.",
                terms.join("+"),
                i128::from(total) - sum
            ));
            return None;
        }
        Some(Cart {
            currency: currency?,
            order_total_with_tax: total,
            items,
            raw: value.clone(),
        })
    }

    fn item(&mut self, value: &Value, path: &str) -> Option<CartItem> {
        let Value::Object(item) = value else {
            self.fail(path, "must be an object");
            return None;
        };
        let kind = match item.get("type") {
            None | Some(Value::Null) => "product".to_owned(),
            Some(_) => self.string(item, "type", path)?,
        };
        let total = self.int(item, "total_with_tax", path);
        let (reference, name, quantity, price) = match kind.as_str() {
            "product" | "service" => {
                let reference = self.reference(item, "reference", path);
                let name = self.string(item, "name", path);
                let quantity = self.int(item, "quantity", path);
                let price = self.int(item, "price_with_tax", path);
                let minimum = if kind == "product" { 1 } else { 0 };
                if let Some(q) = quantity
                    && q < minimum
                {
                    self.fail(
                        &join(path, "quantity"),
                        format!("must be at least {minimum}"),
                    );
                }
                if let Some(p) = price
                    && p < 0
                {
                    self.fail(&join(path, "price_with_tax"), "must not be negative");
                }
                self.opt_bool(item, "downloadable", path);
                if kind == "service" {
                    // §1.6: exactly one of `ends_on` (ISO date) / `ends_in` (ISO duration).
                    let ends_on = self.opt_string(item, "ends_on", path);
                    let ends_in = self.opt_string(item, "ends_in", path);
                    if ends_on.is_some() == ends_in.is_some() {
                        self.fail(path, "needs exactly one of ends_on and ends_in");
                    }
                }
                (reference?, name?, quantity, price)
            }
            "registration" | "handling" | "discount" | "other_payment" => {
                let reference = self.reference(item, "reference", path);
                let name = self.string(item, "name", path);
                (reference?, name?, None, None)
            }
            "invoice_fee" => (String::new(), String::new(), None, None),
            other => {
                self.fail(
                    &join(path, "type"),
                    format!("'{other}' is not a known item type"),
                );
                return None;
            }
        };
        let total = total?;
        let negative = matches!(kind.as_str(), "discount" | "other_payment");
        if negative && total > 0 {
            self.fail(&join(path, "total_with_tax"), "must not be positive");
        } else if !negative && total < 0 {
            self.fail(&join(path, "total_with_tax"), "must not be negative");
        }
        Some(CartItem {
            kind,
            reference,
            name,
            quantity,
            price_with_tax: price,
            total_with_tax: total,
        })
    }

    fn address(&mut self, order: &Obj, key: &str, required: bool) -> Option<Value> {
        let address = if required {
            self.object(order, key, "order")?
        } else {
            self.opt_object(order, key, "order")?
        };
        let path = join("order", key);
        for field in ["address_line_1", "postal_code", "city"] {
            self.non_empty(address, field, &path);
        }
        // Required, but may be "" (§1.6).
        for field in ["company", "address_line_2"] {
            self.string(address, field, &path);
        }
        if let Some(country) = self.string(address, "country_code", &path)
            && !(country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()))
        {
            self.fail(
                &join(&path, "country_code"),
                format!("'{country}' is not an ISO-3166 alpha-2 code"),
            );
        }
        for field in ["given_names", "surnames", "phone", "mobile_phone", "state"] {
            self.opt_string(address, field, &path);
        }
        Some(Value::Object(address.clone()))
    }

    fn customer(&mut self, order: &Obj) -> Option<Value> {
        let customer = self.object(order, "customer", "order")?;
        let path = "order.customer";
        self.non_empty(customer, "email", path);
        for field in ["language_code", "ip_number", "user_agent"] {
            self.string(customer, field, path);
        }
        match customer.get("logged_in") {
            None | Some(Value::Null | Value::Bool(_)) => {}
            Some(Value::String(s)) if s == "unknown" => {}
            Some(_) => self.fail(
                &join(path, "logged_in"),
                "must be true, false or \"unknown\"",
            ),
        }
        for field in ["given_names", "surnames", "date_of_birth", "nin"] {
            self.opt_string(customer, field, path);
        }
        Some(Value::Object(customer.clone()))
    }

    fn blocks(&mut self, order: &Obj) {
        if let Some(method) = self.object(order, "delivery_method", "order") {
            self.string(method, "name", "order.delivery_method");
            self.opt_bool(method, "home_delivery", "order.delivery_method");
        }
        if let Some(gui) = self.object(order, "gui", "order")
            && let Some(layout) = self.string(gui, "layout", "order.gui")
            && layout != "desktop"
            && layout != "smartphone"
        {
            self.fail(
                "order.gui.layout",
                format!("'{layout}' must be desktop or smartphone"),
            );
        }
        self.platform(order);
    }

    fn platform(&mut self, order: &Obj) {
        if let Some(platform) = self.object(order, "platform", "order") {
            for field in ["name", "version", "uname", "db_name", "db_version"] {
                self.string(platform, field, "order.platform");
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn order_object(root: &Value, wrapper: &str) -> Result<Obj, Invalid> {
    match root.get(wrapper) {
        Some(Value::Object(order)) => Ok(order.clone()),
        _ => Err(Invalid::Data(vec![format!(
            "Invalid data: {wrapper} is missing or not an object"
        )])),
    }
}

/// `{"order": {...}}` of `POST orders` / `PUT orders/{uuid}`.
pub fn order(root: &Value, call: OrderCall) -> Result<OrderPayload, Invalid> {
    let order = order_object(root, "order")?;
    let mut check = Check::new();
    let state = match order.get("state") {
        None | Some(Value::Null) => String::new(),
        Some(_) => check.string(&order, "state", "order").unwrap_or_default(),
    };
    match call {
        OrderCall::Solicit if !state.is_empty() => {
            check.fail(
                "order.state",
                format!("must be empty at solicitation, not '{state}'"),
            );
        }
        OrderCall::Acknowledge if state != "confirmed" && state != "on_hold" => {
            check.fail(
                "order.state",
                format!("'{state}' must be confirmed or on_hold"),
            );
        }
        _ => {}
    }
    let merchant = check.merchant(&order, Some(call));
    let merchant_reference = check.merchant_reference(&order);
    let cart = match order.get("cart") {
        None | Some(Value::Null) => {
            check.fail("order.cart", "is missing");
            None
        }
        Some(cart) => check.cart(cart, "order.cart", ""),
    };
    let delivery_address = check.address(&order, "delivery_address", true);
    let invoice_address = check.address(&order, "invoice_address", true);
    let customer = check.customer(&order);
    check.blocks(&order);
    let parsed = (|| {
        Some(OrderPayload {
            state: state.clone(),
            merchant: merchant?,
            merchant_reference,
            cart: cart?,
            delivery_address: delivery_address?,
            invoice_address: invoice_address?,
            customer: customer?,
            raw: Value::Object(order.clone()),
        })
    })();
    check.finish(parsed)
}

/// `{"order": {...}}` of `PUT merchants/{m}/orders/{ref1}`.
pub fn update(root: &Value) -> Result<UpdatePayload, Invalid> {
    let order = order_object(root, "order")?;
    let mut check = Check::new();
    let merchant_id = check
        .object(&order, "merchant", "order")
        .and_then(|merchant| check_merchant_id(&mut check, merchant));
    let merchant_reference = check.merchant_reference(&order);
    let cart = |key: &str, check: &mut Check| match order.get(key) {
        None | Some(Value::Null) => {
            check.fail(&join("order", key), "is missing");
            None
        }
        Some(cart) => check.cart(cart, &join("order", key), &format!("{key}: ")),
    };
    let unshipped_cart = cart("unshipped_cart", &mut check);
    let shipped_cart = cart("shipped_cart", &mut check);
    let delivery_address = check.address(&order, "delivery_address", false);
    let invoice_address = check.address(&order, "invoice_address", false);
    if order.contains_key("customer") {
        check.customer(&order);
    }
    check.platform(&order);
    let parsed = (|| {
        Some(UpdatePayload {
            merchant_id: merchant_id?,
            merchant_reference,
            unshipped_cart: unshipped_cart?,
            shipped_cart: shipped_cart?,
            delivery_address,
            invoice_address,
            raw: Value::Object(order.clone()),
        })
    })();
    check.finish(parsed)
}

fn check_merchant_id(check: &mut Check, merchant: &Obj) -> Option<String> {
    check.non_empty(merchant, "id", "order.merchant")
}

/// `{"delivery_report": {...}}`.
pub fn delivery_report(root: &Value) -> Result<DeliveryReport, Invalid> {
    let report = order_object(root, "delivery_report")?;
    let mut check = Check::new();
    let merchant_id = check
        .object(&report, "merchant", "delivery_report")
        .and_then(|merchant| check.non_empty(merchant, "id", "delivery_report.merchant"));
    let mut orders = Vec::new();
    match report.get("orders") {
        Some(Value::Array(list)) => {
            for (index, entry) in list.iter().enumerate() {
                let path = format!("delivery_report.orders[{index}]");
                let Value::Object(entry) = entry else {
                    check.fail(&path, "must be an object");
                    continue;
                };
                let state = check.string(entry, "state", &path);
                if let Some(state) = &state
                    && state != "shipped"
                    && state != "delivered"
                {
                    check.fail(
                        &join(&path, "state"),
                        format!("'{state}' must be shipped or delivered"),
                    );
                }
                let reference = check
                    .object(entry, "merchant_reference", &path)
                    .and_then(|r| {
                        check.reference(r, "order_ref_1", &join(&path, "merchant_reference"))
                    });
                if let Some(cart) = entry.get("cart") {
                    check.cart(cart, &join(&path, "cart"), "cart: ");
                }
                if let Some(state) = state {
                    orders.push((state, reference));
                }
            }
        }
        None | Some(Value::Null) => check.fail("delivery_report.orders", "is missing"),
        Some(_) => check.fail("delivery_report.orders", "must be an array"),
    }
    if report.contains_key("platform") {
        if let Some(platform) = check.object(&report, "platform", "delivery_report") {
            for field in ["name", "version"] {
                check.string(platform, field, "delivery_report.platform");
            }
        }
    } else {
        check.fail("delivery_report.platform", "is missing");
    }
    let parsed = merchant_id.map(|merchant_id| DeliveryReport {
        merchant_id,
        orders,
        raw: Value::Object(report.clone()),
    });
    check.finish(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cart(items: Value, total: i64) -> Value {
        json!({"currency": "EUR", "gift": false, "order_total_with_tax": total, "items": items})
    }

    #[test]
    fn sum_message_is_sequras_verbatim() {
        let items = json!([
            {"type": "product", "reference": "a", "name": "A", "price_with_tax": 200, "quantity": 1, "total_with_tax": 200, "downloadable": false},
            {"type": "handling", "reference": "ship", "name": "Ship", "total_with_tax": 295},
            {"type": "discount", "reference": "d", "name": "D", "total_with_tax": -1500},
            {"type": "product", "reference": "b", "name": "B", "price_with_tax": 6060, "quantity": 1, "total_with_tax": 6060, "downloadable": false},
        ]);
        let mut check = Check::new();
        assert!(check.cart(&cart(items, 5097), "order.cart", "").is_none());
        assert_eq!(
            check.errors,
            vec![
                "Invalid data: items' total_with_tax add up to 5055 (200+295+-1500+6060) but order_total_with_tax is 5097. The diff is 42."
            ]
        );
    }

    #[test]
    fn a_service_has_exactly_one_end() {
        let service = |ends: Value| {
            let mut item = json!({"type": "service", "reference": "w", "name": "W", "price_with_tax": 100, "quantity": 1, "total_with_tax": 100, "downloadable": false});
            if let (Some(item), Value::Object(ends)) = (item.as_object_mut(), ends) {
                item.extend(ends);
            }
            let mut check = Check::new();
            let parsed = check.item(&item, "i");
            (parsed.is_some(), check.errors)
        };
        assert_eq!(service(json!({"ends_on": "2027-06-30"})), (true, vec![]));
        assert_eq!(service(json!({"ends_in": "P1Y"})), (true, vec![]));
        let refused = (
            true,
            vec!["Invalid data: i needs exactly one of ends_on and ends_in".to_owned()],
        );
        assert_eq!(service(json!({})), refused);
        assert_eq!(
            service(json!({"ends_on": "2027-06-30", "ends_in": "P1Y"})),
            refused
        );
    }

    #[test]
    fn huge_and_odd_numbers_are_refused_not_panicked_on() {
        let items = json!([
            {"type": "product", "reference": "a", "name": "A", "price_with_tax": 1, "quantity": 1, "total_with_tax": i64::MAX},
            {"type": "product", "reference": "b", "name": "B", "price_with_tax": 1, "quantity": 1, "total_with_tax": i64::MAX},
        ]);
        let mut check = Check::new();
        assert!(check.cart(&cart(items, -2), "c", "").is_none());
        let items =
            json!([{"type": "handling", "reference": "s", "name": "S", "total_with_tax": 1.5}]);
        let mut check = Check::new();
        assert!(
            check
                .cart(&cart(items, 18_446_744_073_709_551_615_u64 as i64), "c", "")
                .is_none()
        );
        assert!(!check.errors.is_empty());
    }
}
