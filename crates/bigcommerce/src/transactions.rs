//! `GET /v3/orders/{id}/transactions` (`orders.v3.yml` `Transaction`); 204 = none.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::client::StoreClient;
use crate::envelope::Envelope;
use crate::error::Result;
use crate::money::Cents;
use crate::{dates, de};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transaction {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    /// A string in v3 (`"250"`).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub order_id: Option<String>,
    pub event: TransactionEvent,
    pub method: TransactionMethod,
    pub amount: Cents,
    pub currency: String,
    /// `cod`, `storecredit`, `bankdeposit`, `custom`, … (kept as text: a long open list).
    pub gateway: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub gateway_transaction_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub payment_method_id: Option<String>,
    /// ISO 8601.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_created: String,
    #[serde(default)]
    pub test: bool,
    /// `ok` or `error`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub status: String,
    #[serde(default)]
    pub fraud_review: bool,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub reference_transaction_id: Option<u64>,
    #[serde(default)]
    pub offline: Option<OfflineDetails>,
    #[serde(default)]
    pub custom: Option<CustomDetails>,
    #[serde(default)]
    pub store_credit: Option<StoreCreditDetails>,
    #[serde(default)]
    pub gift_certificate: Option<GiftCertificateDetails>,
}

impl Transaction {
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_iso8601(&self.date_created)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionEvent {
    Purchase,
    Authorization,
    Capture,
    Refund,
    Void,
    Pending,
    Settled,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionMethod {
    CreditCard,
    ElectronicWallet,
    GiftCertificate,
    StoreCredit,
    ApplePayCard,
    BigpayToken,
    ApplePayToken,
    Token,
    Custom,
    Offsite,
    Offline,
    Nonce,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OfflineDetails {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomDetails {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub payment_method: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StoreCreditDetails {
    #[serde(default)]
    pub remaining_balance: Option<Cents>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GiftCertificateDetails {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub code: String,
    #[serde(default)]
    pub original_balance: Option<Cents>,
    #[serde(default)]
    pub starting_balance: Option<Cents>,
    #[serde(default)]
    pub remaining_balance: Option<Cents>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub status: String,
}

impl StoreClient {
    /// `GET /v3/orders/{id}/transactions`; 204 means none.
    pub async fn list_order_transactions(&self, order_id: u64) -> Result<Vec<Transaction>> {
        let answer = self
            .get(
                &["v3", "orders", &order_id.to_string(), "transactions"],
                Vec::new(),
            )
            .await?;
        if answer.is_empty() {
            return Ok(Vec::new());
        }
        Ok(answer.json::<Envelope<Vec<Transaction>>>()?.data)
    }
}
