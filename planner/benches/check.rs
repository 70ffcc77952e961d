//! Checking a 100,000-line XLSX bill of materials: read the workbook and give every line its
//! Section 889 and TAA verdicts. Target (issue 3): under 2 s. Run: `cargo bench -p camscope-planner
//! --bench check`.

use std::hint::black_box;
use std::path::Path;

use camscope_planner::check::{DEFAULT_DENY, Policy, check};
use compliance_data::Dataset;
use criterion::{Criterion, criterion_group, criterion_main};
use time::macros::date;

// The same allocator as the `camscope` binary, so the figure is what users see.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Realistic lines: the labelled fixture's rows (covered makers, rebrands, components,
/// lookalikes, compliant makers, countries in many spellings), repeated to 100,000. Every row
/// gets its own part number, as SKUs on a real BOM do, so no two lines are identical; makers,
/// descriptions and countries repeat, as they do on a real BOM.
fn write_workbook(path: &Path) {
    let fixture = include_str!("../../compliance-data/tests/fixtures/labeled_lines.csv");
    let mut reader = csv::Reader::from_reader(fixture.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("fixture row")).collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "Manufacturer",
        "Brand",
        "Model",
        "Part Number",
        "Description",
        "Components",
        "Country of Origin",
        "Qty",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for i in 0..100_000u32 {
        let r = &rows[i as usize % rows.len()];
        for c in 0..7 {
            let v = r.get(c).unwrap_or("");
            let v = if c == 3 {
                format!("{v}-{i}")
            } else {
                v.to_string()
            };
            if !v.is_empty() {
                sheet.write_string(i + 1, c as u16, &v).expect("cell");
            }
        }
        sheet
            .write_number(i + 1, 7, f64::from(1 + i % 20))
            .expect("qty");
    }
    book.save(path).expect("save workbook");
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bom-100k.xlsx");
    write_workbook(&path);
    let ds = Dataset::embedded().expect("data");
    let policy = Policy::default();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("read + check 100,000-line XLSX", |b| {
        b.iter(|| {
            let bom = bom::read_bom(black_box(&path), &bom::ReadOptions::default()).expect("reads");
            let report = check(
                &bom,
                &ds,
                "embedded",
                &policy,
                DEFAULT_DENY,
                date!(2026 - 11 - 22),
            );
            assert_eq!(report.summary.lines, 100_000);
            report
        })
    });
    let bom = bom::read_bom(&path, &bom::ReadOptions::default()).expect("reads");
    group.bench_function("check only, 100,000 lines", |b| {
        b.iter(|| {
            check(
                black_box(&bom),
                &ds,
                "embedded",
                &policy,
                DEFAULT_DENY,
                date!(2026 - 11 - 22),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
