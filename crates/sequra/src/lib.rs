//! SeQura merchant API client and wire types.
//!
//! No storage, no axum: the app converts these wire types into its own domain types.
