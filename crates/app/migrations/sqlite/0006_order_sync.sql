-- What SeQura last accepted for an order (carts and addresses), so that a sync sends only
-- real changes; and the transaction log: order updates SeQura rejected or that could not
-- reach it, one open entry per order, resolved when a later update lands.
ALTER TABLE solicitations ADD COLUMN synced TEXT;

CREATE TABLE transaction_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    store_hash       TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    bc_order_id      BIGINT NOT NULL,
    solicitation_id  TEXT NOT NULL,
    sequra_order_ref TEXT NOT NULL,
    environment      TEXT NOT NULL,
    payment_method   TEXT NOT NULL,
    event            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    resolved_at      BIGINT
);
CREATE INDEX transaction_log_store ON transaction_log (store_hash, id);
CREATE UNIQUE INDEX transaction_log_open ON transaction_log (store_hash, bc_order_id) WHERE state <> 'resolved';
