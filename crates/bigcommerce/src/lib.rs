//! BigCommerce API client and wire types for the SeQura app: OAuth code exchange,
//! `signed_payload_jwt` verification, Orders v2/v3 (orders, products, addresses, coupons,
//! shipments, transactions, refunds, metafields), Checkouts, Carts, Customers, Scripts,
//! Webhooks (management and incoming payloads) and App Extensions (GraphQL Admin).
//!
//! ```no_run
//! # async fn demo() -> Result<(), bigcommerce::Error> {
//! use bigcommerce::{BigCommerce, ClientConfig, StoreHash};
//! use secrecy::SecretString;
//!
//! let bc = BigCommerce::new(reqwest::Client::new(), ClientConfig::default())?;
//! let store = bc.store(
//!     StoreHash::parse("abc123").map_err(|e| bigcommerce::Error::InvalidRequest(e.to_string()))?,
//!     SecretString::from("token"),
//! );
//! let order = store.get_order(250).await?;
//! println!("{} {}", order.total_inc_tax, order.default_currency_code);
//! # Ok(()) }
//! ```
//!
//! Layout: [`client`] sends requests (headers, 429 handling, error mapping); one module per
//! API holds its wire types and the [`StoreClient`] methods for it. Amounts are parsed at
//! the edge into [`Cents`] (see [`money`] for the exponent-2 assumption).

pub mod app_extensions;
pub mod catalog;
pub mod checkouts;
pub mod client;
pub mod dates;
mod de;
mod envelope;
pub mod error;
pub mod hooks;
pub mod jwt;
pub mod metafields;
pub mod money;
pub mod oauth;
pub mod orders;
pub mod rate_limit;
pub mod refunds;
pub mod scripts;
pub mod store;
pub mod transactions;
pub mod webhook;

pub use client::{BigCommerce, ClientConfig, InvalidStoreHash, StoreClient, StoreHash};
pub use envelope::{Meta, Pagination};
pub use error::{Error, FieldError, Result, TransportKind};
pub use jwt::{
    JwtError, SignedPayload, SignedPayloadClaims, SignedPayloadVerifier,
    parse_app_extension_order_url, sign_signed_payload_jwt,
};
pub use money::{Cents, MoneyError};
pub use oauth::{AppCredentials, AuthCallback, TokenResponse};
pub use rate_limit::RateLimitStatus;
pub use scripts::sri_sha384;
pub use webhook::{WebhookData, WebhookParseError, WebhookPayload};
