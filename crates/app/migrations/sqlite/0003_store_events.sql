-- Things that happened to a store's integration that the merchant should see (a webhook
-- BigCommerce had deactivated and the app switched back on, provisioning that failed…).
CREATE TABLE store_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    store_hash TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX store_events_store ON store_events (store_hash, id);
