//! Planning a 10,000-camera, 500-site project: parse the site file and make the whole plan.
//! Target (issue 2): under 100 ms on the 2-core CI machine. Run: `cargo bench -p camscope-planner`.

use std::fmt::Write as _;
use std::hint::black_box;

use camscope_planner::catalog::Catalog;
use camscope_planner::plan::plan;
use camscope_planner::site::SiteFile;
use criterion::{Criterion, criterion_group, criterion_main};

/// 500 distinct sites of 20 cameras in three groups, with every recording mode, several
/// resolutions and codecs, so no two sites pack alike.
fn big_site() -> String {
    let resolutions = ["1080p", "4MP", "5MP", "4K", "720p"];
    let codecs = ["h264", "h265", "h265-smart", "h264-smart"];
    let mut t = String::from(
        "version = 1\n[project]\nname = \"bench\"\n[requirements]\ncamera-brands = [\"Axis\", \"Bosch\"]\nanalytics = \"detection\"\nredundancy = \"n+1\"\n[storage]\nraid = \"raid6\"\nhot-spares = 1\n",
    );
    for i in 0..500 {
        let _ = write!(t, "[[site]]\nname = \"site {i}\"\n");
        let _ = write!(
            t,
            "[[site.cameras]]\ncount = 8\nresolution = \"{}\"\ncodec = \"{}\"\nfps = {}\nretention-days = {}\npoe-watts = 7.5\n",
            resolutions[i % 5],
            codecs[i % 4],
            10 + i % 21,
            14 + i % 60
        );
        let _ = write!(
            t,
            "[[site.cameras]]\ncount = 7\nresolution = \"{}\"\ncodec = \"h265\"\nfps = 15\nscene = \"high\"\nrecording = \"motion\"\nduty-cycle = 0.{}\nsubstream-kbps = 512\nretention-days = 30\n",
            resolutions[(i + 2) % 5],
            1 + i % 9
        );
        let _ = write!(
            t,
            "[[site.cameras]]\ncount = 5\nresolution = \"1080p\"\ncodec = \"h264\"\nbitrate-kbps = {}\nrecording = \"events\"\nevents-per-day = {}\npre-seconds = 5\npost-seconds = 20\nretention-days = 90\naudio = true\n",
            2048 + (i % 7) * 512,
            20 + i % 200
        );
    }
    t
}

fn bench(c: &mut Criterion) {
    let text = big_site();
    let catalog = Catalog::embedded().expect("the shipped catalog loads");
    let site = SiteFile::parse("bench.toml", &text).expect("the generated site parses");
    assert_eq!(site.camera_count(), 10_000);
    assert_eq!(site.site_count(), 500);
    c.bench_function("plan 10,000 cameras / 500 sites", |b| {
        b.iter(|| plan(black_box(&site), black_box(&catalog)).expect("plans"))
    });
    c.bench_function("parse + plan 10,000 cameras / 500 sites", |b| {
        b.iter(|| {
            let site = SiteFile::parse("bench.toml", black_box(&text)).expect("parses");
            plan(&site, &catalog).expect("plans")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
