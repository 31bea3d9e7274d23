//! `yuqian import osm` on a small .osm.pbf built during the test from an OSM XML fixture with
//! osmium (Debian's osmium-tool, installed by `make test`).

mod common;

use common::fixture;
use serde_json::json;
use std::process::Command;
use yuqian::index::Dataset;
use yuqian::layers::{Accuracy, Province, Status};

const BIN: &str = env!("CARGO_BIN_EXE_yuqian");

#[test]
fn an_osm_extract_becomes_valid_layers_of_our_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let pbf = tmp.path().join("qijiang.osm.pbf");
    let osmium = Command::new("osmium")
        .args(["cat", "--overwrite", "-o"])
        .arg(&pbf)
        .arg(fixture("osm/qijiang.osm"))
        .output()
        .expect("osmium (Debian's osmium-tool) must be installed: `make test` installs it");
    assert!(
        osmium.status.success(),
        "{}",
        String::from_utf8_lossy(&osmium.stderr)
    );

    let out = tmp.path().join("layers");
    let run = Command::new(BIN)
        .args(["import", "osm"])
        .arg(&pbf)
        .arg("--out")
        .arg(&out)
        .arg("--boundaries")
        .arg(fixture("small"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Nothing left out silently: the summary names each reason.
    assert!(stdout.contains("left out: 1 outside Chongqing and Guizhou, 1 with nodes missing from the extract, 0 degenerate, 0 with rings that do not close"), "{stdout}");

    let ds = Dataset::load(&out).expect("the import is valid data");
    let count = |layer: &str| ds.stats[ds.layer_index(layer).unwrap()].feature_count;
    assert_eq!(
        count("osm_railways"),
        1,
        "the siding is not a line of the network"
    );
    assert_eq!(
        count("osm_highways"),
        3,
        "motorway, motorway under construction, unnamed primary"
    );
    assert_eq!(count("osm_reservoirs"), 1);
    assert_eq!(count("osm_industrial"), 1);

    let rail = ds.feature(ds.find("osm-w100").unwrap());
    assert_eq!(rail.name_zh(), "川黔铁路");
    assert_eq!(rail.name_en(), "Chuanqian Railway");
    assert_eq!(rail.status, Status::Existing);
    assert_eq!(rail.accuracy, Accuracy::Real);
    assert!(
        rail.provinces.contains(Province::Chongqing) && rail.provinces.contains(Province::Guizhou)
    );
    assert_eq!(rail.source(), "OpenStreetMap way 100");
    assert_eq!(
        rail.extra()["provenance"],
        json!("© OpenStreetMap contributors, ODbL 1.0")
    );

    let g75 = ds.feature(ds.find("osm-w102").unwrap());
    assert_eq!(g75.name_zh(), "兰海高速");
    assert_eq!(g75.name_en(), "G75", "without name:en the ref names it");
    assert_eq!(g75.extra()["osm_ref"], json!("G75"));
    let anxi = ds.feature(ds.find("osm-w103").unwrap());
    assert_eq!(anxi.status, Status::UnderConstruction);
    let unnamed = ds.feature(ds.find("osm-w105").unwrap());
    assert_eq!(unnamed.name_en(), "Unnamed road (way 105)");

    let park = ds.feature(ds.find("osm-r200").unwrap());
    let geo::Geometry::MultiPolygon(mp) = &park.geometry else {
        panic!("a multipolygon")
    };
    assert_eq!(mp.0.len(), 1, "two open outer ways join into one ring");
    assert_eq!(mp.0[0].interiors().len(), 1, "the inner way is a hole");

    let spec = &ds.catalogue.layers[ds.layer_index("osm_railways").unwrap()];
    assert_eq!(spec.licence, "ODbL 1.0");
    assert_eq!(spec.attribution, "© OpenStreetMap contributors");
}

#[test]
fn a_missing_extract_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let run = Command::new(BIN)
        .args(["import", "osm", "/nonexistent.osm.pbf", "--out"])
        .arg(tmp.path())
        .arg("--boundaries")
        .arg(fixture("small"))
        .output()
        .unwrap();
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot read /nonexistent.osm.pbf"));
}
