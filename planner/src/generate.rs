//! The files `camscope generate` writes from a deployment: the plan's own bill of materials
//! (CSV and XLSX in the layout `camscope check` reads, so a designer can check their proposal),
//! The topology is [`crate::topology`]'s and the Frigate configurations [`crate::frigate`]'s.
//!
//! Everything here renders data into bytes; writing files is the CLI's job.

use std::collections::BTreeMap;

use serde::Serialize;

use sizing::{Bitrate, RaidLevel};

use crate::catalog::{Catalog, SwitchModel};
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
    /// Country of origin, when the catalog record states it with a source (the shipped catalog
    /// states none: `check` flags the empty cell).
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

/// What a line says about its product: who makes it, the model, what it is, where it is made.
struct Product {
    maker: String,
    model: String,
    description: String,
    origin: String,
}

impl Product {
    /// The product a catalog record names by `maker` and `model`, with its `origin` when a
    /// source states it; without a model, a placeholder: the class's `name` "(model to be
    /// chosen)" and the `constraint` the plan sized it to, with what the site requires.
    fn of(
        record: (Option<&str>, Option<&str>, Option<&str>),
        name: &str,
        description: String,
        constraint: String,
        site: &SiteFile,
    ) -> Product {
        let (maker, model, origin) = record;
        let maker = maker.unwrap_or_default().to_string();
        match model {
            Some(model) => Product {
                maker,
                model: model.to_string(),
                description,
                origin: origin.unwrap_or_default().to_string(),
            },
            None => Product {
                maker,
                model: format!("{name} (model to be chosen)"),
                description: format!("to be chosen: {constraint}{}", eligibility(site)),
                origin: String::new(),
            },
        }
    }

    /// The BOM line of `qty` of this product.
    fn line(
        self,
        section: BomSection,
        part_number: String,
        qty: u64,
        unit_price: Option<f64>,
    ) -> BomLine {
        BomLine {
            section,
            brand: self.maker.clone(),
            manufacturer: self.maker,
            model: self.model,
            part_number,
            description: self.description,
            country_of_origin: self.origin,
            qty: qty as f64,
            unit_price,
        }
    }
}

/// What the site requires of every product still to be chosen, appended to a placeholder's
/// constraint: a maker eligible under Section 889 (`requirements.section-889`) and a
/// TAA-designated country of origin (`requirements.taa`).
fn eligibility(site: &SiteFile) -> String {
    let mut out = String::new();
    if site.requirements.section_889 {
        out.push_str("; maker must be Section 889 eligible");
    }
    if site.requirements.taa {
        out.push_str(TAA_CONSTRAINT);
    }
    out
}

/// What `requirements.taa` asks of a product still to be chosen (a camera group's model too).
const TAA_CONSTRAINT: &str = "; country of origin must be TAA-designated";

/// A speed as a buyer reads it: "1 Gbit/s", "600 Mbit/s", "2.5 Gbit/s".
fn speed(b: Bitrate) -> String {
    let bps = b.bps() as f64;
    let (value, unit) = if bps >= 1e9 {
        (bps / 1e9, "Gbit/s")
    } else {
        (bps / 1e6, "Mbit/s")
    };
    format!("{} {unit}", trimmed(value))
}

/// A number with at most one decimal and no trailing ".0".
fn trimmed(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_string()
}

/// A RAID level as a datasheet names it.
fn raid_label(level: RaidLevel) -> &'static str {
    match level {
        RaidLevel::None => "independent disks (no RAID)",
        RaidLevel::Raid1 => "RAID 1",
        RaidLevel::Raid5 => "RAID 5",
        RaidLevel::Raid6 => "RAID 6",
        RaidLevel::Raid10 => "RAID 10",
    }
}

/// What a switch to be chosen must offer: its ports and PoE, port speed, uplinks, role.
fn switch_constraint(s: &SwitchModel) -> String {
    let poe_class = match s.poe_per_port.map(|w| w.milliwatts()) {
        Some(mw) if mw <= 15_400 => "PoE".to_string(),
        Some(mw) if mw <= 30_000 => "PoE+".to_string(),
        Some(mw) => format!("PoE++ ({} W per port)", trimmed(mw as f64 / 1000.0)),
        None => "PoE".to_string(),
    };
    let budget = trimmed(s.poe_budget.milliwatts() as f64 / 1000.0);
    let mut parts = vec![match s.poe_ports {
        0 => format!("{} ports", s.ports),
        n if n == s.ports => format!("{n} ports {poe_class} ({budget} W budget)"),
        n => format!("{} ports, {n} {poe_class} ({budget} W budget)", s.ports),
    }];
    parts.push(format!("{} ports", speed(s.port_speed)));
    if s.uplinks > 0 {
        parts.push(format!("{} × {} uplinks", s.uplinks, speed(s.uplink)));
    }
    if s.core {
        parts.push("aggregation (core)".into());
    }
    parts.join(", ")
}

/// The BOM's network lines: the manifest's switches, summed by model.
fn network_lines(
    site: &SiteFile,
    catalog: &Catalog,
    m: &Manifest,
    rate: f64,
    lines: &mut Vec<BomLine>,
) {
    let mut switches: BTreeMap<String, u64> = BTreeMap::new();
    for sw in &m.network.switches {
        *switches.entry(sw.model_id.clone()).or_insert(0) += 1;
    }
    for (id, qty) in switches {
        let Some(s) = catalog.switch.iter().find(|s| s.id == id) else {
            let unknown = Product {
                maker: String::new(),
                model: id.clone(),
                description: "Network switch".into(),
                origin: String::new(),
            };
            lines.push(unknown.line(BomSection::Network, id, qty, None));
            continue;
        };
        let product = Product::of(
            (s.maker.as_deref(), s.model.as_deref(), s.origin.as_deref()),
            &s.name,
            "Network switch".into(),
            switch_constraint(s),
            site,
        );
        lines.push(product.line(BomSection::Network, id, qty, Some(s.price * rate)));
    }
}

/// The BOM's camera lines: one per group, across the site's copies.
fn camera_lines(site: &SiteFile, plan: &Plan, lines: &mut Vec<BomLine>) {
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
                "IP camera {} {} {} fps — {} ({}){}",
                g.resolution,
                g.codec,
                gp.map_or(0.0, |p| p.fps),
                gp.map_or("", |p| p.name.as_str()),
                s.name,
                if g.model.is_none() && site.requirements.taa {
                    TAA_CONSTRAINT
                } else {
                    ""
                }
            ),
            country_of_origin: String::new(),
            qty: qty as f64,
            unit_price: None,
        });
    }
}

/// The BOM's recorder and drive lines for the deployed option, summed by model and by drive
/// size across the sites' copies.
fn recording_lines(
    site: &SiteFile,
    catalog: &Catalog,
    plan: &Plan,
    m: &Manifest,
    rate: f64,
    lines: &mut Vec<BomLine>,
) {
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
        let product = recorder_product(site, catalog, plan, &id, &name, m.option);
        lines.push(product.line(BomSection::Recording, id, qty, Some(price)));
    }
    for (size, qty) in drives.into_iter().filter(|(s, q)| *s > 0 && *q > 0) {
        let drive = catalog.drive.iter().find(|d| d.size.get() == size);
        let tb = format!("{:.0} TB", size as f64 / 1e12);
        let product = Product::of(
            drive.map_or((None, None, None), |d| {
                (d.maker.as_deref(), d.model.as_deref(), d.origin.as_deref())
            }),
            &format!("{tb} surveillance drive"),
            "3.5-inch surveillance-rated hard drive".into(),
            format!("{tb} 3.5-inch surveillance-rated drive"),
            site,
        );
        let part = drive.map_or_else(String::new, |d| d.id.clone());
        lines.push(product.line(
            BomSection::Recording,
            part,
            qty,
            drive.map(|d| d.price * rate),
        ));
    }
}

/// The product of a recorder line: an NVR appliance by its maker and model, a recording server
/// by the maker and model its record names, or a server to be chosen with the ceilings the plan
/// sized it to and the site's RAID level.
fn recorder_product(
    site: &SiteFile,
    catalog: &Catalog,
    plan: &Plan,
    id: &str,
    name: &str,
    option: Choice,
) -> Product {
    let described = |kind: &str| format!("{kind}: {name}");
    if option == Choice::Nvr {
        let record = catalog.nvr.iter().find(|n| n.id == id);
        return Product {
            maker: record.map_or_else(String::new, |n| n.maker.clone()),
            model: record.map_or_else(|| name.to_string(), |n| n.model.clone()),
            description: described("NVR appliance"),
            origin: record.and_then(|n| n.origin.clone()).unwrap_or_default(),
        };
    }
    match catalog.server.iter().find(|s| s.id == id) {
        Some(s) => Product::of(
            (s.maker.as_deref(), s.model.as_deref(), s.origin.as_deref()),
            &s.name,
            described("Recording server"),
            format!(
                "at least {} cameras and {} ingest, {} bays, {}",
                s.cameras,
                speed(s.ingest),
                s.bays,
                raid_label(plan.storage.raid)
            ),
            site,
        ),
        None => Product {
            maker: String::new(),
            model: name.to_string(),
            description: described("Recording server"),
            origin: String::new(),
        },
    }
}

/// The BOM's software lines for the VMS option: base and channel licences and care years.
fn software_lines(
    catalog: &Catalog,
    plan: &Plan,
    m: &Manifest,
    rate: f64,
    lines: &mut Vec<BomLine>,
) {
    if m.option != Choice::Vms {
        return;
    }
    let Some(p) = catalog.vms_product(&plan.vms.product_id) else {
        return;
    };
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

/// The plan's bill of materials for the deployed option: cameras, recording, network and
/// software lines, in that order.
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
    camera_lines(site, plan, &mut lines);
    recording_lines(site, catalog, plan, m, rate, &mut lines);
    network_lines(site, catalog, m, rate, &mut lines);
    software_lines(catalog, plan, m, rate, &mut lines);
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
