//! Topology drawings: one graph per site instance, clustered by switch, rendered by Graphviz to
//! an SVG a person can read — for a 200-camera site, a page of sane size (not a 32,767 × 145 px
//! strip), every camera's label present, no text below 10 pt.
//!
//! Needs Graphviz's `dot` (the README's test script installs it); fails, never skips, without it.
#![allow(clippy::unwrap_used)]

use camscope_tests::Generated;

/// Generates `site`; fails when Graphviz is missing, which this test needs.
fn generate(site: &str) -> Generated {
    let dir = camscope_tests::generate(site, &[]);
    assert!(
        !dir.run.stderr.contains("Graphviz `dot` is not installed"),
        "Graphviz is needed for this test (apt-get install graphviz): {}",
        dir.run.stderr
    );
    dir
}

/// Width and height of an SVG, in points.
fn size(svg: &str) -> (f64, f64) {
    let tag = &svg[svg.find("<svg").unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    let attr = |name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let value = &tag[at..at + tag[at..].find('"').unwrap()];
        value.trim_end_matches("pt").parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn a_200_camera_site_renders_to_a_readable_svg() {
    let dir = generate("../tests/fixtures/two-hundred-cameras.toml");
    // Graphviz writes a hyphen in text as `&#45;`.
    let svg = dir.text("topology/campus.svg").replace("&#45;", "-");
    let (w, h) = size(&svg);
    // A page a browser shows at 100% with some scrolling: neither side over 4,000 pt (about
    // 1.4 m at 96 dpi would be unreadable to navigate), and no strip (sides within 1:4).
    assert!(w <= 4000.0 && h <= 4000.0, "{w} × {h} pt");
    assert!(w.max(h) / w.min(h) <= 4.0, "{w} × {h} pt is a strip");
    // Every camera is labelled in the drawing, once.
    let manifest = dir.json("manifest.json");
    let cameras = manifest["cameras"].as_array().unwrap();
    assert_eq!(cameras.len(), 200);
    for c in cameras {
        let name = c["id"].as_str().unwrap().rsplit_once('/').unwrap().1;
        let text = format!(">{name}</text>");
        assert_eq!(svg.matches(&text).count(), 1, "{name} labelled once");
    }
    // Legible text: no font under 10 pt.
    let sizes: Vec<f64> = svg
        .split("font-size=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    assert!(!sizes.is_empty());
    assert!(
        sizes.iter().all(|s| *s >= 10.0),
        "smallest font {:?}",
        sizes.iter().copied().fold(f64::MAX, f64::min)
    );
}

#[test]
fn each_site_instance_has_its_own_graph_clustered_by_switch() {
    let dir = generate("../examples/retail-chain.toml");
    let manifest = dir.json("manifest.json");
    for site in manifest["sites"].as_array().unwrap() {
        let id = site["id"].as_str().unwrap();
        let dot = dir.text(&format!("topology/{id}.dot"));
        assert!(
            dir.path().join(format!("topology/{id}.svg")).exists(),
            "{id}.svg"
        );
        // No other site's devices in this graph.
        for other in manifest["sites"].as_array().unwrap() {
            let o = other["id"].as_str().unwrap();
            if o != id {
                assert!(!dot.contains(&format!("\"{o}/")), "{id}.dot holds {o}");
            }
        }
        // One cluster per switch that has cameras.
        for sw in manifest["network"]["switches"].as_array().unwrap() {
            let sid = sw["id"].as_str().unwrap();
            let has_cameras = manifest["cameras"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["switch"] == sid);
            if sw["site"] == id && has_cameras {
                assert!(dot.contains(&format!("\"cluster {sid}\"")), "{id}: {sid}");
            }
        }
    }
}
