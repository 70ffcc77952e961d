//! Text and CSV renderings of a plan, for a terminal and for a spreadsheet.
//!
//! JSON needs no code here (the plan serialises itself); the table is what a designer reads
//! first, so it leads with the recommendation and its reasons, then the two options side by
//! side with how close each comes to its ceilings, then the cost per year.

use std::fmt::Write as _;
use std::io;

use sizing::{Bitrate, Bytes};

use crate::cost::Operating;
use crate::money::Money;
use crate::plan::{Plan, RecorderUnit, SiteRecorders};

/// Whole currency units with thousands separators: "17,715".
pub fn money(v: f64) -> String {
    let whole = v.round() as i64;
    let digits = whole.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if whole < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

fn pct(used: u64, limit: u64) -> String {
    if limit == 0 {
        return "—".into();
    }
    format!("{:.0}%", used as f64 * 100.0 / limit as f64)
}

/// The site's recorders, one line per kind: identical units (same model, load, drives and
/// role) are one line with their count, so a 400-camera site reads as a few lines, not fifty.
fn unit_lines(out: &mut String, s: &SiteRecorders, poe: bool) {
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for u in &s.units {
        let mut line = String::new();
        units_line(&mut line, s, u, poe);
        match kinds.iter_mut().find(|(l, _)| *l == line) {
            Some((_, n)) => *n += 1,
            None => kinds.push((line, 1)),
        }
    }
    for (line, n) in kinds {
        if n > 1 {
            out.push_str(&format!("    {n} × {}", line.trim_start()));
        } else {
            out.push_str(&line);
        }
    }
}

fn units_line(out: &mut String, s: &SiteRecorders, u: &RecorderUnit, poe: bool) {
    let copies = if s.copies > 1 {
        format!(" ×{}", s.copies)
    } else {
        String::new()
    };
    if let (true, Some(c)) = (u.failover, &u.covers) {
        let _ = writeln!(
            out,
            "    {} [failover]{copies}: takes over {} with up to {} cams / {} ({}), ingest {} / {} ({}), link {} / {}; {} days of recordings, storage {} needed on {}",
            u.model,
            covered(c),
            c.cameras,
            u.camera_limit,
            pct(u64::from(c.cameras), u64::from(u.camera_limit)),
            Bitrate(c.ingest_bps),
            Bitrate(u.ingest_limit_bps),
            pct(c.ingest_bps, u.ingest_limit_bps),
            Bitrate(c.link_bps),
            Bitrate(u.link_limit_bps),
            c.retention_days,
            Bytes(u.capacity_needed_bytes),
            u.layout,
        );
        return;
    }
    let role = if u.failover { " [failover]" } else { "" };
    let _ = writeln!(
        out,
        "    {}{role}{copies}: {} cams / {} ({}), ingest {} / {} ({}), storage {} needed on {}{}{}",
        u.model,
        u.cameras,
        u.camera_limit,
        pct(u64::from(u.cameras), u64::from(u.camera_limit)),
        Bitrate(u.ingest_bps),
        Bitrate(u.ingest_limit_bps),
        pct(u.ingest_bps, u.ingest_limit_bps),
        Bytes(u.capacity_needed_bytes),
        u.layout,
        match u.sized_for.filter(|f| f.cameras > u.cameras) {
            Some(f) => format!(
                ", sized for {} cams and {} with growth",
                f.cameras,
                Bytes(f.capacity_needed_bytes)
            ),
            None => String::new(),
        },
        if poe && u.poe_budget_mw > 0 {
            format!(
                ", PoE {:.1} / {:.1} W ({} powered, {} on a switch)",
                u.poe_used_mw as f64 / 1000.0,
                u.poe_budget_mw as f64 / 1000.0,
                u.poe_powered,
                u.external_poe
            )
        } else {
            String::new()
        }
    );
}

/// The servers a failover server stands by for, in a few words: "server 3", "the site's one
/// server", "any of 4 servers", "any of 6 servers at Main hospital, Outpatients".
fn covered(c: &crate::plan::Covers) -> String {
    match (c.server, c.sites.len()) {
        (Some(n), _) => format!("server {n}"),
        (None, _) if c.servers == 1 => "the site's one server".to_string(),
        (None, 0 | 1) => format!("any of {} servers", c.servers),
        (None, _) => format!("any of {} servers at {}", c.servers, c.sites.join(", ")),
    }
}

/// The plan as aligned text.
pub fn plan_table(p: &Plan) -> String {
    let mut o = String::new();
    summary_section(&mut o, p);
    screening_section(&mut o, p);
    recommendation_section(&mut o, p);
    groups_section(&mut o, p);
    nvr_section(&mut o, p);
    vms_section(&mut o, p);
    central_section(&mut o, p);
    growth_section(&mut o, p);
    figures_section(&mut o, p);
    o
}

/// The growth: groups today and grown, both options' figures side by side, and the step.
fn growth_section(o: &mut String, p: &Plan) {
    let Some(g) = &p.growth else { return };
    let how = match g.year {
        Some(y) => format!("as a step in year {y}"),
        None => "now".to_string(),
    };
    let _ = writeln!(
        o,
        "GROWTH (sized {how}): {} cameras today, {} grown ({} expected within 36 months)",
        g.cameras_today, g.cameras_grown, g.cameras_asked
    );
    for gg in g.groups.iter().filter(|gg| gg.grown != gg.today) {
        let _ = writeln!(
            o,
            "  {} / {}: {} → {} camera(s) per copy",
            gg.site, gg.group, gg.today, gg.grown
        );
    }
    let c = &p.currency;
    let side = |name: &str, t: &crate::growth::OptionFigures, n: &crate::growth::OptionFigures| {
        let hw = |f: &crate::growth::OptionFigures| {
            f.hardware.map_or_else(
                || "not feasible".to_string(),
                |m| format!("{} {c}", m.whole()),
            )
        };
        format!(
            "  {name}: recorders {} → {}, drives {} → {}, usable {} → {}, channels {} → {}, hardware {} → {}",
            t.recorders,
            n.recorders,
            t.drives,
            n.drives,
            Bytes(t.usable_bytes),
            Bytes(n.usable_bytes),
            t.channels,
            n.channels,
            hw(t),
            hw(n)
        )
    };
    let _ = writeln!(o, "  today → grown:");
    let _ = writeln!(o, "  {}", side("NVR", &g.today.nvr, &g.grown.nvr));
    let _ = writeln!(o, "  {}", side("VMS", &g.today.vms, &g.grown.vms));
    for (name, step) in [("NVR", &g.nvr_step), ("VMS", &g.vms_step)] {
        let Some(step) = step else { continue };
        for s in step.sites.iter().filter(|s| s.cameras_added > 0) {
            let _ = writeln!(o, "  {name} step: {}", s.text);
        }
    }
    let _ = writeln!(o, "  {}\n", g.text);
}

/// The heading and the site's totals.
fn summary_section(o: &mut String, p: &Plan) {
    let _ = writeln!(o, "camscope plan — {}", p.project);
    let s = &p.summary;
    let _ = writeln!(
        o,
        "{} site(s), {} cameras ({} expected within 36 months); recorders ingest {}; {} written per day",
        s.sites,
        s.cameras,
        s.cameras_in_36_months,
        Bitrate(s.ingest_bps),
        Bytes(s.bytes_per_day)
    );
    let _ = writeln!(
        o,
        "retention needs {} of recordings, {} usable with headroom (RAID level {}, {} hot spare(s))\n",
        Bytes(s.recorded_bytes),
        Bytes(s.capacity_needed_bytes),
        p.storage.raid,
        p.storage.hot_spares
    );
}

/// The Section 889 screening of the cameras and the TAA screening of the cameras and products,
/// each when the site requires it.
fn screening_section(o: &mut String, p: &Plan) {
    screening_block(
        o,
        &p.section_889,
        "SECTION 889 SCREENING of the cameras the site file names",
    );
    screening_block(
        o,
        &p.taa,
        "TAA SCREENING of the cameras the site file names and the products the plan picks",
    );
}

/// One screening under its `title`, findings first, when the site requires it.
fn screening_block(o: &mut String, screening: &crate::screen::Screening, title: &str) {
    if screening.required {
        let _ = writeln!(o, "{title} ({}):", screening.data);
        for f in &screening.findings {
            let _ = writeln!(
                o,
                "  {} [{}] {}: {}",
                f.severity.as_str().to_uppercase(),
                f.code,
                f.place,
                f.message
            );
        }
        for c in &screening.cleared {
            let _ = writeln!(o, "  clear: {c}");
        }
        o.push('\n');
    }
}

/// The recommendation and every reason that fired.
fn recommendation_section(o: &mut String, p: &Plan) {
    let r = &p.recommendation;
    let _ = writeln!(o, "RECOMMENDATION: {}", r.summary);
    for reason in &r.reasons {
        let _ = writeln!(o, "  - [{}] {}", reason.code, reason.text);
    }
    o.push('\n');
}

/// Every camera group, sized.
fn groups_section(o: &mut String, p: &Plan) {
    let _ = writeln!(o, "CAMERA GROUPS");
    let _ = writeln!(
        o,
        "  {:<22} {:<24} {:>6} {:>10} {:>8} {:>12} {:>10} {:>5} {:>20}",
        "site", "group", "cams", "res", "codec", "main", "ingest", "days", "kept (all copies)"
    );
    for g in &p.groups {
        let _ = writeln!(
            o,
            "  {:<22} {:<24} {:>6} {:>10} {:>8} {:>12} {:>10} {:>5} {:>20}",
            truncate(&g.site, 22),
            truncate(&g.name, 24),
            g.total_count,
            g.resolution,
            g.codec,
            format!(
                "{}{}",
                Bitrate(g.main_bps),
                if g.bitrate_from == crate::design::BitrateFrom::Measured {
                    "*"
                } else {
                    ""
                }
            ),
            Bitrate(g.ingest_bps).to_string(),
            g.retention_days,
            Bytes(g.bytes_total).both()
        );
    }
    let _ = writeln!(
        o,
        "  (* measured bitrate from the site file; others from the catalog's bitrate model)\n"
    );
}

/// Option A: the NVR appliances per site, their price and running cost.
fn nvr_section(o: &mut String, p: &Plan) {
    let c = &p.currency;
    let _ = writeln!(o, "OPTION A — NVR APPLIANCES");
    if let Some(problem) = &p.nvr.problem {
        let _ = writeln!(o, "  not feasible: {problem}");
    }
    for v in &p.nvr.violations {
        let _ = writeln!(o, "  OVER A CEILING: {}", v.message);
    }
    for note in &p.nvr.brand_notes {
        let _ = writeln!(o, "  brand: {note}");
    }
    if !p.nvr.excluded_889.is_empty() {
        let _ = writeln!(
            o,
            "  excluded under Section 889: {}",
            p.nvr.excluded_889.join(", ")
        );
    }
    for site in &p.nvr.sites {
        if recorded_elsewhere(o, site) {
            continue;
        }
        let _ = writeln!(
            o,
            "  {} (×{}, {} cameras each, network {}{}):",
            site.site,
            site.copies,
            site.cameras,
            Bitrate(site.network_bps),
            recorded_here_words(site)
        );
        unit_lines(o, site, true);
    }
    match p.nvr.capex {
        Some(capex) => {
            let _ = writeln!(
                o,
                "  {} unit(s), purchase {} {c}, replaced every {} years",
                p.nvr.units,
                capex.whole(),
                p.nvr.refresh_years
            );
        }
        None => {
            let _ = writeln!(o, "  no purchase price: the option cannot be built");
        }
    }
    if let Some(op) = &p.costs.nvr {
        operating_lines(o, op, c);
        step_note(o, p);
    }
    o.push('\n');
}

/// A site that records at another site's recorders, as one line; false for any other site.
fn recorded_elsewhere(o: &mut String, site: &SiteRecorders) -> bool {
    let Some(at) = &site.records_at else {
        return false;
    };
    let _ = writeln!(
        o,
        "  {} (×{}, {} cameras each): recorded at {at} over a WAN link, no recorders here",
        site.site, site.copies, site.cameras
    );
    true
}

/// The cameras of other sites among those a site's recorders record: "; 48 of them from
/// Branch (6 copies)", or nothing.
fn recorded_here_words(site: &SiteRecorders) -> String {
    let mut by_site: Vec<(&str, u32, u32)> = Vec::new();
    for h in &site.recorded_here {
        match by_site.iter_mut().find(|(s, _, _)| *s == h.site) {
            Some((_, copies, cams)) => {
                *copies += 1;
                *cams += h.cameras;
            }
            None => by_site.push((&h.site, 1, h.cameras)),
        }
    }
    if by_site.is_empty() {
        return String::new();
    }
    let total: u32 = by_site.iter().map(|(_, _, c)| c).sum();
    let from: Vec<String> = by_site
        .iter()
        .map(|(s, copies, _)| match copies {
            1 => s.to_string(),
            n => format!("{s} ({n} copies)"),
        })
        .collect();
    format!("; {total} of them from {}", from.join(", "))
}

/// Central recording: the WAN uplink each site recording elsewhere needs.
fn central_section(o: &mut String, p: &Plan) {
    if p.central_recording.is_empty() {
        return;
    }
    let _ = writeln!(o, "CENTRAL RECORDING");
    for w in &p.central_recording {
        let _ = writeln!(o, "  {}", w.text);
    }
    // What each recording site takes in over the WAN from all the copies recording there.
    for t in &p.central_intake {
        let _ = writeln!(o, "  {}", t.text);
    }
    o.push('\n');
}

/// Option B: the VMS's servers, licences and running cost.
fn vms_section(o: &mut String, p: &Plan) {
    let c = &p.currency;
    let v = &p.vms;
    let _ = writeln!(o, "OPTION B — VMS ({}: {})", v.product, v.product_reason);
    if let Some(problem) = &v.problem {
        let _ = writeln!(o, "  not feasible: {problem}");
    }
    for violation in &v.violations {
        let _ = writeln!(o, "  OVER A CEILING: {}", violation.message);
    }
    for site in &v.sites {
        if recorded_elsewhere(o, site) {
            continue;
        }
        let _ = writeln!(
            o,
            "  {} (×{}, {} cameras each{}):",
            site.site,
            site.copies,
            site.cameras,
            recorded_here_words(site)
        );
        unit_lines(o, site, false);
    }
    for note in &v.failover_notes {
        let _ = writeln!(o, "  failover: {note}");
    }
    let shown = |m: Option<Money>| m.map_or_else(|| "—".to_string(), Money::whole);
    let _ = writeln!(
        o,
        "  {} server(s) ({} failover), {} channels; hardware {} {c}, licences {} {c}, OS/database/management server {} {c}, care {} {c}/year from year {}",
        v.servers,
        v.failover_servers,
        v.channels,
        shown(v.hardware),
        shown(v.licence),
        shown(v.platform),
        shown(v.care_per_year),
        v.care_from_year
    );
    if let Some(op) = &p.costs.vms {
        operating_lines(o, op, c);
        step_note(o, p);
    }
    if v.alternatives.len() > 1 {
        let alts: Vec<String> = v
            .alternatives
            .iter()
            .take(4)
            .map(|a| format!("{} {}", a.name, a.total.whole()))
            .collect();
        let _ = writeln!(
            o,
            "  licence alternatives over {} years: {}",
            p.horizon_years,
            alts.join("; ")
        );
    }
    o.push('\n');
}

/// The cost table and every figure the plan used with its basis.
fn figures_section(o: &mut String, p: &Plan) {
    cost_table(o, p);
    o.push('\n');
    let _ = writeln!(
        o,
        "FIGURES USED: catalog defaults, prices and operating figures (catalog: {})",
        p.catalog.join(", ")
    );
    for f in &p.figures_used {
        let unit = if f.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", f.unit)
        };
        let _ = writeln!(o, "  {} = {}{unit} ({})", f.entry, f.value, f.basis.short());
    }
}

/// An option's operating cost a year: hours by kind of work, power, drives, care.
/// Under a growth step, the operating figures above are today's: says from when they change.
fn step_note(o: &mut String, p: &Plan) {
    if let Some(y) = p.growth.as_ref().and_then(|g| g.year) {
        let _ = writeln!(
            o,
            "    (operating figures and licence alternatives for today's cameras; from year {y} the grown design's apply, as in COST PER YEAR)"
        );
    }
}

fn operating_lines(o: &mut String, op: &Operating, c: &str) {
    let _ = writeln!(
        o,
        "  operating cost per year: {} {c} = management {} h × rate {} + power {} + drives {} + care {}",
        op.per_year.whole(),
        round1(op.hours_per_year),
        op.labour_per_year.whole(),
        op.power_per_year.whole(),
        op.drives_per_year.whole(),
        op.care_per_year.whole()
    );
    let hours: Vec<String> = op
        .hours
        .iter()
        .filter(|h| h.hours > 0.0)
        .map(|h| format!("{} {} h", h.what, round1(h.hours)))
        .collect();
    let _ = writeln!(
        o,
        "    {} managed system(s); hours: {}; {:.0} W, {:.0} kWh/year; {} drives, {:.2} failing a year",
        op.managed_systems,
        hours.join(", "),
        op.watts,
        op.kwh_per_year,
        op.drives,
        op.drive_failures_per_year
    );
}

fn round1(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// The cost per year, the crossover, its drivers and the reconciliation with the recommendation.
fn cost_table(o: &mut String, p: &Plan) {
    let c = &p.currency;
    let _ = writeln!(o, "COST PER YEAR ({c})");
    let cell = |m: Option<Money>| m.map_or_else(|| "not feasible".to_string(), Money::whole);
    let _ = writeln!(
        o,
        "  {:>4} {:>12} {:>12} {:>14} {:>14} {:>16}",
        "year", "NVR", "VMS", "NVR cumul.", "VMS cumul.", "cloud cumul."
    );
    for y in &p.tco {
        let _ = writeln!(
            o,
            "  {:>4} {:>12} {:>12} {:>14} {:>14} {:>16}",
            y.year,
            cell(y.nvr),
            cell(y.vms),
            cell(y.nvr_cumulative),
            cell(y.vms_cumulative),
            y.cloud_cumulative.whole()
        );
    }
    for (side, problem) in [("NVR", &p.nvr.problem), ("VMS", &p.vms.problem)] {
        if let Some(why) = problem {
            let _ = writeln!(o, "  {side}: not feasible: {why}");
        }
    }
    if let Some(cl) = &p.cloud {
        match &cl.not_comparable {
            Some(why) => {
                let _ = writeln!(o, "  cloud ({}): not comparable: {why}", cl.name);
            }
            None => {
                let _ = writeln!(
                    o,
                    "  cloud ({}): priced by retention and resolution tiers, {} a camera a year on average",
                    cl.name,
                    cl.per_camera_year.whole()
                );
            }
        }
        if let Some(after) = &cl.from_step {
            let _ = writeln!(
                o,
                "  cloud from year {} (after the growth step): {} a year, {} a camera",
                after.year,
                after.per_year.whole(),
                after.per_camera_year.whole()
            );
        }
    }
    let _ = writeln!(o, "  ({})", p.excluded_costs);
    if !p.costs.drivers.is_empty() {
        let _ = writeln!(
            o,
            "  main drivers of the difference over {} years:",
            p.horizon_years
        );
        for d in &p.costs.drivers {
            let dearer = if d.nvr_minus_vms > Money::ZERO {
                "NVR"
            } else {
                "VMS"
            };
            let _ = writeln!(
                o,
                "    {:<36} NVR {:>12}  VMS {:>12}  ({dearer} +{})",
                d.kind.label(),
                d.nvr.whole(),
                d.vms.whole(),
                d.nvr_minus_vms.abs().whole()
            );
        }
    }
    let _ = writeln!(o, "  {}", p.costs.verdict);
    if let Some(note) = &p.recommendation.cost_note {
        let _ = writeln!(o, "  {note}");
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// One row per camera group with its sizing, for spreadsheets. Columns are documented in
/// `docs/json.md` (CSV section).
pub fn plan_csv(p: &Plan, out: &mut Vec<u8>) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "site",
        "group",
        "cameras",
        "resolution",
        "codec",
        "fps",
        "main_bps",
        "bitrate_from",
        "sub_bps",
        "audio_bps",
        "ingest_bps",
        "recording",
        "recorded_seconds_per_day",
        "retention_days",
        "bytes_per_camera",
        "bytes_total",
        "poe_mw",
    ])?;
    for g in &p.groups {
        w.write_record([
            g.site.clone(),
            g.name.clone(),
            g.total_count.to_string(),
            g.resolution.clone(),
            g.codec.clone(),
            g.fps.to_string(),
            g.main_bps.to_string(),
            g.bitrate_from.as_str().to_string(),
            g.sub_bps.to_string(),
            g.audio_bps.to_string(),
            g.ingest_bps.to_string(),
            g.recording.clone(),
            g.recorded_seconds_per_day.to_string(),
            g.retention_days.to_string(),
            g.bytes_per_camera.to_string(),
            g.bytes_total.to_string(),
            g.poe_mw.to_string(),
        ])?;
    }
    w.flush()
}
