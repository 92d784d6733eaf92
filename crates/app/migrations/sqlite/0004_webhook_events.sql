-- BigCommerce webhook deliveries, stored before they are acknowledged (nothing is lost if
-- the app dies right after answering). A redelivery of the same event (same scope, data
-- hash and event time) is stored once. Processing never relies on this deduplication:
-- two distinct changes can share a key (BigCommerce's hash covers only `data`), so every
-- accepted delivery still leads to a fresh read of the order (see services::webhooks).
CREATE TABLE webhook_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    store_hash   TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    delivery_key TEXT NOT NULL,
    scope        TEXT NOT NULL,
    order_id     BIGINT,
    payload      TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    UNIQUE (store_hash, delivery_key)
);
CREATE INDEX webhook_events_order ON webhook_events (store_hash, order_id);
