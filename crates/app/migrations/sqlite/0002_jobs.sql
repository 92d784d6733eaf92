-- The durable job queue (architecture §4). Every cross-system side effect is a job,
-- enqueued in the same transaction as the change that causes it.
--
-- * dedupe_key coalesces: while a job with the same key is still queued, enqueueing
--   another is a no-op (ten webhooks for one order = one sync);
-- * serial_key serialises: at most one job per key runs at a time (one order's jobs never
--   overlap), enforced by a unique index so that even two workers racing cannot both win;
-- * a claim takes a lease; a crashed worker's job is claimed again once its lease expires,
--   and claim_token stops the crashed worker from finishing a job it no longer owns.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    store_hash   TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    dedupe_key   TEXT,
    serial_key   TEXT,
    state        TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    lease_until  BIGINT,
    claim_token  TEXT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE UNIQUE INDEX jobs_queued_dedupe ON jobs (store_hash, dedupe_key) WHERE state = 'queued';
CREATE UNIQUE INDEX jobs_running_serial ON jobs (store_hash, serial_key) WHERE state = 'running';
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_store_state ON jobs (store_hash, state);
