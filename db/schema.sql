-- Schema of the shipped, read-only catalog. The rows come from db/data/*.csv|json,
-- compiled by `planner catalog build` (planner/catalog/build.py). Every row is cited:
-- source_url + as_of.

CREATE TABLE gpus (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    aliases TEXT NOT NULL DEFAULT '',
    segment TEXT NOT NULL,
    architecture TEXT,
    memory_kind TEXT NOT NULL DEFAULT 'dedicated',
    vram_gb REAL NOT NULL,              -- as marketed ("16 GB"); the name users search by
    vram_mib INTEGER NOT NULL,          -- total as the driver reports it (nvidia-smi / cudaMemGetInfo)
    vram_mib_basis TEXT NOT NULL,       -- where vram_mib comes from (driver report + URL, or the rule used)
    memory_type TEXT,
    bus_width_bits INTEGER,
    bandwidth_gbs REAL NOT NULL,
    fp16_tflops REAL,
    fp16_basis TEXT,
    fp32_tflops REAL,
    board_power_w REAL,
    idle_power_w REAL,
    pcie TEXT,
    release_year INTEGER,
    launch_price_usd REAL,
    price_new_usd REAL,
    price_new_as_of TEXT,
    price_used_usd REAL,
    price_used_as_of TEXT,
    price_source_url TEXT,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE apple_chips (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    aliases TEXT NOT NULL DEFAULT '',
    generation TEXT NOT NULL,
    tier TEXT NOT NULL,
    cpu_cores INTEGER,
    gpu_cores INTEGER NOT NULL,
    bandwidth_gbs REAL NOT NULL,
    fp32_tflops REAL,
    fp16_tflops REAL,
    memory_options_gb TEXT NOT NULL,
    max_power_w REAL,
    idle_power_w REAL,
    release_year INTEGER,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE apple_configs (
    chip_id TEXT NOT NULL REFERENCES apple_chips(id),
    memory_gb REAL NOT NULL,
    product TEXT NOT NULL,
    price_usd REAL NOT NULL,
    price_kind TEXT NOT NULL,
    as_of TEXT NOT NULL,
    source_url TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE cpus (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    aliases TEXT NOT NULL DEFAULT '',
    segment TEXT NOT NULL,
    cores INTEGER NOT NULL,
    threads INTEGER NOT NULL,
    base_clock_ghz REAL,
    boost_clock_ghz REAL,
    memory_channels INTEGER NOT NULL,
    max_memory_mts INTEGER NOT NULL,
    ddr_gen INTEGER NOT NULL,
    max_memory_gb REAL,
    avx2 INTEGER NOT NULL,
    avx512 INTEGER NOT NULL,
    tdp_w REAL,
    release_year INTEGER,
    launch_price_usd REAL,
    price_new_usd REAL,
    price_new_as_of TEXT,
    price_used_usd REAL,
    price_used_as_of TEXT,
    price_source_url TEXT,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE models (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    family TEXT NOT NULL,
    repo TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '',
    params_total_b REAL NOT NULL,
    params_active_b REAL,
    arch TEXT NOT NULL,
    n_layers INTEGER NOT NULL,
    hidden_size INTEGER NOT NULL,
    intermediate_size INTEGER,
    n_heads INTEGER NOT NULL,
    n_kv_heads INTEGER NOT NULL,
    head_dim INTEGER NOT NULL,
    vocab_size INTEGER NOT NULL,
    tie_embeddings INTEGER NOT NULL DEFAULT 0,
    max_context INTEGER NOT NULL,
    n_experts INTEGER,
    n_experts_active INTEGER,
    n_shared_experts INTEGER,
    moe_intermediate_size INTEGER,
    n_dense_layers INTEGER,
    sliding_window INTEGER,
    n_swa_layers INTEGER,
    n_linear_attn_layers INTEGER,
    linear_state_mib REAL,
    kv_lora_rank INTEGER,
    q_lora_rank INTEGER,
    qk_rope_head_dim INTEGER,
    qk_nope_head_dim INTEGER,
    v_head_dim INTEGER,
    linear_mixer_params_m REAL,
    n_parallel_ssm_layers INTEGER,
    n_mixer_free_layers INTEGER,
    n_ffn_free_layers INTEGER,
    ffn_matrices INTEGER,
    license TEXT,
    release_date TEXT,
    popularity INTEGER,
    source_url TEXT NOT NULL,
    params_source_url TEXT,
    as_of TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE quant_types (
    name TEXT PRIMARY KEY,
    family TEXT NOT NULL,
    block_bpw REAL NOT NULL,
    body_bpw REAL NOT NULL,
    expert_bpw REAL,
    embd_bpw REAL NOT NULL,
    output_bpw REAL NOT NULL,
    popularity INTEGER NOT NULL,
    description TEXT NOT NULL,
    kld REAL,
    ppl_increase_pct REAL,
    quality_source_url TEXT,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE presets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    aliases TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    build_json TEXT NOT NULL,
    price_usd_low REAL,
    price_usd_high REAL,
    power_w REAL,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    device TEXT,
    source_url TEXT NOT NULL,
    hardware TEXT NOT NULL,
    backend TEXT NOT NULL,
    n_gpus INTEGER NOT NULL,
    model TEXT NOT NULL,
    params_b REAL,
    quant TEXT,
    model_size_gib REAL,
    test TEXT NOT NULL,
    tokens_per_s REAL NOT NULL,
    notes TEXT,
    quality TEXT,
    model_id TEXT,
    device_id TEXT,
    as_of TEXT NOT NULL
);

-- The seed article's "model class -> local hardware floor" table, quoted row by row
-- (db/data/article_floor.json). `claims_json` maps each named option to a build reference:
-- {"preset": id}, {"gpu": id, "count": n} or {"apple_chip": id, "unified_memory_gb": n}.
CREATE TABLE article_floor (
    position INTEGER PRIMARY KEY,
    model_class TEXT NOT NULL,
    floor_text TEXT NOT NULL,
    notes_text TEXT NOT NULL,
    model_ids TEXT NOT NULL DEFAULT '',
    claims_json TEXT NOT NULL,
    remark TEXT NOT NULL DEFAULT '',
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL
);

-- Every price the catalog knows, with what kind of price it is (launch, new_street, used).
CREATE TABLE prices (
    item_table TEXT NOT NULL,
    item_id TEXT NOT NULL,
    price_kind TEXT NOT NULL,
    price_usd REAL NOT NULL,
    as_of TEXT,
    source_url TEXT NOT NULL,
    label TEXT
);

CREATE TABLE catalog_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Dataflow systems (wafer-scale and SRAM machines): never rooflined, answered with
-- their vendors' published per-user speeds (serving_measurements rows of the same id).
CREATE TABLE dataflow_systems (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE,
    aliases TEXT NOT NULL DEFAULT '',
    chip TEXT NOT NULL,
    unit TEXT NOT NULL,
    chips_per_unit INTEGER NOT NULL,
    on_chip_sram_gb REAL NOT NULL,
    on_chip_bandwidth_tbs REAL,
    package_memory_gb REAL,
    external_memory TEXT,
    external_memory_tb REAL,
    power_w REAL,
    power_basis TEXT,
    price_usd REAL,
    price_kind TEXT,
    price_as_of TEXT,
    price_source_url TEXT,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

-- Serving at many users (vLLM, SGLang, TensorRT-LLM, ... and dataflow vendors), vendored
-- by scripts/vendor_serving_measurements.py: the number as printed plus the same number in
-- the planner's units (planner/core/serving_units.py), for the whole measured setup.
CREATE TABLE serving_measurements (
    row_id INTEGER PRIMARY KEY,
    engine TEXT NOT NULL,
    device_id TEXT,
    n_devices INTEGER,
    tensor_parallel INTEGER,
    pipeline_parallel INTEGER,
    other_parallel TEXT,
    model_id TEXT,
    format TEXT,
    input_len INTEGER,
    output_len INTEGER,
    concurrency INTEGER,
    offline INTEGER NOT NULL,
    speculative INTEGER NOT NULL,
    metric TEXT NOT NULL,
    value REAL,
    metric_as_printed TEXT NOT NULL,
    value_as_printed TEXT NOT NULL,
    unit_as_printed TEXT NOT NULL,
    hardware_as_printed TEXT NOT NULL,
    model_as_printed TEXT NOT NULL,
    precision_as_printed TEXT,
    scenario TEXT,
    engine_as_printed TEXT,
    source_url TEXT NOT NULL,
    source_title TEXT NOT NULL,
    as_of TEXT NOT NULL,
    vendored_from TEXT NOT NULL
);

-- llama.cpp at batch > 1 (llama-batched-bench S_TG, llama-bench -ub N), found in llama.cpp's
-- pull requests and cited row by row; the planner never fits on them (held-out check).
CREATE TABLE llama_batched_measurements (
    engine TEXT NOT NULL,
    device_id TEXT NOT NULL,
    hardware_as_printed TEXT NOT NULL,
    model_id TEXT NOT NULL,
    model_as_printed TEXT NOT NULL,
    quant TEXT NOT NULL,
    batch INTEGER NOT NULL,
    prompt INTEGER NOT NULL,
    generated INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    tool TEXT NOT NULL,
    source_url TEXT NOT NULL,
    source_title TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);

-- MoE experts / layers in system RAM and CPU-only runs, verbatim from
-- ../shared/data/benchmarks/offload_measurements.csv (see db/data/offload_measurements.md).
CREATE TABLE offload_measurements (
    row_id INTEGER PRIMARY KEY,
    source_url TEXT NOT NULL,
    engine TEXT,
    engine_build TEXT,
    model TEXT,
    total_params_b TEXT,
    active_params_b TEXT,
    quant TEXT,
    model_size_gib TEXT,
    gpus TEXT,
    gpu_vram_gib TEXT,
    cpu TEXT,
    ram TEXT,
    offload TEXT,
    n_expert_layers_on_cpu TEXT,
    ctx_depth TEXT,
    test TEXT,
    tokens_per_s REAL NOT NULL,
    threads TEXT,
    flash_attn TEXT,
    kv_cache_type TEXT,
    date TEXT,
    author TEXT,
    setup_id TEXT,
    hardware_class TEXT,
    run_type TEXT,
    notes TEXT,
    is_cpu_only TEXT,
    is_all_gpu_baseline TEXT
);

-- The machines of offload_measurements as catalog parts; ram_basis says what was stated
-- and what was assumed. Setups whose GPU or CPU is not stated are left out.
CREATE TABLE offload_setups (
    setup_id TEXT PRIMARY KEY,
    gpu_id TEXT,
    gpu_count INTEGER NOT NULL,
    cpu_id TEXT NOT NULL REFERENCES cpus(id),
    sockets INTEGER NOT NULL,
    ram_type TEXT NOT NULL,
    ram_mts INTEGER NOT NULL,
    ram_channels INTEGER NOT NULL,
    ram_gb REAL,
    measured_ram_gbs REAL,
    ram_basis TEXT NOT NULL,
    source_url TEXT NOT NULL,
    as_of TEXT NOT NULL,
    notes TEXT
);
