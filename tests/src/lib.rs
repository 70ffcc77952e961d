//! Shared harness for the cross-crate and CLI tests in `tests/tests/`.
//!
//! The tests drive `camscope` in-process through `planner::cli::run`, so a panic fails the test
//! instead of hiding behind an exit code, and no binary has to be found on disk.

use std::ffi::OsString;

pub mod frigate_check;
pub mod quote;

/// What one `camscope` invocation produced.
#[derive(Debug)]
pub struct Run {
    /// Exit status.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `camscope ARGS…` in-process.
pub fn camscope(args: &[&str]) -> Run {
    let argv: Vec<OsString> = std::iter::once("camscope")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = planner::cli::run(argv, &mut out, &mut err);
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// What `camscope generate` wrote into a fresh temporary directory, which lives as long as this.
#[derive(Debug)]
pub struct Generated {
    /// The directory written into; removed when this is dropped.
    pub dir: tempfile::TempDir,
    /// The `generate` run itself.
    pub run: Run,
}

impl Generated {
    /// The directory written into.
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The text of a file `generate` wrote (`"frigate/index.json"`); panics naming it if absent.
    pub fn text(&self, file: &str) -> String {
        let path = self.dir.path().join(file);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("generate wrote no {}: {e}", path.display()))
    }

    /// A JSON file `generate` wrote, parsed; panics naming it if absent or not JSON.
    pub fn json(&self, file: &str) -> serde_json::Value {
        serde_json::from_str(&self.text(file)).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"))
    }
}

/// Runs `camscope generate SITE --out <new temporary directory> ARGS…`. A run that exits 2
/// (bad input) panics with its output: the sites the tests generate are all valid.
pub fn generate(site: &str, args: &[&str]) -> Generated {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temporary directory: {e}"));
    let out = dir.path().display().to_string();
    let mut argv = vec!["generate", site, "--out", out.as_str()];
    argv.extend_from_slice(args);
    let run = camscope(&argv);
    assert_ne!(
        run.code, 2,
        "camscope generate {site}: bad input\n{}{}",
        run.stdout, run.stderr
    );
    Generated { dir, run }
}

/// The guides' eleven stores of nine cameras (tests/fixtures/chain-11x9.toml).
pub const CHAIN_11X9: &str = include_str!("../fixtures/chain-11x9.toml");

/// `site` (a chain-shaped site file) with Section 889 and RAID 6 required: no eligible NVR
/// appliance offers RAID 6, so the NVR option cannot be built.
pub fn without_a_buildable_nvr(site: &str) -> String {
    site.replace(
        "analytics = \"motion\"",
        "analytics = \"motion\"\nsection-889 = true",
    )
    .replace("[[site]]", "[storage]\nraid = \"raid6\"\n\n[[site]]")
}

/// Plans `site` (TOML text) with the embedded catalog, deploys the recommended option and
/// renders its proposal as `camscope report proposal` does, at a fixed generation time.
pub fn proposal_of(site: &str) -> (planner::plan::Plan, String) {
    use planner::catalog::Catalog;
    use planner::deploy::{Choice, deploy};
    let parsed = planner::site::SiteFile::parse("site.toml", site)
        .unwrap_or_else(|e| panic!("site.toml: {e}"));
    let catalog = Catalog::embedded().unwrap_or_else(|e| panic!("embedded catalog: {e}"));
    let p = planner::plan::plan(&parsed, &catalog).unwrap_or_else(|e| panic!("plan: {e}"));
    let choice = match p.recommendation.choice {
        planner::plan::Choice::Nvr => Choice::Nvr,
        planner::plan::Choice::Vms => Choice::Vms,
    };
    let m = deploy(&parsed, &catalog, &p, choice).unwrap_or_else(|e| panic!("deploy: {e}"));
    let priced = planner::generate::bill_of_materials(&parsed, &catalog, &p, &m);
    let html = reports::render(&planner::proposal::proposal_view(
        &p,
        &m,
        &priced,
        None,
        "2026-12-02 09:00 UTC",
    ));
    (p, html)
}
