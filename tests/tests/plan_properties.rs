//! Properties of plans over random sites: no unit over a ceiling, every camera placed once, and
//! the recommendation turning to a VMS whenever any one trigger is on.
// Helpers shared by tests unwrap too: a panic here is a failed test, not a crash on input.
#![allow(clippy::unwrap_used)]

use planner::catalog::Catalog;
use planner::plan::{Plan, plan};
use planner::site::SiteFile;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Group {
    count: u32,
    resolution: &'static str,
    codec: &'static str,
    fps: u32,
    scene: &'static str,
    retention: u32,
    poe: f64,
    substream: Option<u32>,
    motion_duty: Option<f64>,
}

fn group() -> impl Strategy<Value = Group> {
    (
        1u32..40,
        prop::sample::select(vec![
            "CIF",
            "4CIF",
            "720p",
            "1080p",
            "4MP",
            "5MP",
            "4K",
            "2688x1520",
        ]),
        prop::sample::select(vec!["h264", "h265", "h264-smart", "h265-smart", "mjpeg"]),
        1u32..31,
        prop::sample::select(vec!["low", "medium", "high"]),
        1u32..120,
        0.0f64..25.0,
        prop::option::of(128u32..2048),
        prop::option::of(0.05f64..1.0),
    )
        .prop_map(
            |(count, resolution, codec, fps, scene, retention, poe, substream, motion_duty)| {
                Group {
                    count,
                    resolution,
                    codec,
                    fps,
                    scene,
                    retention,
                    poe,
                    substream,
                    motion_duty,
                }
            },
        )
}

fn site_text(sites: &[(u32, Vec<Group>)], raid: &str, extra_requirements: &str) -> String {
    let mut t = format!(
        "version = 1\n[project]\nname = \"random\"\n[requirements]\ncamera-brands = [\"Axis\"]\nanalytics = \"motion\"\n{extra_requirements}\n[storage]\nraid = \"{raid}\"\n"
    );
    for (i, (copies, groups)) in sites.iter().enumerate() {
        t.push_str(&format!(
            "[[site]]\nname = \"site {i}\"\ncopies = {copies}\n"
        ));
        for g in groups {
            t.push_str(&format!(
                "[[site.cameras]]\ncount = {}\nresolution = \"{}\"\ncodec = \"{}\"\nfps = {}\nscene = \"{}\"\nretention-days = {}\npoe-watts = {:.1}\n",
                g.count, g.resolution, g.codec, g.fps, g.scene, g.retention, g.poe
            ));
            if let Some(s) = g.substream {
                t.push_str(&format!("substream-kbps = {s}\n"));
            }
            if let Some(d) = g.motion_duty {
                t.push_str(&format!("recording = \"motion\"\nduty-cycle = {d:.2}\n"));
            }
        }
    }
    t
}

fn plan_of(text: &str) -> Plan {
    let site = SiteFile::parse("random.toml", text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    plan(&site, &Catalog::embedded().unwrap()).unwrap()
}

fn check_units(p: &Plan) -> Result<(), TestCaseError> {
    for option in [&p.nvr.sites, &p.vms.sites] {
        for s in option {
            let mut placed = 0u32;
            for u in &s.units {
                prop_assert!(
                    u.cameras <= u.camera_limit,
                    "{} over its camera limit",
                    u.model
                );
                prop_assert!(
                    u.ingest_bps <= u.ingest_limit_bps,
                    "{} over its ingest limit",
                    u.model
                );
                prop_assert!(u.ingest_limit_bps <= u.ingest_rated_bps);
                prop_assert!(
                    u.capacity_needed_bytes <= u.usable_bytes,
                    "{} short of storage",
                    u.model
                );
                prop_assert!(u.usable_bytes <= u.max_usable_bytes);
                prop_assert!(
                    u.poe_used_mw <= u.poe_budget_mw,
                    "{} over its PoE budget",
                    u.model
                );
                prop_assert!(u.poe_powered + u.external_poe <= u.cameras);
                if !u.failover {
                    placed += u.cameras;
                }
            }
            // Every camera is on exactly one unit (when the option is feasible at all).
            if !s.units.is_empty() {
                prop_assert_eq!(
                    placed,
                    s.cameras,
                    "site {} placed {} of {}",
                    s.site,
                    placed,
                    s.cameras
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_unit_exceeds_a_ceiling_and_every_camera_is_placed_once(
        sites in prop::collection::vec((1u32..4, prop::collection::vec(group(), 1..4)), 1..4),
        raid in prop::sample::select(vec!["none", "raid1", "raid5", "raid6", "raid10"]),
    ) {
        let p = plan_of(&site_text(&sites, raid, ""));
        check_units(&p)?;
        let expected: u64 = sites.iter().map(|(c, gs)| u64::from(*c) * gs.iter().map(|g| u64::from(g.count)).sum::<u64>()).sum();
        prop_assert_eq!(p.summary.cameras, expected);
        prop_assert_eq!(p.vms.channels, expected);
        prop_assert_eq!(p.tco.len(), 5);
    }

    #[test]
    fn any_single_trigger_turns_the_recommendation_to_vms(
        g in group().prop_map(|mut g| { g.count = g.count.min(4); g.resolution = "1080p"; g.codec = "h265"; g.fps = g.fps.min(15); g.retention = g.retention.min(30); g }),
        trigger in 0usize..8,
    ) {
        let base = [(1u32, vec![g.clone()])];
        let plain = plan_of(&site_text(&base, "none", ""));
        prop_assume!(plain.recommendation.choice == planner::plan::Choice::Nvr);
        let (sites, extra, code): (Vec<(u32, Vec<Group>)>, &str, &str) = match trigger {
            0 => (vec![(2, vec![g.clone()])], "", "multi-site"),
            1 => (base.to_vec(), "cameras-in-36-months = 400", "growth"),
            2 => (base.to_vec(), "integrations = [\"alarms\"]", "integrations"),
            3 => (base.to_vec(), "role-based-users = true", "role-based-users"),
            4 => (base.to_vec(), "audit-trail = true", "audit-trail"),
            5 => (base.to_vec(), "redundancy = \"n+1\"", "redundancy"),
            6 => (vec![(1, vec![Group { count: 200, ..g.clone() }])], "", "exceeds-one-recorder"),
            _ => (base.to_vec(), "", "advanced-analytics"),
        };
        let mut text = site_text(&sites, "none", extra);
        if trigger == 7 {
            text = text.replace("analytics = \"motion\"", "analytics = \"face\"");
        }
        let p = plan_of(&text);
        prop_assert_eq!(p.recommendation.choice, planner::plan::Choice::Vms);
        prop_assert!(p.recommendation.reasons.iter().any(|r| r.code == code), "{:?}", p.recommendation.reasons);
    }
}

#[test]
fn a_second_brand_is_a_reason() {
    let g = Group {
        count: 4,
        resolution: "1080p",
        codec: "h265",
        fps: 15,
        scene: "medium",
        retention: 30,
        poe: 5.0,
        substream: None,
        motion_duty: None,
    };
    let text =
        site_text(&[(1, vec![g])], "none", "").replace("[\"Axis\"]", "[\"Axis\", \"Bosch\"]");
    let p = plan_of(&text);
    assert_eq!(p.recommendation.choice, planner::plan::Choice::Vms);
    assert_eq!(p.recommendation.reasons[0].code, "multiple-brands");
}

#[test]
fn n_plus_one_failover_server_can_take_any_one_servers_cameras() {
    let g = Group {
        count: 150,
        resolution: "1080p",
        codec: "h265",
        fps: 15,
        scene: "medium",
        retention: 30,
        poe: 5.0,
        substream: None,
        motion_duty: None,
    };
    let p = plan_of(&site_text(&[(1, vec![g])], "raid6", "redundancy = \"n+1\""));
    let units = &p.vms.sites[0].units;
    let standby: Vec<_> = units.iter().filter(|u| u.failover).collect();
    assert_eq!(standby.len(), 1);
    for primary in units.iter().filter(|u| !u.failover) {
        assert!(primary.cameras <= standby[0].camera_limit);
        assert!(primary.ingest_bps <= standby[0].ingest_limit_bps);
        assert!(primary.capacity_needed_bytes <= standby[0].max_usable_bytes);
    }
    assert_eq!(p.vms.failover_servers, 1);
}

#[test]
fn section_889_requirement_excludes_covered_makers() {
    let g = Group {
        count: 6,
        resolution: "1080p",
        codec: "h265",
        fps: 15,
        scene: "medium",
        retention: 30,
        poe: 5.0,
        substream: None,
        motion_duty: None,
    };
    let p = plan_of(&site_text(&[(1, vec![g])], "none", "section-889 = true"));
    assert!(!p.nvr.excluded_889.is_empty());
    for u in &p.nvr.sites[0].units {
        assert!(
            !u.model.starts_with("Hikvision") && !u.model.starts_with("Dahua"),
            "{}",
            u.model
        );
    }
}
