-- User database, version 1: the user's own data. Never shipped, never overwritten by updates.
CREATE TABLE saved_builds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    spec_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE custom_gpus (
    id TEXT PRIMARY KEY,
    row_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE custom_models (
    id TEXT PRIMARY KEY,
    row_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE price_overrides (
    item_table TEXT NOT NULL,
    item_id TEXT NOT NULL,
    price_kind TEXT NOT NULL,
    price_usd REAL NOT NULL,
    as_of TEXT NOT NULL,
    PRIMARY KEY (item_table, item_id, price_kind)
);
