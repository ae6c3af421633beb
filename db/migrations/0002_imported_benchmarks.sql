-- User database, version 2: benchmarks the user imported, and a trash for undoable deletes.
CREATE TABLE imported_benchmarks (
    id INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    model TEXT NOT NULL,
    quant TEXT NOT NULL,
    test TEXT NOT NULL,
    tokens_per_s REAL NOT NULL,
    backend TEXT NOT NULL DEFAULT '',
    source_url TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL
);
ALTER TABLE saved_builds ADD COLUMN deleted_at TEXT;
