-- The per-store key that signs SeQura notification parameters (sealed, like every secret).
ALTER TABLE stores ADD COLUMN notification_key BLOB;

-- A SeQura solicitation: one SeQura order started for one checkout version and product.
-- It carries the IPN's progress step by step (progress, a JSON object), so a retried IPN
-- resumes where the last one stopped instead of repeating a side effect; and a lease
-- (lock_token, locked_until) so that concurrent IPNs for it never work at the same time.
CREATE TABLE solicitations (
    id               TEXT PRIMARY KEY NOT NULL,
    store_hash       TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    checkout_id      TEXT NOT NULL,
    checkout_version BIGINT NOT NULL,
    product          TEXT NOT NULL,
    campaign         TEXT NOT NULL,
    method_title     TEXT NOT NULL,
    merchant_id      TEXT NOT NULL,
    environment      TEXT NOT NULL,
    sequra_order_ref TEXT,
    currency         TEXT NOT NULL,
    grand_total      BIGINT NOT NULL,
    store_credit     BIGINT NOT NULL,
    customer_id      BIGINT NOT NULL,
    signature        TEXT NOT NULL,
    order_body       TEXT NOT NULL,
    state            TEXT NOT NULL,
    bc_order_id      BIGINT,
    checkout_token   BLOB,
    progress         TEXT NOT NULL,
    lock_token       TEXT,
    locked_until     BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (store_hash, checkout_id, checkout_version, product, campaign)
);
CREATE UNIQUE INDEX solicitations_sequra_ref ON solicitations (sequra_order_ref);
CREATE UNIQUE INDEX solicitations_bc_order ON solicitations (store_hash, bc_order_id);
