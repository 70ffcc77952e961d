//! The proposal a designer sends: the plan, the deployment of the recommended option and, when
//! given, the BOM's compliance verdicts, turned into the `reports` crate's view model.
//!
//! Formatting (money, units, percentages) happens here so the template only lays things out.

use reports::chart::{
    LegendEntry, SeriesData, StackData, bar_chart, line_chart, stacked_bar_chart,
};
use reports::{
    AssumptionRow, Ceiling, CostKindRow, Fact, GroupRow, OptionColumn, PricedBomRow,
    ProposalBomRow, ProposalView, ReasonRow, ScheduleRow, TcoRow, TopologyRow,
};
use sizing::{Bitrate, Bytes};

use crate::check::CheckReport;
use crate::cost::{CostKind, Side, totals_by_kind};
use crate::deploy::{Manifest, SwitchRole};
use crate::figures::{Basis, FigureUsed};
use crate::generate::{BomLine, BomSection};
use crate::money::Money;
use crate::plan::{Plan, RecorderUnit, SiteRecorders};
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

/// The proposal's view model, stage by stage: the summary, both options side by side, the costs,
/// storage, the design schedule and priced bill of materials of the option deployed (`priced`
/// is [`crate::generate::bill_of_materials`] of `manifest`), the network, the BOM's compliance
/// verdicts when one was checked, the assumptions and the reason codes.
pub fn proposal_view(
    plan: &Plan,
    manifest: &Manifest,
    priced: &[BomLine],
    bom: Option<&CheckReport>,
    generated: &str,
) -> ProposalView {
    let c = &plan.currency;
    let (bom_rows, bom_source) = compliance_rows(bom);
    let priced = priced_bom(priced, c);
    let data_stamp = match bom {
        Some(r) => format!("catalog {} · {}", plan.catalog.len(), r.data.stamp),
        None => format!("catalog files: {}", plan.catalog.len()),
    };
    let mut crossover = plan.costs.verdict.clone();
    if let Some(note) = &plan.recommendation.cost_note {
        crossover.push(' ');
        crossover.push_str(note);
    }
    ProposalView {
        title: format!("Proposal — {}", plan.project),
        tool: format!("camscope {}", env!("CARGO_PKG_VERSION")),
        generated: generated.to_string(),
        data_stamp,
        project: plan.project.clone(),
        customer: plan
            .proposal
            .customer
            .clone()
            .unwrap_or_else(|| plan.project.clone()),
        details: detail_facts(plan, generated),
        currency: c.clone(),
        catalog: plan.catalog.join(", "),
        summary: summary_facts(plan),
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
        options: vec![nvr_column(plan), vms_column(plan)],
        horizon: plan.horizon_years,
        tco_chart: tco_chart(plan),
        tco: tco_rows(plan),
        cost_kinds_chart: cost_kinds_chart(plan),
        cost_kinds: cost_kinds(plan),
        crossover,
        excluded_costs: plan.excluded_costs.to_string(),
        storage_chart: storage_chart(plan),
        groups: group_rows(plan),
        topology_option: match manifest.option {
            crate::deploy::Choice::Nvr => "NVR".into(),
            crate::deploy::Choice::Vms => "VMS".into(),
        },
        topology: topology_rows(manifest),
        bom_source,
        bom: bom_rows,
        assumptions: plan.figures_used.iter().map(assumption_row).collect(),
        schedule: schedule_rows(plan, manifest),
        priced_bom: priced.rows,
        bom_subtotals: priced.subtotals,
        bom_total: priced.total,
        bom_unpriced: priced.unpriced,
        growth: growth_view(plan),
        screenings: screening_views(plan),
    }
}

/// The Section 889 and TAA screenings the site requires, in the customer's words: each finding
/// with its severity and place, the verdict words without underscores and no codes (the codes
/// are the plan's JSON's and `camscope plan`'s).
fn screening_views(plan: &Plan) -> Vec<reports::ScreeningView> {
    let screenings = [
        (
            &plan.section_889,
            "Section 889 screening",
            "The cameras the site file names, by brand and model, checked against NDAA FY2019 Section 889 (covered entities, their subsidiaries, affiliates and OEM brands); the NVR appliances the plan may pick exclude covered makers. The servers, drives, switches and VMS software are not screened here: check the generated bill of materials line by line (camscope check) before ordering.",
        ),
        (
            &plan.taa,
            "Trade Agreements Act screening (country of origin)",
            "The cameras the site file names and the recorder, server and drive models the plan picks, checked for a US or FAR 25.003 designated country of origin. The network switches and the VMS software are not screened here: check the generated bill of materials line by line (camscope check) before ordering.",
        ),
    ];
    screenings
        .into_iter()
        .filter(|(s, _, _)| s.required)
        .map(|(s, title, scope)| reports::ScreeningView {
            title: title.to_string(),
            scope: scope.to_string(),
            data: s.data.clone(),
            findings: s
                .findings
                .iter()
                .map(|f| {
                    let error = f.severity == crate::severity::Severity::Error;
                    reports::ScreeningRow {
                        severity: if error { "Error" } else { "Warning" }.to_string(),
                        class: if error { "bad" } else { "review" }.to_string(),
                        place: place_words(&f.place),
                        message: verdict_words(&f.message),
                    }
                })
                .collect(),
            cleared: s.cleared.iter().map(|c| cleared_words(c)).collect(),
        })
        .collect()
}

/// Where a finding is, in words: a site file place as it is ("site Store / group Tills"), a
/// catalog product by its kind with its catalog id in parentheses ("server (catalog id
/// rack-2u-128)"); its maker and model lead the message.
fn place_words(place: &str) -> String {
    if place.starts_with("site ") || place.starts_with("requirements") {
        return place.to_string();
    }
    match place.rsplit_once(' ') {
        Some((kind, id)) => format!("{kind} (catalog id {id})"),
        None => place.to_string(),
    }
}

/// A screening's verdict words as a customer reads them: "non-designated", "not covered".
fn verdict_words(text: &str) -> String {
    text.replace("non_designated", "non-designated")
        .replace("not_covered", "not covered")
        .replace("needs_review", "needs review")
}

/// A cleared entry ("Axis P3265-LVE: not_covered (maker-cleared)", or with " — reason" after
/// the code) without its code.
fn cleared_words(line: &str) -> String {
    let (head, reason) = match line.split_once(" — ") {
        Some((h, r)) => (h, Some(r)),
        None => (line, None),
    };
    let head = match head.rfind(" (") {
        Some(at) if head.ends_with(')') => &head[..at],
        _ => head,
    };
    let text = match reason {
        Some(r) => format!("{head} — {r}"),
        None => head.to_string(),
    };
    verdict_words(&text)
}

/// The proposal's details in its header: who prepared it, its reference, its date (the day it
/// was generated when the site file gives none) and until when it holds (said when not given).
fn detail_facts(plan: &Plan, generated: &str) -> Vec<Fact> {
    let d = &plan.proposal;
    let fact = |label: &str, value: String| Fact {
        label: label.into(),
        value,
    };
    let mut facts = Vec::new();
    if let Some(by) = &d.prepared_by {
        facts.push(fact("prepared by", by.clone()));
    }
    if let Some(r) = &d.reference {
        facts.push(fact("reference", r.clone()));
    }
    let today = generated.split([' ', 'T']).next().unwrap_or(generated);
    facts.push(fact(
        "dated",
        d.date.clone().unwrap_or_else(|| today.to_string()),
    ));
    facts.push(fact(
        "valid until",
        d.valid_until
            .clone()
            .unwrap_or_else(|| "not stated (prices as of the catalog's dates)".to_string()),
    ));
    facts
}

/// The headline figures.
fn summary_facts(plan: &Plan) -> Vec<Fact> {
    let s = &plan.summary;
    let fact = |label: &str, value: String| Fact {
        label: label.into(),
        value,
    };
    let mut facts = vec![
        fact("sites", s.sites.to_string()),
        fact("cameras", s.cameras.to_string()),
        fact("recorder ingest", Bitrate(s.ingest_bps).to_string()),
        fact("written per day", Bytes(s.bytes_per_day).both()),
        fact(
            "usable storage needed",
            Bytes(s.capacity_needed_bytes).both(),
        ),
    ];
    // Central recording: which sites record elsewhere, and the WAN uplink each copy needs.
    for w in &plan.central_recording {
        let label = format!("central recording: {} → {}", w.site, w.records_at);
        let value = w
            .text
            .split_once(": ")
            .map_or(w.text.as_str(), |(_, rest)| rest);
        facts.push(fact(&label, value.to_string()));
    }
    for t in &plan.central_intake {
        let label = format!("WAN intake at {}", t.site);
        let value = t
            .text
            .strip_prefix(&format!("{} ", t.site))
            .unwrap_or(&t.text);
        facts.push(fact(&label, value.to_string()));
    }
    facts
}

/// The NVR option's column.
fn nvr_column(plan: &Plan) -> OptionColumn {
    let (c, nvr, last) = (&plan.currency, &plan.nvr, plan.tco.last());
    let fact = |label: String, value: String| Fact { label, value };
    OptionColumn {
        name: "NVR appliances".into(),
        problem: nvr.problem.clone().unwrap_or_default(),
        rows: vec![
            fact(
                "Units".into(),
                built(nvr.feasible, || nvr.units.to_string()),
            ),
            fact(
                "Usable storage".into(),
                built(nvr.feasible, || Bytes(storage_of(&nvr.sites)).both()),
            ),
            fact("Licences".into(), "none (built in)".into()),
            fact(
                "Purchase".into(),
                cost_or_why(nvr.capex, nvr.problem.as_deref(), c),
            ),
            fact(
                format!("{} years total", plan.horizon_years),
                cost_or_why(
                    last.and_then(|y| y.nvr_cumulative),
                    nvr.problem.as_deref(),
                    c,
                ),
            ),
            fact("Failover".into(), "none".into()),
        ],
        ceilings: match nvr.feasible {
            true => ceilings(&nvr.sites, true),
            false => Vec::new(),
        },
        violations: nvr.violations.iter().map(|v| v.message.clone()).collect(),
    }
}

/// The VMS option's column.
fn vms_column(plan: &Plan) -> OptionColumn {
    let (c, vms, last) = (&plan.currency, &plan.vms, plan.tco.last());
    let why = vms.problem.as_deref();
    let fact = |label: String, value: String| Fact { label, value };
    OptionColumn {
        name: format!("VMS: {}", vms.product),
        problem: vms.problem.clone().unwrap_or_default(),
        rows: vec![
            fact(
                "Recording servers".into(),
                built(vms.feasible, || {
                    format!("{} ({} failover)", vms.servers, vms.failover_servers)
                }),
            ),
            fact(
                "Usable storage".into(),
                built(vms.feasible, || Bytes(storage_of(&vms.sites)).both()),
            ),
            fact(
                "Licences".into(),
                format!(
                    "{} channels, {}",
                    vms.channels,
                    cost_or_why(vms.licence, why, c)
                ),
            ),
            fact(
                "Care per year".into(),
                format!(
                    "{} (from year {})",
                    cost_or_why(vms.care_per_year, why, c),
                    vms.care_from_year
                ),
            ),
            fact(
                "Purchase".into(),
                cost_or_why(
                    vms.hardware
                        .zip(vms.licence)
                        .zip(vms.platform)
                        .map(|((h, l), p)| h + l + p),
                    why,
                    c,
                ),
            ),
            fact(
                format!("{} years total", plan.horizon_years),
                cost_or_why(last.and_then(|y| y.vms_cumulative), why, c),
            ),
        ],
        ceilings: match vms.feasible {
            true => ceilings(&vms.sites, false),
            false => Vec::new(),
        },
        violations: vms.violations.iter().map(|v| v.message.clone()).collect(),
    }
}

/// The cumulative cost chart. An option that cannot be built is not drawn at all (never at
/// zero).
fn tco_chart(plan: &Plan) -> reports::LineChart {
    let years: Vec<String> = plan
        .tco
        .iter()
        .map(|y| format!("year {}", y.year))
        .collect();
    let crossover_index = plan
        .crossover
        .as_ref()
        .and_then(|x| plan.tco.iter().position(|y| y.year == x.year));
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
            name: format!("VMS ({})", plan.vms.product),
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
    line_chart(
        &format!("Cumulative cost ({})", plan.currency),
        &years,
        series,
        &|v| money(v),
        crossover_index.map(|i| (i, "crossover".to_string())),
    )
}

/// The cost per year, "not feasible" for an option that cannot be built.
fn tco_rows(plan: &Plan) -> Vec<TcoRow> {
    let shown = |m: Option<Money>| m.map_or_else(|| "not feasible".into(), Money::whole);
    plan.tco
        .iter()
        .map(|y| TcoRow {
            year: y.year,
            nvr: shown(y.nvr),
            vms: shown(y.vms),
            nvr_cumulative: shown(y.nvr_cumulative),
            vms_cumulative: shown(y.vms_cumulative),
            cloud_cumulative: y.cloud_cumulative.whole(),
        })
        .collect()
}

/// Storage kept by each camera group.
fn storage_chart(plan: &Plan) -> reports::BarChart {
    bar_chart(
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
    )
}

fn group_rows(plan: &Plan) -> Vec<GroupRow> {
    plan.groups
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
        .collect()
}

/// Each deployed site instance's cameras, recorders, switches and busiest link.
fn topology_rows(manifest: &Manifest) -> Vec<TopologyRow> {
    manifest
        .sites
        .iter()
        .map(|si| {
            let prefix = format!("{}/", si.id);
            let busiest = manifest
                .network
                .links
                .iter()
                .filter(|l| l.from.starts_with(&prefix))
                .max_by(|a, b| {
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
        .collect()
}

/// The checked BOM's lines with their verdicts, and where the verdicts come from.
fn compliance_rows(bom: Option<&CheckReport>) -> (Vec<ProposalBomRow>, String) {
    let Some(r) = bom else {
        return (Vec::new(), String::new());
    };
    let rows = r
        .lines
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
            verdict_889: l.section_889.verdict.as_str().replace('_', " "),
            taa: format!(
                "{}{}",
                l.taa.verdict.as_str().replace('_', " "),
                l.taa
                    .country
                    .as_ref()
                    .map(|c| format!(" ({})", c.alpha2))
                    .unwrap_or_default()
            ),
        })
        .collect();
    let source = format!(
        "{} — {}, checked as of {}",
        r.file, r.data.stamp, r.checked_on
    );
    (rows, source)
}

/// The design schedule of the deployed option: per site, identical recorders summarised on one
/// line (model, role and storage build alike), what they carry at most, and the site's switches
/// as its first copy deploys them.
fn schedule_rows(plan: &Plan, manifest: &Manifest) -> Vec<ScheduleRow> {
    let sites = match manifest.option {
        crate::deploy::Choice::Nvr => &plan.nvr.sites,
        crate::deploy::Choice::Vms => &plan.vms.sites,
    };
    let mut rows = Vec::new();
    for (si, s) in sites.iter().enumerate() {
        let mut kinds: Vec<(&RecorderUnit, Vec<&RecorderUnit>)> = Vec::new();
        for u in &s.units {
            let same = |k: &RecorderUnit| {
                k.model_id == u.model_id && k.failover == u.failover && k.layout == u.layout
            };
            match kinds.iter_mut().find(|(k, _)| same(k)) {
                Some((_, all)) => all.push(u),
                None => kinds.push((u, vec![u])),
            }
        }
        let switches = site_switches(manifest, &s.site, si);
        let label = if s.copies > 1 {
            format!("{} ×{}", s.site, s.copies)
        } else {
            s.site.clone()
        };
        // A site recording at another site's recorders has none: its row says where its
        // cameras record and what its WAN uplink carries, and lists its switches.
        if s.units.is_empty()
            && let Some(w) = plan.central_recording.iter().find(|w| w.site == s.site)
        {
            // Growth bought now: the link is sized, and deployed, for the grown cameras.
            let (cameras, wire, needed) = w.as_bought(plan.grows_now());
            rows.push(ScheduleRow {
                site: label,
                model: format!("none: recorded at {}", w.records_at),
                count: 0,
                channels: match cameras == w.cameras {
                    true => format!("{cameras} cameras"),
                    false => format!("{cameras} cameras ({} today)", w.cameras),
                },
                ingest: format!(
                    "{} over the WAN (link of {} needed)",
                    Bitrate(wire),
                    Bitrate(needed)
                ),
                raid: String::new(),
                drives: String::new(),
                spares: 0,
                switches,
                over: if w.too_small() {
                    w.text.clone()
                } else {
                    String::new()
                },
            });
            continue;
        }
        for (n, (first, all)) in kinds.iter().enumerate() {
            rows.push(schedule_row(
                plan,
                first,
                all,
                if n == 0 { label.clone() } else { String::new() },
                if n == 0 {
                    switches.clone()
                } else {
                    String::new()
                },
            ));
        }
    }
    rows
}

fn schedule_row(
    plan: &Plan,
    first: &RecorderUnit,
    all: &[&RecorderUnit],
    site: String,
    switches: String,
) -> ScheduleRow {
    // A failover server carries nothing until it takes over: its row shows what it takes over.
    let most = |f: fn(&RecorderUnit) -> u64| all.iter().map(|u| f(u)).max().unwrap_or(0);
    let cameras_of = |u: &RecorderUnit| u.covers.as_ref().map_or(u.cameras, |c| c.cameras);
    let least = all.iter().map(|u| cameras_of(u)).min().unwrap_or(0);
    let cameras = most(|u| u64::from(u.covers.as_ref().map_or(u.cameras, |c| c.cameras)));
    let channels = if u64::from(least) == cameras {
        format!("{cameras} of {}", first.camera_limit)
    } else {
        format!("{least}–{cameras} of {}", first.camera_limit)
    };
    let (raid, drives) = match first.layout.split_once(" (") {
        Some((drives, raid)) => (raid.trim_end_matches(')').to_string(), drives.to_string()),
        None => (first.layout.clone(), String::new()),
    };
    let over: Vec<String> = all
        .iter()
        .flat_map(|u| crate::plan::unit_violations(&first.model, u))
        .map(|v| v.message)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    ScheduleRow {
        site,
        model: match (&first.covers, first.failover) {
            (Some(c), _) => format!(
                "{} (failover, keeps {} days)",
                first.model, c.retention_days
            ),
            (None, true) => format!("{} (failover)", first.model),
            (None, false) => first.model.clone(),
        },
        count: all.len() as u32,
        channels,
        ingest: format!(
            "{} / {}",
            Bitrate(most(|u| u
                .covers
                .as_ref()
                .map_or(u.ingest_bps, |c| c.ingest_bps))),
            Bitrate(first.ingest_limit_bps)
        ),
        raid,
        drives,
        spares: if first.drives > 0 {
            plan.storage.hot_spares
        } else {
            0
        },
        switches,
        over: over.join("; "),
    }
}

/// The switches of the first deployed copy of site `index` (named `name`), by model.
fn site_switches(manifest: &Manifest, name: &str, index: usize) -> String {
    let Some(instance) = manifest
        .sites
        .iter()
        .filter(|i| i.site == name)
        .min_by_key(|i| i.copy)
        .or_else(|| manifest.sites.get(index))
    else {
        return String::new();
    };
    let mut by_model: Vec<(&str, SwitchRole, u32)> = Vec::new();
    for sw in manifest
        .network
        .switches
        .iter()
        .filter(|sw| sw.site == instance.id)
    {
        match by_model
            .iter_mut()
            .find(|(m, r, _)| *m == sw.model && *r == sw.role)
        {
            Some((_, _, n)) => *n += 1,
            None => by_model.push((&sw.model, sw.role, 1)),
        }
    }
    // A model in two roles (aggregation switches and the core) says which is which.
    let roles_of = |model: &str| by_model.iter().filter(|(m, _, _)| *m == model).count();
    by_model
        .iter()
        .map(|(m, r, n)| match roles_of(m) {
            1 => format!("{n} × {m}"),
            _ => format!("{n} × {m} as {r}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The priced bill of materials as the proposal shows it.
struct PricedBom {
    rows: Vec<PricedBomRow>,
    subtotals: Vec<Fact>,
    total: String,
    unpriced: String,
}

/// Each line with its unit and extended price (exact cents), a subtotal per section and the
/// total; lines the catalog does not price (cameras) are listed and left out of the total.
fn priced_bom(lines: &[BomLine], currency: &str) -> PricedBom {
    let mut rows = Vec::new();
    let mut sections: Vec<(BomSection, Money)> = Vec::new();
    let mut total = Money::ZERO;
    let mut unpriced = 0u64;
    for l in lines {
        let extended = l.unit_price.map(|p| Money::from_f64(p).times(l.qty));
        match extended {
            Some(e) => {
                total += e;
                match sections.iter_mut().find(|(s, _)| *s == l.section) {
                    Some((_, sum)) => *sum += e,
                    None => sections.push((l.section, e)),
                }
            }
            None => unpriced += l.qty as u64,
        }
        let item = [&l.manufacturer, &l.model]
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(PricedBomRow {
            section: l.section.label().to_string(),
            item: if item.is_empty() {
                l.part_number.clone()
            } else {
                item
            },
            description: l.description.clone(),
            qty: format!("{}", l.qty),
            unit_price: l
                .unit_price
                .map_or_else(|| "not priced".into(), |p| Money::from_f64(p).to_string()),
            extended: extended.map_or_else(String::new, |e| e.to_string()),
        });
    }
    PricedBom {
        rows,
        subtotals: sections
            .into_iter()
            .map(|(s, m)| Fact {
                label: s.label().to_string(),
                value: format!("{m} {currency}"),
            })
            .collect(),
        total: format!("{total} {currency}"),
        unpriced: if unpriced > 0 {
            format!(
                "The total leaves out {unpriced} item(s) the catalog does not price (the cameras, the same for both options)."
            )
        } else {
            String::new()
        },
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
/// A figure of an option that can be built; "—" for one that cannot (its column says why), never
/// a zero that reads as a design.
fn built(feasible: bool, figure: impl FnOnce() -> String) -> String {
    if feasible {
        figure()
    } else {
        "—".to_string()
    }
}

fn cost_or_why(m: Option<Money>, why: Option<&str>, currency: &str) -> String {
    match (m, why) {
        (Some(m), None) => format!("{} {currency}", m.whole()),
        (_, Some(why)) => format!("not feasible: {why}"),
        (None, None) => "not feasible".into(),
    }
}

/// The growth section: the groups that grow, both options today and grown, and the step.
fn growth_view(plan: &Plan) -> Option<reports::GrowthView> {
    let g = plan.growth.as_ref()?;
    let c = &plan.currency;
    let how = match g.year {
        Some(y) => format!("sized as a step in year {y}"),
        None => "sized now".to_string(),
    };
    let money = |f: &crate::growth::OptionFigures| {
        f.hardware.map_or_else(
            || "not feasible".to_string(),
            |m| format!("{} {c}", m.whole()),
        )
    };
    type Pick = fn(&crate::growth::OptionFigures) -> String;
    let figures: [(&str, Pick); 4] = [
        ("Recorders", |f| f.recorders.to_string()),
        ("Drives", |f| f.drives.to_string()),
        ("Usable storage", |f| {
            sizing::Bytes(f.usable_bytes).to_string()
        }),
        ("Camera channels (NVR) / licences (VMS)", |f| {
            f.channels.to_string()
        }),
    ];
    let mut rows: Vec<reports::GrowthRow> = figures
        .iter()
        .map(|(what, pick)| reports::GrowthRow {
            what: (*what).to_string(),
            nvr_today: pick(&g.today.nvr),
            nvr_grown: pick(&g.grown.nvr),
            vms_today: pick(&g.today.vms),
            vms_grown: pick(&g.grown.vms),
        })
        .collect();
    rows.push(reports::GrowthRow {
        what: "Recorders and drives".into(),
        nvr_today: money(&g.today.nvr),
        nvr_grown: money(&g.grown.nvr),
        vms_today: money(&g.today.vms),
        vms_grown: money(&g.grown.vms),
    });
    let steps = [("NVR", &g.nvr_step), ("VMS", &g.vms_step)]
        .iter()
        .filter_map(|(name, s)| s.as_ref().map(|s| (name, s)))
        .flat_map(|(name, s)| {
            s.sites
                .iter()
                .filter(|x| x.cameras_added > 0)
                .map(move |x| format!("{name}: {}", x.text))
        })
        .collect();
    Some(reports::GrowthView {
        heading: format!("Growth to {} cameras, {how}", g.cameras_grown),
        groups: g
            .groups
            .iter()
            .filter(|x| x.grown != x.today)
            .map(|x| {
                format!(
                    "{} / {}: {} → {} camera(s) per copy",
                    x.site, x.group, x.today, x.grown
                )
            })
            .collect(),
        rows,
        steps,
        text: g.text.clone(),
    })
}
