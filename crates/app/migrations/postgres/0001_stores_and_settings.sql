-- Conventions (both backends share them so that one query text serves both):
-- * every tenant table carries store_hash and every query filters on it;
-- * times are unix milliseconds in BIGINT columns;
-- * secrets are sealed bytes (crates/app/src/crypto.rs), never plain text;
-- * a store's rows go with it (ON DELETE CASCADE) when the app is uninstalled.

CREATE TABLE stores (
    store_hash             TEXT PRIMARY KEY NOT NULL,
    access_token           BYTEA NOT NULL,
    scopes                 TEXT NOT NULL,
    owner_user_id          BIGINT NOT NULL,
    webhook_secret         BYTEA NOT NULL,
    store_id               TEXT,
    control_panel_base_url TEXT,
    secure_url             TEXT,
    currency               TEXT,
    installed_at           BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);

CREATE TABLE store_users (
    store_hash   TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL,
    email        TEXT NOT NULL,
    is_owner     BOOLEAN NOT NULL,
    locale       TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (store_hash, user_id)
);

CREATE TABLE sequra_connections (
    store_hash  TEXT PRIMARY KEY NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    environment TEXT NOT NULL,
    username    TEXT NOT NULL,
    password    BYTEA NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE sequra_countries (
    store_hash   TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    country_code TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    PRIMARY KEY (store_hash, country_code)
);

CREATE TABLE general_settings (
    store_hash TEXT PRIMARY KEY NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE status_mappings (
    store_hash   TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    sequra_state TEXT NOT NULL,
    bc_status_id BIGINT,
    PRIMARY KEY (store_hash, sequra_state)
);

-- What the app created in the store (webhooks, scripts, the App Extension), so that
-- provisioning is idempotent and uninstall knows what to clean up.
CREATE TABLE remote_artefacts (
    store_hash  TEXT NOT NULL REFERENCES stores (store_hash) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    remote_id   TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (store_hash, kind, name)
);
