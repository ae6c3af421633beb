-- User database, version 3: what was measured on this PC, and measurements imported from others.
CREATE TABLE ram_measurements (
    id INTEGER PRIMARY KEY,
    gbs REAL NOT NULL,
    theoretical_gbs REAL,
    threads INTEGER NOT NULL,
    buffer_mib INTEGER NOT NULL,
    seconds REAL NOT NULL,
    method TEXT NOT NULL,
    measured_at TEXT NOT NULL
);
-- One row per result (pp512, tg128 @ d4096, ...). A run's rows share run_id and are written
-- in one transaction, so a run killed part way leaves none of them.
CREATE TABLE pc_measurements (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    origin TEXT NOT NULL,          -- 'this PC' or 'community'
    tool TEXT NOT NULL,            -- llama-bench, ollama, llama-server, csv
    model_id TEXT,                 -- the catalog model, when the name resolved
    model_label TEXT NOT NULL,     -- the model as the tool named it
    quant TEXT NOT NULL DEFAULT '',
    test TEXT NOT NULL,            -- pp512, tg128, tg128@d4096 (measurements.csv's names)
    tokens_per_s REAL NOT NULL,
    stddev_tokens_per_s REAL,
    n_prompt INTEGER NOT NULL DEFAULT 0,
    n_gen INTEGER NOT NULL DEFAULT 0,
    n_depth INTEGER NOT NULL DEFAULT 0,
    backend TEXT NOT NULL DEFAULT '',
    device TEXT NOT NULL DEFAULT '',    -- the GPU or CPU as the tool or the CSV named it
    hardware TEXT NOT NULL DEFAULT '',
    n_gpus INTEGER NOT NULL DEFAULT 0,
    params_b REAL,
    model_size_gib REAL,
    settings_json TEXT NOT NULL DEFAULT '{}',
    llama_build TEXT NOT NULL DEFAULT '',
    source_url TEXT NOT NULL DEFAULT '',
    measured_at TEXT NOT NULL
);
CREATE INDEX pc_measurements_model ON pc_measurements (model_id, quant);
