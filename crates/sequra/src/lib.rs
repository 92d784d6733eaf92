//! SeQura merchant API client and wire types (spec `sequra-api.md` §1, §2, §6).
//!
//! ```no_run
//! # async fn demo() -> Result<(), sequra::Error> {
//! use sequra::{ClientConfig, SequraClient, SANDBOX_BASE_URL};
//! use secrecy::SecretString;
//!
//! let config = ClientConfig::new(SANDBOX_BASE_URL, "user", SecretString::from("password"));
//! let sequra = SequraClient::new(reqwest::Client::new(), config)?;
//! for merchant in sequra.credentials().await? {
//!     println!("{} {:?}", merchant.reference, merchant.country);
//! }
//! # Ok(()) }
//! ```
//!
//! Layout: [`client`] sends requests (headers, error mapping, the one GET retry); one
//! module per API holds its wire types and the [`SequraClient`] methods for it
//! ([`credentials`], [`payment_methods`], [`order`] + [`cart`], [`order_update`],
//! [`delivery_report`]). [`notification`] reads what SeQura POSTs to the shop and
//! [`signature`] makes and checks the token we ask SeQura to echo. No storage, no axum: the
//! app converts these wire types into its own domain types.

pub mod cart;
pub mod client;
pub mod credentials;
mod de;
pub mod delivery_report;
pub mod error;
pub mod notification;
pub mod order;
pub mod order_update;
pub mod payment_methods;
pub mod signature;

pub use cart::{AmountItem, Cart, InvoiceFeeItem, Item, ProductItem, ServiceItem};
pub use client::{
    ClientConfig, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, LIVE_BASE_URL, MERCHANT_HEADER,
    SANDBOX_BASE_URL, SequraClient,
};
pub use credentials::MerchantCredentials;
pub use delivery_report::{
    DeliveredOrder, DeliveryReport, DeliveryState, Statistics, StatisticsOrder,
};
pub use error::{Error, Result};
pub use notification::{Notification, NotificationError, NotificationKind, NotificationState};
pub use order::{
    AcknowledgedState, Address, Customer, DeliveryMethod, EventsWebhook, Gui, Layout, LoggedIn,
    Merchant, MerchantOptions, MerchantReference, OrderRequest, OrderState, PickupTracking,
    Platform, PostalTracking, PreviousOrder, Tracking, Vehicle,
};
pub use order_update::OrderUpdate;
pub use payment_methods::{Cost, PaymentCategory, PaymentMethod, PaymentMethods};
