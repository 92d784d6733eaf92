//! Incoming webhook deliveries (platform spec §5.3): the envelope and a typed `data` per
//! scope. Parsing never panics: a body that is not an envelope, or a known scope whose
//! `data` lacks its ids, is an error; an unknown scope is kept as [`WebhookData::Other`]
//! with its raw `data`.
//!
//! The payload is not signed: authenticate the delivery (custom header secret, `producer`)
//! before trusting it, and re-fetch the resource instead of trusting anything but ids.

use serde::Deserialize;
use serde_json::Value;

use crate::client::{InvalidStoreHash, StoreHash};
use crate::de;

/// One delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookPayload {
    /// e.g. `store/order/statusUpdated`.
    pub scope: String,
    /// The numeric store id as a string (not the hash).
    pub store_id: String,
    pub data: WebhookData,
    /// SHA-1 of `data`: identical for re-deliveries, but also for two different updates of
    /// the same order; never deduplicate on it alone.
    pub hash: String,
    /// Unix seconds.
    pub created_at: i64,
    /// `stores/{hash}`.
    pub producer: String,
}

/// `data`, by scope.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookData {
    /// `store/order/created`.
    OrderCreated { order_id: u64 },
    /// `store/order/updated` (any change, including our own writes).
    OrderUpdated { order_id: u64 },
    /// `store/order/archived`.
    OrderArchived { order_id: u64 },
    /// `store/order/statusUpdated`.
    OrderStatusUpdated {
        order_id: u64,
        previous_status_id: u32,
        new_status_id: u32,
    },
    /// `store/order/refund/created`.
    OrderRefundCreated { order_id: u64, refund_id: u64 },
    /// `store/order/message/created`.
    OrderMessageCreated { order_id: u64, message_id: u64 },
    /// `store/order/transaction/created` and `…/updated`.
    OrderTransaction(TransactionEventData),
    /// `store/shipment/created`.
    ShipmentCreated { shipment_id: u64, order_id: u64 },
    /// `store/shipment/updated`.
    ShipmentUpdated { shipment_id: u64, order_id: u64 },
    /// `store/shipment/deleted`.
    ShipmentDeleted { shipment_id: u64, order_id: u64 },
    /// `store/cart/converted`: the cart (= checkout) id and the order it became.
    CartConverted { cart_id: String, order_id: u64 },
    /// `store/app/uninstalled`: the store itself was cancelled.
    AppUninstalled,
    /// `store/hook/deliveryException`: 90001 will retry, 90002 hook disabled, 90003 domain
    /// blocked.
    HookDeliveryException {
        hook_id: u64,
        error_code: u64,
        message: String,
    },
    /// Any other scope, `data` as received.
    Other(Value),
}

/// `data` of `store/order/transaction/*` (ids are strings there).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TransactionEventData {
    #[serde(deserialize_with = "de::text")]
    pub order_id: String,
    #[serde(deserialize_with = "de::text")]
    pub transaction_id: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub transaction_status: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub transaction_type: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub platform_transaction_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub provider_transaction_id: Option<String>,
}

/// Why a body is not a webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a BigCommerce webhook payload: {0}")]
pub struct WebhookParseError(String);

/// Longest reason kept: serde quotes the offending value whole (a 64 KiB string with its
/// control characters escaped), and the reason ends up in a response and a log line.
const MAX_REASON: usize = 200;

impl WebhookParseError {
    fn new(reason: String) -> Self {
        if reason.chars().count() <= MAX_REASON {
            WebhookParseError(reason)
        } else {
            let mut cut: String = reason.chars().take(MAX_REASON).collect();
            cut.push('…');
            WebhookParseError(cut)
        }
    }
}

#[derive(Deserialize)]
struct RawPayload {
    scope: String,
    #[serde(deserialize_with = "de::text")]
    store_id: String,
    #[serde(default)]
    data: Value,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    hash: String,
    #[serde(deserialize_with = "de::int")]
    created_at: i64,
    producer: String,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(deserialize_with = "de::uint")]
    id: u64,
}

#[derive(Deserialize)]
struct StatusData {
    #[serde(deserialize_with = "de::uint")]
    id: u64,
    status: StatusChange,
}

#[derive(Deserialize)]
struct StatusChange {
    #[serde(deserialize_with = "de::uint32")]
    previous_status_id: u32,
    #[serde(deserialize_with = "de::uint32")]
    new_status_id: u32,
}

#[derive(Deserialize)]
struct RefundData {
    #[serde(deserialize_with = "de::uint")]
    id: u64,
    refund: RefundRef,
}

#[derive(Deserialize)]
struct RefundRef {
    #[serde(deserialize_with = "de::uint")]
    refund_id: u64,
}

#[derive(Deserialize)]
struct MessageData {
    #[serde(deserialize_with = "de::uint")]
    id: u64,
    message: MessageRef,
}

#[derive(Deserialize)]
struct MessageRef {
    #[serde(deserialize_with = "de::uint")]
    order_message_id: u64,
}

#[derive(Deserialize)]
struct ShipmentData {
    #[serde(deserialize_with = "de::uint")]
    id: u64,
    #[serde(rename = "orderId", deserialize_with = "de::uint")]
    order_id: u64,
}

#[derive(Deserialize)]
struct CartConvertedData {
    #[serde(deserialize_with = "de::text")]
    id: String,
    #[serde(rename = "orderId", deserialize_with = "de::uint")]
    order_id: u64,
}

#[derive(Deserialize)]
struct DeliveryExceptionData {
    #[serde(deserialize_with = "de::uint")]
    id: u64,
    #[serde(deserialize_with = "de::uint")]
    error_code: u64,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    message: String,
}

fn typed<T: serde::de::DeserializeOwned>(scope: &str, data: Value) -> Result<T, WebhookParseError> {
    serde_json::from_value(data).map_err(|e| WebhookParseError::new(format!("{scope} data: {e}")))
}

impl WebhookData {
    fn from_scope(scope: &str, data: Value) -> Result<WebhookData, WebhookParseError> {
        let order = |data| typed::<IdOnly>(scope, data).map(|d| d.id);
        let shipment = |data| typed::<ShipmentData>(scope, data).map(|d| (d.id, d.order_id));
        Ok(match scope {
            "store/order/created" => WebhookData::OrderCreated {
                order_id: order(data)?,
            },
            "store/order/updated" => WebhookData::OrderUpdated {
                order_id: order(data)?,
            },
            "store/order/archived" => WebhookData::OrderArchived {
                order_id: order(data)?,
            },
            "store/order/statusUpdated" => {
                let d: StatusData = typed(scope, data)?;
                WebhookData::OrderStatusUpdated {
                    order_id: d.id,
                    previous_status_id: d.status.previous_status_id,
                    new_status_id: d.status.new_status_id,
                }
            }
            "store/order/refund/created" => {
                let d: RefundData = typed(scope, data)?;
                WebhookData::OrderRefundCreated {
                    order_id: d.id,
                    refund_id: d.refund.refund_id,
                }
            }
            "store/order/message/created" => {
                let d: MessageData = typed(scope, data)?;
                WebhookData::OrderMessageCreated {
                    order_id: d.id,
                    message_id: d.message.order_message_id,
                }
            }
            "store/order/transaction/created" | "store/order/transaction/updated" => {
                WebhookData::OrderTransaction(typed(scope, data)?)
            }
            "store/shipment/created" => {
                let (shipment_id, order_id) = shipment(data)?;
                WebhookData::ShipmentCreated {
                    shipment_id,
                    order_id,
                }
            }
            "store/shipment/updated" => {
                let (shipment_id, order_id) = shipment(data)?;
                WebhookData::ShipmentUpdated {
                    shipment_id,
                    order_id,
                }
            }
            "store/shipment/deleted" => {
                let (shipment_id, order_id) = shipment(data)?;
                WebhookData::ShipmentDeleted {
                    shipment_id,
                    order_id,
                }
            }
            "store/cart/converted" => {
                let d: CartConvertedData = typed(scope, data)?;
                WebhookData::CartConverted {
                    cart_id: d.id,
                    order_id: d.order_id,
                }
            }
            "store/app/uninstalled" => WebhookData::AppUninstalled,
            "store/hook/deliveryException" => {
                let d: DeliveryExceptionData = typed(scope, data)?;
                WebhookData::HookDeliveryException {
                    hook_id: d.id,
                    error_code: d.error_code,
                    message: d.message,
                }
            }
            _ => WebhookData::Other(data),
        })
    }

    /// The order this event is about, when it names one.
    pub fn order_id(&self) -> Option<u64> {
        match self {
            WebhookData::OrderCreated { order_id }
            | WebhookData::OrderUpdated { order_id }
            | WebhookData::OrderArchived { order_id }
            | WebhookData::OrderStatusUpdated { order_id, .. }
            | WebhookData::OrderRefundCreated { order_id, .. }
            | WebhookData::OrderMessageCreated { order_id, .. }
            | WebhookData::ShipmentCreated { order_id, .. }
            | WebhookData::ShipmentUpdated { order_id, .. }
            | WebhookData::ShipmentDeleted { order_id, .. }
            | WebhookData::CartConverted { order_id, .. } => Some(*order_id),
            WebhookData::OrderTransaction(t) => t.order_id.parse().ok(),
            WebhookData::AppUninstalled
            | WebhookData::HookDeliveryException { .. }
            | WebhookData::Other(_) => None,
        }
    }
}

impl WebhookPayload {
    /// Parses a delivery body.
    pub fn parse(body: &[u8]) -> Result<WebhookPayload, WebhookParseError> {
        let raw: RawPayload =
            serde_json::from_slice(body).map_err(|e| WebhookParseError::new(e.to_string()))?;
        let data = WebhookData::from_scope(&raw.scope, raw.data)?;
        Ok(WebhookPayload {
            scope: raw.scope,
            store_id: raw.store_id,
            data,
            hash: raw.hash,
            created_at: raw.created_at,
            producer: raw.producer,
        })
    }

    /// The store hash from `producer` (`stores/{hash}`).
    pub fn store_hash(&self) -> Result<StoreHash, InvalidStoreHash> {
        StoreHash::from_context(&self.producer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<WebhookPayload, WebhookParseError> {
        WebhookPayload::parse(text.as_bytes())
    }

    #[test]
    fn status_update() {
        let p = parse(r#"{"scope":"store/order/statusUpdated","store_id":"1025646","data":{"type":"order","id":250,"status":{"previous_status_id":0,"new_status_id":11}},"hash":"7ee6","created_at":1561479335,"producer":"stores/abc123"}"#).unwrap();
        assert_eq!(
            p.data,
            WebhookData::OrderStatusUpdated {
                order_id: 250,
                previous_status_id: 0,
                new_status_id: 11
            }
        );
        assert_eq!(p.store_hash().unwrap().as_str(), "abc123");
        assert_eq!(p.data.order_id(), Some(250));
    }

    #[test]
    fn reasons_do_not_quote_the_whole_body() {
        // Found by the fuzzer: serde_json's "invalid type: string …" quotes the string whole.
        let body = format!("\"{}\"", "\u{7f}".repeat(10_000));
        let err = WebhookPayload::parse(body.as_bytes()).unwrap_err();
        assert!(err.to_string().chars().count() < MAX_REASON + 60, "{err}");
        let body = format!(
            r#"{{"scope":"store/order/updated","store_id":"1","data":{{"id":"{}"}},"hash":"h","created_at":1,"producer":"stores/a"}}"#,
            "9".repeat(10_000)
        );
        let err = WebhookPayload::parse(body.as_bytes()).unwrap_err();
        assert!(err.to_string().chars().count() < MAX_REASON + 60, "{err}");
    }

    #[test]
    fn unknown_scope_is_kept() {
        let p = parse(r#"{"scope":"store/product/updated","store_id":1,"data":{"type":"product","id":7},"hash":"x","created_at":1,"producer":"stores/a"}"#).unwrap();
        assert!(matches!(p.data, WebhookData::Other(_)));
        assert_eq!(p.store_id, "1");
        assert_eq!(p.data.order_id(), None);
    }

    #[test]
    fn garbage_is_an_error() {
        for body in [
            "",
            "null",
            "[]",
            "{}",
            r#"{"scope":"store/order/created"}"#,
            r#"{"scope":"store/order/created","store_id":"1","data":{},"hash":"","created_at":1,"producer":"stores/a"}"#,
            r#"{"scope":"store/order/created","store_id":"1","data":{"id":-1},"hash":"","created_at":1,"producer":"stores/a"}"#,
            r#"{"scope":"store/shipment/created","store_id":"1","data":{"id":1,"order_id":2},"hash":"","created_at":1,"producer":"stores/a"}"#,
            r#"{"scope":"store/order/statusUpdated","store_id":"1","data":{"id":1,"status":null},"hash":"","created_at":1,"producer":"stores/a"}"#,
            r#"{"scope":7,"store_id":"1","data":{},"hash":"","created_at":1,"producer":"stores/a"}"#,
        ] {
            assert!(parse(body).is_err(), "{body}");
        }
        let p = parse(r#"{"scope":"store/order/created","store_id":"1","data":{"id":5},"hash":"","created_at":1,"producer":"nope"}"#).unwrap();
        assert!(p.store_hash().is_err());
    }
}
