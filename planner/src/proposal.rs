//! The proposal a designer sends: the plan, the deployment of the recommended option and, when
//! given, the BOM's compliance verdicts, turned into the `reports` crate's view model.
//!
//! Formatting (money, units, percentages) happens here so the template only lays things out.

use reports::chart::{
    LegendEntry, SeriesData, StackData, bar_chart, line_chart, stacked_bar_chart,
};
use reports::{
    AssumptionRow, Ceiling, CostKindRow, Fact, GroupRow, OptionColumn, ProposalBomRow,
    ProposalView, ReasonRow, TcoRow, TopologyRow,
};
use sizing::{Bitrate, Bytes};

use crate::check::CheckReport;
use crate::cost::{CostKind, Side, totals_by_kind};
use crate::deploy::Manifest;
use crate::figures::{Basis, FigureUsed};
use crate::money::Money;
use crate::plan::{Plan, SiteRecorders};
use crate::render::money;

fn kind_entry(kind: CostKind) -> LegendEntry {
    LegendEntry {
        name: kind.label().to_string(),
        class: format!("k-{}", kind.as_str()),
    }
}

/// Each option's spend over the horizon, stacked by kind: what the money in the cumulative
/// chart is made of. An option that cannot be built is a column that says so, never a zero.
fn cost_kinds_chart(plan: &Plan) -> reports::StackedBarChart {
    let column = |side: Side, label: &str| -> StackData {
        let segments = totals_by_kind(&plan.tco, side)
            .map(|totals| {
                CostKind::ALL
                    .iter()
                    .map(|&k| {
                        let v = totals.get(&k).copied().unwrap_or(Money::ZERO).as_f64();
                        (kind_entry(k), v)
                    })
                    .collect()
            })
            .ok_or_else(|| "cannot be built".to_string());
        (label.to_string(), segments)
    };
    stacked_bar_chart(
        &format!(
            "Spend over {} years by kind of cost ({})",
            plan.horizon_years, plan.currency
        ),
        &[
            column(Side::Nvr, "NVR appliances"),
            column(Side::Vms, "VMS"),
        ],
        &|v| money(v),
    )
}

/// The stacked chart's figures as a table, one row per kind either option spends on.
fn cost_kinds(plan: &Plan) -> Vec<CostKindRow> {
    let nvr = totals_by_kind(&plan.tco, Side::Nvr);
    let vms = totals_by_kind(&plan.tco, Side::Vms);
    let get = |t: &Option<crate::cost::Lines>, k| {
        t.as_ref()
            .map(|t| t.get(&k).copied().unwrap_or(Money::ZERO))
    };
    CostKind::ALL
        .iter()
        .filter_map(|&k| {
            let (n, v) = (get(&nvr, k), get(&vms, k));
            let zero = |m: Option<Money>| m.is_none_or(|m| m == Money::ZERO);
            if zero(n) && zero(v) {
                return None;
            }
            let shown = |m: Option<Money>| m.map_or_else(|| "—".to_string(), Money::whole);
            Some(CostKindRow {
                kind: k.label().to_string(),
                class: format!("k-{}", k.as_str()),
                nvr: shown(n),
                vms: shown(v),
                difference: match (n, v) {
                    (Some(n), Some(v)) => {
                        let d = n - v;
                        if d > Money::ZERO {
                            format!("+{}", d.whole())
                        } else {
                            d.whole()
                        }
                    }
                    _ => String::new(),
                },
            })
        })
        .collect()
}

fn pct(used: u64, limit: u64) -> f64 {
    if limit == 0 {
        0.0
    } else {
        used as f64 * 100.0 / limit as f64
    }
}

fn ceiling(label: &str, p: f64) -> Ceiling {
    Ceiling {
        label: label.to_string(),
        pct: format!("{p:.0}%"),
        width: p.clamp(0.0, 100.0),
        class: if p > 100.0 {
            "bad".into()
        } else if p > 85.0 {
            "review".into()
        } else {
            "good".into()
        },
    }
}

/// Highest use of each ceiling across an option's units.
fn ceilings(sites: &[SiteRecorders], poe: bool) -> Vec<Ceiling> {
    let units = || {
        sites
            .iter()
            .flat_map(|s| s.units.iter())
            .filter(|u| !u.failover)
    };
    let max = |f: &dyn Fn(&crate::plan::RecorderUnit) -> f64| units().map(f).fold(0.0, f64::max);
    let mut c = vec![
        ceiling(
            "Channels / cameras",
            max(&|u| pct(u64::from(u.cameras), u64::from(u.camera_limit))),
        ),
        ceiling(
            "Ingest (after reserve)",
            max(&|u| pct(u.ingest_bps, u.ingest_limit_bps)),
        ),
        // The need already includes the headroom (format loss, fill target, margin), so a full
        // array is the design working, not a warning.
        Ceiling {
            class: "good".into(),
            ..ceiling(
                "Storage incl. headroom",
                max(&|u| pct(u.capacity_needed_bytes, u.usable_bytes)),
            )
        },
    ];
    if poe && units().any(|u| u.poe_budget_mw > 0) {
        c.push(ceiling(
            "PoE budget",
            max(&|u| pct(u.poe_used_mw, u.poe_budget_mw)),
        ));
    }
    c
}

fn storage_of(sites: &[SiteRecorders]) -> u64 {
    sites
        .iter()
        .map(|s| s.units.iter().map(|u| u.usable_bytes).sum::<u64>() * u64::from(s.copies))
        .sum()
}

fn short(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        text.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// Builds the proposal view. `generated` is the time to print on it.
pub fn proposal_view(
    plan: &Plan,
    manifest: &Manifest,
    bom: Option<&CheckReport>,
    generated: &str,
) -> ProposalView {
    let c = &plan.currency;
    let s = &plan.summary;
    let summary = vec![
        Fact {
            label: "sites".into(),
            value: s.sites.to_string(),
        },
        Fact {
            label: "cameras".into(),
            value: s.cameras.to_string(),
        },
        Fact {
            label: "recorder ingest".into(),
            value: Bitrate(s.ingest_bps).to_string(),
        },
        Fact {
            label: "written per day".into(),
            value: Bytes(s.bytes_per_day).both(),
        },
        Fact {
            label: "usable storage needed".into(),
            value: Bytes(s.capacity_needed_bytes).both(),
        },
    ];
    let last = plan.tco.last();
    let nvr = &plan.nvr;
    let vms = &plan.vms;
    let options = vec![
        OptionColumn {
            name: "NVR appliances".into(),
            problem: nvr.problem.clone().unwrap_or_default(),
            rows: vec![
                Fact {
                    label: "Units".into(),
                    value: nvr.units.to_string(),
                },
                Fact {
                    label: "Usable storage".into(),
                    value: Bytes(storage_of(&nvr.sites)).both(),
                },
                Fact {
                    label: "Licences".into(),
                    value: "none (built in)".into(),
                },
                Fact {
                    label: "Purchase".into(),
                    value: cost_or_why(nvr.capex, nvr.problem.as_deref(), c),
                },
                Fact {
                    label: format!("{} years total", plan.horizon_years),
                    value: cost_or_why(
                        last.and_then(|y| y.nvr_cumulative),
                        nvr.problem.as_deref(),
                        c,
                    ),
                },
                Fact {
                    label: "Failover".into(),
                    value: "none".into(),
                },
            ],
            ceilings: ceilings(&nvr.sites, true),
            violations: nvr.violations.iter().map(|v| v.message.clone()).collect(),
        },
        OptionColumn {
            name: format!("VMS: {}", vms.product),
            problem: vms.problem.clone().unwrap_or_default(),
            rows: vec![
                Fact {
                    label: "Recording servers".into(),
                    value: format!("{} ({} failover)", vms.servers, vms.failover_servers),
                },
                Fact {
                    label: "Usable storage".into(),
                    value: Bytes(storage_of(&vms.sites)).both(),
                },
                Fact {
                    label: "Licences".into(),
                    value: format!(
                        "{} channels, {}",
                        vms.channels,
                        cost_or_why(vms.licence, vms.problem.as_deref(), c)
                    ),
                },
                Fact {
                    label: "Care per year".into(),
                    value: format!(
                        "{} (from year {})",
                        cost_or_why(vms.care_per_year, vms.problem.as_deref(), c),
                        vms.care_from_year
                    ),
                },
                Fact {
                    label: "Purchase".into(),
                    value: cost_or_why(
                        vms.hardware
                            .zip(vms.licence)
                            .zip(vms.platform)
                            .map(|((h, l), p)| h + l + p),
                        vms.problem.as_deref(),
                        c,
                    ),
                },
                Fact {
                    label: format!("{} years total", plan.horizon_years),
                    value: cost_or_why(
                        last.and_then(|y| y.vms_cumulative),
                        vms.problem.as_deref(),
                        c,
                    ),
                },
            ],
            ceilings: ceilings(&vms.sites, false),
            violations: vms.violations.iter().map(|v| v.message.clone()).collect(),
        },
    ];
    let years: Vec<String> = plan
        .tco
        .iter()
        .map(|y| format!("year {}", y.year))
        .collect();
    let crossover_index = plan
        .crossover
        .as_ref()
        .and_then(|x| plan.tco.iter().position(|y| y.year == x.year));
    // An option that cannot be built is not drawn at all (never at zero).
    let cumulative = |f: fn(&crate::cost::YearCost) -> Option<Money>| -> Option<Vec<f64>> {
        plan.tco.iter().map(|y| f(y).map(Money::as_f64)).collect()
    };
    let mut series = Vec::new();
    if let Some(values) = cumulative(|y| y.nvr_cumulative) {
        series.push(SeriesData {
            name: "NVR appliances".into(),
            class: "nvr".into(),
            values,
        });
    }
    if let Some(values) = cumulative(|y| y.vms_cumulative) {
        series.push(SeriesData {
            name: format!("VMS ({})", vms.product),
            class: "vms".into(),
            values,
        });
    }
    if let Some(cl) = &plan.cloud {
        series.push(SeriesData {
            name: format!(
                "Cloud ({}, {})",
                cl.name,
                if cl.comparable {
                    "priced by what it stores"
                } else {
                    "entry price, not comparable"
                }
            ),
            class: "cloud".into(),
            values: plan
                .tco
                .iter()
                .map(|y| y.cloud_cumulative.as_f64())
                .collect(),
        });
    }
    let tco_chart = line_chart(
        &format!("Cumulative cost ({c})"),
        &years,
        series,
        &|v| money(v),
        crossover_index.map(|i| (i, "crossover".to_string())),
    );
    let mut crossover = plan.costs.verdict.clone();
    if let Some(note) = &plan.recommendation.cost_note {
        crossover.push(' ');
        crossover.push_str(note);
    }
    let storage_chart = bar_chart(
        "Storage kept by camera group (TB)",
        &plan
            .groups
            .iter()
            .map(|g| {
                (
                    short(&g.name, 18),
                    g.bytes_total as f64 / 1e12,
                    "nvr".to_string(),
                )
            })
            .collect::<Vec<_>>(),
        &|v| format!("{v:.1}"),
    );
    let groups = plan
        .groups
        .iter()
        .map(|g| GroupRow {
            site: g.site.clone(),
            name: g.name.clone(),
            cameras: g.total_count,
            stream: format!("{} {} {} fps", g.resolution, g.codec, g.fps),
            bitrate: Bitrate(g.main_bps).to_string(),
            retention: format!("{} days", g.retention_days),
            storage: Bytes(g.bytes_total).both(),
        })
        .collect();
    let topology = manifest
        .sites
        .iter()
        .map(|si| {
            let links: Vec<_> = manifest
                .network
                .links
                .iter()
                .filter(|l| l.from.starts_with(&format!("{}/", si.id)))
                .collect();
            let busiest = links.iter().max_by(|a, b| {
                (a.load_bps() as f64 / a.limit_bps.max(1) as f64)
                    .total_cmp(&(b.load_bps() as f64 / b.limit_bps.max(1) as f64))
            });
            TopologyRow {
                site: si.name.clone(),
                cameras: manifest.cameras.iter().filter(|c| c.site == si.id).count(),
                recorders: manifest
                    .recorders
                    .iter()
                    .filter(|r| r.site == si.id)
                    .count(),
                switches: manifest
                    .network
                    .switches
                    .iter()
                    .filter(|s| s.site == si.id)
                    .count(),
                busiest: busiest.map_or_else(String::new, |l| format!("{} → {}", l.from, l.to)),
                load: busiest.map_or_else(String::new, |l| {
                    format!("{} / {}", Bitrate(l.load_bps()), Bitrate(l.limit_bps))
                }),
            }
        })
        .collect();
    let (bom_rows, bom_source) = match bom {
        Some(r) => (
            r.lines
                .iter()
                .map(|l| ProposalBomRow {
                    row: l.row,
                    item: [&l.manufacturer, &l.model, &l.part_number]
                        .iter()
                        .filter_map(|v| v.as_deref())
                        .collect::<Vec<_>>()
                        .join(" / "),
                    description: l.description.clone().unwrap_or_default(),
                    qty: l.qty.map_or_else(String::new, |q| format!("{q}")),
                    level: l.level.to_string(),
                    verdict_889: l.section_889.verdict.as_str().to_string(),
                    code_889: l.section_889.code.as_str().to_string(),
                    taa: format!(
                        "{}{}",
                        l.taa.verdict.as_str(),
                        l.taa
                            .country
                            .as_ref()
                            .map(|c| format!(" ({})", c.alpha2))
                            .unwrap_or_default()
                    ),
                })
                .collect(),
            format!(
                "{} — compliance data {} (as of {}, sha256 {}…), checked as of {}",
                r.file,
                r.data.version,
                r.data.as_of,
                &r.data.hash[..r.data.hash.len().min(12)],
                r.checked_on
            ),
        ),
        None => (Vec::new(), String::new()),
    };
    let data_stamp = match bom {
        Some(r) => format!(
            "catalog {} · compliance data {} (as of {})",
            plan.catalog.len(),
            r.data.version,
            r.data.as_of
        ),
        None => format!("catalog files: {}", plan.catalog.len()),
    };
    ProposalView {
        title: format!("Proposal — {}", plan.project),
        tool: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        generated: generated.to_string(),
        data_stamp,
        project: plan.project.clone(),
        currency: c.clone(),
        catalog: plan.catalog.join(", "),
        summary,
        choice: plan.recommendation.choice.to_string(),
        recommendation: plan.recommendation.summary.clone(),
        reasons: plan
            .recommendation
            .reasons
            .iter()
            .map(|r| ReasonRow {
                code: r.code.to_string(),
                text: r.text.clone(),
            })
            .collect(),
        options,
        horizon: plan.horizon_years,
        tco_chart,
        tco: plan
            .tco
            .iter()
            .map(|y| TcoRow {
                year: y.year,
                nvr: y.nvr.map_or_else(|| "not feasible".into(), Money::whole),
                vms: y.vms.map_or_else(|| "not feasible".into(), Money::whole),
                nvr_cumulative: y
                    .nvr_cumulative
                    .map_or_else(|| "not feasible".into(), Money::whole),
                vms_cumulative: y
                    .vms_cumulative
                    .map_or_else(|| "not feasible".into(), Money::whole),
                cloud_cumulative: y.cloud_cumulative.whole(),
            })
            .collect(),
        cost_kinds_chart: cost_kinds_chart(plan),
        cost_kinds: cost_kinds(plan),
        crossover,
        excluded_costs: plan.excluded_costs.to_string(),
        storage_chart,
        groups,
        topology_option: match manifest.option {
            crate::deploy::Choice::Nvr => "NVR".into(),
            crate::deploy::Choice::Vms => "VMS".into(),
        },
        topology,
        bom_source,
        bom: bom_rows,
        assumptions: plan.figures_used.iter().map(assumption_row).collect(),
    }
}

/// A figure the plan used, as the assumptions page shows it.
fn assumption_row(f: &FigureUsed) -> AssumptionRow {
    let value = if f.unit.is_empty() {
        f.value.clone()
    } else {
        format!("{} {}", f.value, f.unit)
    };
    let (class, basis, url, date) = match &f.basis {
        Basis::SiteFile => ("site", "set in the site file".to_string(), None, None),
        Basis::Source {
            title, url, date, ..
        } => ("source", title.clone(), url.clone(), Some(date.clone())),
        Basis::Assumed { why } => ("assumed", why.clone(), None, None),
    };
    AssumptionRow {
        entry: f.entry.clone(),
        what: f.what.clone(),
        value,
        class: class.into(),
        basis,
        url: url.unwrap_or_default(),
        date: date.unwrap_or_default(),
    }
}

/// "12,345 USD", or "not feasible: <why>" for an option that cannot be built.
fn cost_or_why(m: Option<Money>, why: Option<&str>, currency: &str) -> String {
    match (m, why) {
        (Some(m), None) => format!("{} {currency}", m.whole()),
        (_, Some(why)) => format!("not feasible: {why}"),
        (None, None) => "not feasible".into(),
    }
}
