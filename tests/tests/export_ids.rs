//! Camera ids over random group names: every manifest camera id is unique and non-empty, and
//! each camera appears exactly once in every exported file that lists cameras (the manifest, its
//! recorder's Frigate file, the Frigate index and its site's topology). The colliding-names
//! fixture ("Gate A", "Gate-A", "Gate.A", "日本 カメラ", "Entrée Nord") keeps all its cameras and
//! `generate` reports each renaming.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use camscope_tests::{Run, generate};
use planner::catalog::Catalog;
use planner::deploy::{Choice, deploy};
use planner::plan::plan;
use planner::site::SiteFile;
use proptest::prelude::*;

fn site_text(names: &[String]) -> String {
    let mut t = String::from(
        "version = 1\n[project]\nname = \"ids\"\n[requirements]\ncamera-brands = [\"Axis\"]\nanalytics = \"motion\"\n[[site]]\nname = \"Site\"\n",
    );
    for (i, n) in names.iter().enumerate() {
        let name = n.replace('\\', "\\\\").replace('"', "\\\"");
        t.push_str(&format!(
            "[[site.cameras]]\nname = \"{name}\"\ncount = {}\nresolution = \"1080p\"\ncodec = \"h265\"\nfps = 15\nretention-days = 7\n",
            1 + i % 3
        ));
    }
    t
}

/// Checks every camera's id in every exported file; returns the camera count.
fn check_ids(text: &str, choice: Choice) -> Result<usize, TestCaseError> {
    let site = SiteFile::parse("site.toml", text).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let p = plan(&site, &catalog).unwrap();
    let m = deploy(&site, &catalog, &p, choice).unwrap();
    let expected: u32 = site.sites[0].cameras.iter().map(|g| g.count.0).sum();
    prop_assert_eq!(m.cameras.len(), expected as usize, "cameras lost");
    let ids: BTreeSet<&str> = m.cameras.iter().map(|c| c.id.as_str()).collect();
    prop_assert_eq!(ids.len(), m.cameras.len(), "ids collide: {:?}", ids);
    let json = serde_json::to_value(&m).unwrap();
    let export = planner::frigate::frigate_export(&site, &p, &m).unwrap();
    let graphs = planner::topology::site_graphs(&m);
    for c in &m.cameras {
        let (site_id, name) = c.id.rsplit_once('/').unwrap();
        prop_assert!(!name.is_empty() && !site_id.is_empty(), "{}", c.id);
        prop_assert!(
            name.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "{} is not a Frigate camera name",
            c.id
        );
        let in_manifest = json["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["id"] == c.id.as_str())
            .count();
        prop_assert_eq!(in_manifest, 1);
        // Frigate: a key in exactly one file, that of its recorder, and once in the index.
        // A name YAML would read as a number ("1e-1") is written quoted.
        let keys = [format!("\n  {name}:\n"), format!("\n  '{name}':\n")];
        let count = |y: &str| {
            keys.iter()
                .map(|k| y.matches(k.as_str()).count())
                .sum::<usize>()
        };
        let files: Vec<&String> = export
            .files
            .iter()
            .filter(|(_, y)| count(y) > 0)
            .map(|(f, _)| f)
            .collect();
        prop_assert_eq!(files.len(), 1, "{} in {:?}", c.id, files);
        let (_, yaml) = export.files.iter().find(|(f, _)| f == files[0]).unwrap();
        prop_assert_eq!(count(yaml), 1);
        let listed = export
            .index
            .instances
            .iter()
            .flat_map(|i| &i.cameras)
            .filter(|x| x.id == c.id)
            .count();
        prop_assert_eq!(listed, 1);
        // Topology: one row in its site's graph.
        let (_, dot) = graphs.iter().find(|(s, _)| s == site_id).unwrap();
        prop_assert_eq!(dot.matches(&format!(">{name}</td>")).count(), 1, "{}", c.id);
    }
    Ok(m.cameras.len())
}

fn name() -> impl Strategy<Value = String> {
    // Letters that collide once folded (A a Á), separators, digits, and scripts that are not
    // Latin, so that different names often give one word.
    let pieces = prop::sample::select(vec![
        "Gate",
        "gate",
        "A",
        "a",
        "Á",
        " ",
        "-",
        ".",
        "_",
        "#",
        "1",
        "2",
        "12",
        "日本",
        "カメラ",
        "é",
        "Entrée",
        "Nord",
        "!",
        "Ж",
        "🙂",
        "  ",
    ]);
    prop::collection::vec(pieces, 1..5).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn camera_ids_are_unique_non_empty_and_appear_once_in_every_file(
        names in prop::collection::vec(name(), 1..7)
    ) {
        check_ids(&site_text(&names), Choice::Vms)?;
    }
}

#[test]
fn the_colliding_names_fixture_keeps_every_camera_and_reports_the_renaming() {
    let text = std::fs::read_to_string("../tests/fixtures/colliding-names.toml").unwrap();
    for choice in [Choice::Nvr, Choice::Vms] {
        assert_eq!(check_ids(&text, choice).unwrap(), 9);
    }
    let dir = generate("../tests/fixtures/colliding-names.toml", &[]);
    let Run {
        code,
        stdout,
        stderr,
    } = &dir.run;
    assert_eq!(*code, 0, "{stdout}{stderr}");
    assert!(
        stderr.contains("camera group \"Gate-A\" in site \"Campus\" gives the id \"gate-a\", already taken by \"Gate A\": it uses \"gate-a-2\""),
        "{stderr}"
    );
    assert!(stderr.contains("\"Gate.A\""), "{stderr}");
    let manifest = dir.text("manifest.json");
    for id in [
        "campus/entree-nord-1",
        "campus/gate-a-3-1",
        "campus/gate-a-2-2",
    ] {
        assert!(manifest.contains(&format!("\"{id}\"")), "{id}");
    }
    assert!(!manifest.contains("campus/-"), "an id lost its name");
}
