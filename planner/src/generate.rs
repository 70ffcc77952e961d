//! The files `camscope generate` writes from a deployment: the plan's own bill of materials
//! (CSV and XLSX in the layout `camscope check` reads, so a designer can check their proposal),
//! The topology is [`crate::topology`]'s and the Frigate configurations [`crate::frigate`]'s.
//!
//! Everything here renders data into bytes; writing files is the CLI's job.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::deploy::{Choice, Manifest};
use crate::plan::Plan;
use crate::site::SiteFile;

/// Which part of the system a BOM line belongs to (the proposal subtotals by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BomSection {
    /// Cameras.
    Cameras,
    /// Recorders, servers and their drives.
    Recording,
    /// Switches.
    Network,
    /// VMS licences and care.
    Software,
}

impl BomSection {
    /// The section's name in a proposal.
    pub fn label(self) -> &'static str {
        match self {
            BomSection::Cameras => "cameras",
            BomSection::Recording => "recording",
            BomSection::Network => "network",
            BomSection::Software => "software",
        }
    }
}

/// One line of the plan's bill of materials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BomLine {
    /// The part of the system it belongs to.
    pub section: BomSection,
    /// Manufacturer, when the plan knows it.
    pub manufacturer: String,
    /// Brand.
    pub brand: String,
    /// Model.
    pub model: String,
    /// Part number (the catalog id for catalog items).
    pub part_number: String,
    /// What it is and what it is for.
    pub description: String,
    /// Country of origin, when known (the catalog does not record it: check flags it).
    pub country_of_origin: String,
    /// Quantity.
    pub qty: f64,
    /// Unit price in the plan's currency (empty when the plan does not price it).
    pub unit_price: Option<f64>,
}

/// Column headers, in the synonyms `camscope check` reads.
pub const BOM_HEADER: [&str; 8] = [
    "Manufacturer",
    "Brand",
    "Model",
    "Part Number",
    "Description",
    "Country of Origin",
    "Qty",
    "Unit Price",
];

/// The BOM's network lines: the manifest's switches, summed by model.
fn network_lines(catalog: &Catalog, m: &Manifest, rate: f64, lines: &mut Vec<BomLine>) {
    let mut switches: BTreeMap<String, u64> = BTreeMap::new();
    for sw in &m.network.switches {
        *switches.entry(sw.model_id.clone()).or_insert(0) += 1;
    }
    for (id, qty) in switches {
        let model = catalog.switch.iter().find(|s| s.id == id);
        lines.push(BomLine {
            section: BomSection::Network,
            manufacturer: String::new(),
            brand: String::new(),
            model: model.map_or_else(|| id.clone(), |s| s.name.clone()),
            part_number: id,
            description: "Network switch".into(),
            country_of_origin: String::new(),
            qty: qty as f64,
            unit_price: model.map(|s| s.price * rate),
        });
    }
}

/// The plan's bill of materials for the deployed option.
pub fn bill_of_materials(
    site: &SiteFile,
    catalog: &Catalog,
    plan: &Plan,
    m: &Manifest,
) -> Vec<BomLine> {
    let mut lines = Vec::new();
    let rate = if plan.currency.eq_ignore_ascii_case(&catalog.currency) {
        1.0
    } else {
        site.project.exchange_rate.map_or(1.0, |r| r.0)
    };
    // Cameras, per group, across copies.
    for (s, g) in site
        .sites
        .iter()
        .flat_map(|s| s.cameras.iter().map(move |g| (s, g)))
    {
        let gp = plan
            .groups
            .iter()
            .find(|p| p.site == s.name && g.name.as_deref().is_none_or(|n| n == p.name));
        let qty = u64::from(g.count.0) * u64::from(s.copies.0);
        lines.push(BomLine {
            section: BomSection::Cameras,
            manufacturer: g.brand.clone().unwrap_or_default(),
            brand: g.brand.clone().unwrap_or_default(),
            model: g.model.clone().unwrap_or_else(|| {
                format!("{} {} camera (model to be chosen)", g.resolution, g.codec)
            }),
            part_number: String::new(),
            description: format!(
                "IP camera {} {} {} fps — {} ({})",
                g.resolution,
                g.codec,
                gp.map_or(0.0, |p| p.fps),
                gp.map_or("", |p| p.name.as_str()),
                s.name
            ),
            country_of_origin: String::new(),
            qty: qty as f64,
            unit_price: None,
        });
    }
    // Recorders and drives, summed by model.
    let mut recorders: BTreeMap<(String, String), (u64, f64)> = BTreeMap::new();
    let mut drives: BTreeMap<u64, u64> = BTreeMap::new();
    let option = match m.option {
        Choice::Nvr => &plan.nvr.sites,
        Choice::Vms => &plan.vms.sites,
    };
    for s in option {
        for u in &s.units {
            let e = recorders
                .entry((u.model_id.clone(), u.model.clone()))
                .or_insert((0, u.unit_price));
            e.0 += u64::from(s.copies);
            *drives.entry(u.drive_size_bytes).or_insert(0) +=
                u64::from(u.drives) * u64::from(s.copies);
        }
    }
    for ((id, name), (qty, price)) in recorders {
        let (maker, model) = match catalog.nvr.iter().find(|n| n.id == id) {
            Some(n) => (n.maker.clone(), n.model.clone()),
            None => (String::new(), name.clone()),
        };
        lines.push(BomLine {
            section: BomSection::Recording,
            manufacturer: maker.clone(),
            brand: maker,
            model,
            part_number: id,
            description: if m.option == Choice::Nvr {
                format!("NVR appliance: {name}")
            } else {
                format!("Recording server: {name}")
            },
            country_of_origin: String::new(),
            qty: qty as f64,
            unit_price: Some(price),
        });
    }
    for (size, qty) in drives.into_iter().filter(|(s, q)| *s > 0 && *q > 0) {
        let drive = catalog.drive.iter().find(|d| d.size.get() == size);
        lines.push(BomLine {
            section: BomSection::Recording,
            manufacturer: String::new(),
            brand: String::new(),
            model: format!("{:.0} TB surveillance drive", size as f64 / 1e12),
            part_number: drive.map_or_else(String::new, |d| d.id.clone()),
            description: "3.5-inch surveillance-rated hard drive".into(),
            country_of_origin: String::new(),
            qty: qty as f64,
            unit_price: drive.map(|d| d.price * rate),
        });
    }
    network_lines(catalog, m, rate, &mut lines);
    // Licences and care, for the VMS option.
    if m.option == Choice::Vms
        && let Some(p) = catalog.vms_product(&plan.vms.product_id)
    {
        if p.base > 0.0 {
            lines.push(BomLine {
                section: BomSection::Software,
                manufacturer: p.maker.clone(),
                brand: p.maker.clone(),
                model: format!("{} base licence", p.name),
                part_number: format!("{}-base", p.id),
                description: "VMS base (system) licence".into(),
                country_of_origin: String::new(),
                qty: 1.0,
                unit_price: Some(p.base * rate),
            });
        }
        let paid = plan.vms.channels.saturating_sub(u64::from(p.free_channels));
        lines.push(BomLine {
            section: BomSection::Software,
            manufacturer: p.maker.clone(),
            brand: p.maker.clone(),
            model: format!("{} camera licence", p.name),
            part_number: format!("{}-channel", p.id),
            description: "VMS licence per camera channel".into(),
            country_of_origin: String::new(),
            qty: paid as f64,
            unit_price: Some(p.per_channel * rate),
        });
        let care = plan.vms.care_per_year.unwrap_or_default();
        let care_years = (plan.horizon_years + 1).saturating_sub(plan.vms.care_from_year);
        if care > crate::money::Money::ZERO && care_years > 0 {
            lines.push(BomLine {
                section: BomSection::Software,
                manufacturer: p.maker.clone(),
                brand: p.maker.clone(),
                model: format!("{} care / upgrade plan", p.name),
                part_number: format!("{}-care", p.id),
                description: format!(
                    "Yearly care for {} channels, per year, billed from year {}",
                    plan.vms.channels, plan.vms.care_from_year
                ),
                country_of_origin: String::new(),
                qty: f64::from(care_years),
                unit_price: Some(care.as_f64()),
            });
        }
    }
    lines
}

fn cells(l: &BomLine) -> [String; 8] {
    [
        l.manufacturer.clone(),
        l.brand.clone(),
        l.model.clone(),
        l.part_number.clone(),
        l.description.clone(),
        l.country_of_origin.clone(),
        format!("{}", l.qty),
        l.unit_price.map_or_else(String::new, |p| format!("{p:.2}")),
    ]
}

/// The BOM as CSV.
pub fn bom_csv(lines: &[BomLine]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(BOM_HEADER)?;
    for l in lines {
        w.write_record(cells(l))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The BOM as an XLSX workbook with numbers as numbers.
pub fn bom_xlsx(project: &str, lines: &[BomLine]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("BOM")?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        format!("{project} — bill of materials (camscope)"),
        &bold,
    )?;
    for (c, h) in BOM_HEADER.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let row = 3 + i as u32;
        let text = cells(l);
        for (c, v) in text.iter().enumerate().take(6) {
            if !v.is_empty() {
                sheet.write_string(row, c as u16, v)?;
            }
        }
        sheet.write_number(row, 6, l.qty)?;
        if let Some(p) = l.unit_price {
            sheet.write_number(row, 7, p)?;
        }
    }
    sheet.set_column_width(4, 48)?;
    sheet.set_column_width(2, 36)?;
    book.save_to_buffer()
}

/// The JSON Schema of `manifest.json`, as published in `docs/manifest.schema.json`.
pub fn manifest_schema() -> serde_json::Value {
    manifest::schema()
}
