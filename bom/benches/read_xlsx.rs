//! How long reading a large distributor quote takes: 100,000 lines in one XLSX sheet, with a
//! title row above the header. The target is well under a second in release builds.
//!
//! The workbook is generated with rust_xlsxwriter in setup rather than committed.

// Setup failures abort the benchmark, which is what we want.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::path::PathBuf;

use calamine::{Reader, Xlsx, open_workbook};
use camscope_bom::{ReadOptions, read_bom};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_xlsxwriter::Workbook;

const LINES: u32 = 100_000;

fn write_workbook() -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "camscope-bom-bench-{}-{LINES}.xlsx",
        std::process::id()
    ));
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Quote").unwrap();
    sheet
        .write_string(0, 0, "Distributor quote Q-2291")
        .unwrap();
    let headers = [
        "Manufacturer",
        "Model",
        "MPN",
        "Description",
        "COO",
        "Qty",
        "Unit Price",
        "Notes",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(2, col as u16, *header).unwrap();
    }
    let makers = ["Axis", "Hanwha Vision", "Bosch", "i-PRO", "Avigilon"];
    for i in 0..LINES {
        let row = i + 3;
        sheet
            .write_string(row, 0, makers[i as usize % makers.len()])
            .unwrap();
        sheet.write_string(row, 1, format!("M{i:06}-LVE")).unwrap();
        sheet.write_string(row, 2, format!("0{i:07}-001")).unwrap();
        sheet
            .write_string(row, 3, "Outdoor dome camera, 4MP")
            .unwrap();
        sheet.write_string(row, 4, "United States").unwrap();
        sheet.write_number(row, 5, f64::from(i % 40 + 1)).unwrap();
        sheet
            .write_number(row, 6, 199.99 + f64::from(i % 7))
            .unwrap();
    }
    workbook.save(&path).unwrap();
    path
}

fn bench(c: &mut Criterion) {
    let path = write_workbook();
    let opts = ReadOptions::default();
    let mut group = c.benchmark_group("read_xlsx");
    group.sample_size(10);
    group.bench_function("100k_lines", |b| {
        b.iter(|| {
            let bom = read_bom(black_box(&path), &opts).unwrap();
            assert_eq!(bom.lines.len(), LINES as usize);
            bom
        })
    });
    // calamine's parse alone, so the reader's own overhead is the difference between the two.
    group.bench_function("100k_lines_calamine_only", |b| {
        b.iter(|| {
            let mut workbook: Xlsx<_> = open_workbook(black_box(&path)).unwrap();
            workbook.worksheet_range("Quote").unwrap()
        })
    });
    group.finish();
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, bench);
criterion_main!(benches);
