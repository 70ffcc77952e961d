//! The files `camscope generate` writes from a deployment: the plan's own bill of materials
//! (CSV and XLSX in the layout `camscope check` reads, so a designer can check their proposal),
//! the topology as Graphviz, and a Frigate NVR configuration.
//!
//! Everything here renders data into bytes; writing files is the CLI's job.

use std::collections::BTreeMap;

use petgraph::graph::DiGraph;
use serde::Serialize;
use sizing::Bitrate;

use crate::catalog::Catalog;
use crate::deploy::{Choice, Link, Manifest};
use crate::plan::Plan;
use crate::site::SiteFile;

/// One line of the plan's bill of materials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BomLine {
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
    // Switches, summed by model.
    let mut switches: BTreeMap<String, u64> = BTreeMap::new();
    for sw in &m.network.switches {
        *switches.entry(sw.model_id.clone()).or_insert(0) += 1;
    }
    for (id, qty) in switches {
        let model = catalog.switch.iter().find(|s| s.id == id);
        lines.push(BomLine {
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
    // Licences and care, for the VMS option.
    if m.option == Choice::Vms
        && let Some(p) = catalog.vms_product(&plan.vms.product_id)
    {
        if p.base > 0.0 {
            lines.push(BomLine {
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

/// The network as a directed graph (camera side → recorder side), for Graphviz.
pub fn topology_graph(m: &Manifest) -> DiGraph<String, &Link> {
    let mut g = DiGraph::new();
    let mut index = BTreeMap::new();
    for l in &m.network.links {
        for end in [&l.from, &l.to] {
            if !index.contains_key(end) {
                index.insert(end.clone(), g.add_node(end.clone()));
            }
        }
        g.add_edge(index[&l.from], index[&l.to], l);
    }
    g
}

/// Graphviz DOT of the topology: every link labelled with its load and limit, links over their
/// limit drawn red.
pub fn topology_dot(m: &Manifest) -> String {
    use petgraph::dot::{Config, Dot};
    let g = topology_graph(m);
    let shape = |id: &str| {
        if m.cameras.iter().any(|c| c.id == id) {
            "shape=ellipse"
        } else if m.recorders.iter().any(|r| r.id == id) {
            "shape=box3d"
        } else if m.network.clients.iter().any(|c| c.id == id) {
            "shape=note"
        } else {
            "shape=box"
        }
    };
    let edge_attrs = |_: &DiGraph<String, &Link>, e: petgraph::graph::EdgeReference<&Link>| {
        let l = e.weight();
        let colour = if l.load_bps() > l.limit_bps {
            ", color=red, fontcolor=red"
        } else {
            ""
        };
        format!(
            "label=\"{} / {}\"{colour}",
            Bitrate(l.load_bps()),
            Bitrate(l.limit_bps)
        )
    };
    let node_attrs = |_: &DiGraph<String, &Link>,
                      (_, id): (petgraph::graph::NodeIndex, &String)| {
        format!("label=\"{}\", {}", id.replace('"', "'"), shape(id))
    };
    let dot = Dot::with_attr_getters(
        &g,
        &[Config::EdgeNoLabel, Config::NodeNoLabel],
        &edge_attrs,
        &node_attrs,
    );
    format!(
        "// {} — {} option, generated by camscope\n{dot:?}",
        m.project.replace('\n', " "),
        match m.option {
            Choice::Nvr => "NVR",
            Choice::Vms => "VMS",
        }
    )
}

#[derive(Serialize)]
struct FrigateConfig {
    mqtt: FrigateMqtt,
    record: FrigateRecordGlobal,
    cameras: BTreeMap<String, FrigateCamera>,
}

#[derive(Serialize)]
struct FrigateMqtt {
    enabled: bool,
}

#[derive(Serialize)]
struct FrigateRecordGlobal {
    enabled: bool,
}

#[derive(Serialize)]
struct FrigateCamera {
    ffmpeg: FrigateFfmpeg,
    detect: FrigateDetect,
    record: FrigateRecord,
}

#[derive(Serialize)]
struct FrigateFfmpeg {
    inputs: Vec<FrigateInput>,
}

#[derive(Serialize)]
struct FrigateInput {
    path: String,
    roles: Vec<&'static str>,
}

#[derive(Serialize)]
struct FrigateDetect {
    enabled: bool,
}

#[derive(Serialize)]
struct FrigateRecord {
    enabled: bool,
    continuous: FrigateDays,
    motion: FrigateDays,
}

#[derive(Serialize)]
struct FrigateDays {
    days: u32,
}

/// Environment variables Frigate substitutes into its configuration (it only expands names that
/// start with `FRIGATE_`), so the generated file never holds a credential.
pub const FRIGATE_USER_VAR: &str = "FRIGATE_RTSP_USER";
/// See [`FRIGATE_USER_VAR`].
pub const FRIGATE_PASSWORD_VAR: &str = "FRIGATE_RTSP_PASSWORD";

/// A Frigate configuration with one camera per entry: its RTSP input(s) and its retention
/// (continuous recording keeps `continuous` days; motion and event recording keep `motion` days).
pub fn frigate_yaml(m: &Manifest) -> Result<String, serde_norway::Error> {
    let mut cameras = BTreeMap::new();
    for c in &m.cameras {
        let url = |path: &str| {
            format!(
                "rtsp://{{{FRIGATE_USER_VAR}}}:{{{FRIGATE_PASSWORD_VAR}}}@{}:554{path}",
                c.address
            )
        };
        let mut inputs = vec![FrigateInput {
            path: url(&c.main_stream_path),
            roles: vec!["record"],
        }];
        if let Some(sub) = &c.sub_stream_path {
            inputs.push(FrigateInput {
                path: url(sub),
                roles: vec!["detect"],
            });
        }
        let continuous = c.recording.mode == "continuous" || c.recording.mode == "schedule";
        cameras.insert(
            // Frigate camera names are identifiers: letters, digits, underscores.
            c.id.replace(['/', '-', '.'], "_"),
            FrigateCamera {
                ffmpeg: FrigateFfmpeg { inputs },
                detect: FrigateDetect {
                    enabled: c.sub_stream_path.is_some(),
                },
                record: FrigateRecord {
                    enabled: true,
                    continuous: FrigateDays {
                        days: if continuous { c.retention_days } else { 0 },
                    },
                    motion: FrigateDays {
                        days: c.retention_days,
                    },
                },
            },
        );
    }
    let header = format!(
        "# Frigate configuration for {} ({} cameras), generated by camscope.\n# Credentials come from the environment: set {FRIGATE_USER_VAR} and {FRIGATE_PASSWORD_VAR}.\n",
        m.project.replace('\n', " "),
        m.cameras.len()
    );
    let body = serde_norway::to_string(&FrigateConfig {
        mqtt: FrigateMqtt { enabled: false },
        record: FrigateRecordGlobal { enabled: true },
        cameras,
    })?;
    Ok(header + &body)
}

/// The JSON Schema of `manifest.json`, as published in `docs/manifest.schema.json`.
pub fn manifest_schema() -> serde_json::Value {
    manifest::schema()
}
