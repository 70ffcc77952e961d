//! The rig's results file is a published contract: its schema in docs/ must match the code.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rig-results.schema.json")
}

#[test]
fn published_results_schema_is_current() {
    let generated = serde_json::to_string_pretty(&rig::judge::results_schema()).unwrap() + "\n";
    if std::env::var_os("CAMSCOPE_UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rig-results.schema.json is stale: run CAMSCOPE_UPDATE_SCHEMA=1 cargo test -p camscope-tests --test rig"
    );
}
