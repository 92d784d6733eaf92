//! BigCommerce API client and wire types (OAuth, signed_payload_jwt, Orders v2/v3,
//! Checkouts, Carts, Customers, Scripts, Webhooks, App Extensions).
