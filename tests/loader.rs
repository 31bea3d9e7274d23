//! Validation at load: every problem is reported with file, feature index, id and reason.

mod common;

use common::fixture;
use yuqian::index::Dataset;
use yuqian::layers::Status;

#[test]
fn the_loader_lists_every_problem_not_only_the_first() {
    let err = Dataset::load(&fixture("bad")).expect_err("the bad fixture has problems");
    let found: Vec<(String, Option<usize>, Option<String>, String)> = err
        .problems
        .iter()
        .map(|p| {
            (
                p.file.file_name().unwrap().to_string_lossy().into_owned(),
                p.feature,
                p.id.clone(),
                p.reason.clone(),
            )
        })
        .collect();
    let expect: &[(&str, Option<usize>, Option<&str>, &str)] = &[
        (
            "points.geojson",
            Some(1),
            Some("p2"),
            "wrong geometry kind for the layer: line, expected point",
        ),
        (
            "points.geojson",
            Some(2),
            Some("p3"),
            "longitude 200 is out of range",
        ),
        ("points.geojson", Some(3), Some("p1"), "duplicate id"),
        (
            "points.geojson",
            Some(4),
            Some("p4"),
            "unknown status \"built\"",
        ),
        ("points.geojson", Some(5), Some("p5"), "missing name_en"),
        ("points.geojson", Some(6), None, "missing id"),
        (
            "lines.geojson",
            Some(0),
            Some("l0"),
            "at least 2 distinct points",
        ),
        ("polys.geojson", Some(0), Some("g0"), "not closed"),
        ("polys.geojson", Some(1), Some("g1"), "at least 4 positions"),
        ("broken.geojson", None, None, "invalid JSON"),
        ("infinite.geojson", None, None, "number out of range"),
        (
            "missing.geojson",
            None,
            None,
            "cannot read layer \"missing\"",
        ),
    ];
    assert_eq!(found.len(), expect.len(), "{err}");
    for (got, want) in found.iter().zip(expect) {
        assert_eq!(got.0, want.0);
        assert_eq!(got.1, want.1, "{got:?}");
        assert_eq!(got.2.as_deref(), want.2, "{got:?}");
        assert!(got.3.contains(want.3), "{got:?} should say {:?}", want.3);
    }
}

#[test]
fn a_missing_catalogue_is_reported_with_its_path() {
    let err = Dataset::load(&fixture("no-such-folder")).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].file.ends_with("no-such-folder/layers.toml"));
    assert!(err.problems[0].reason.contains("cannot read the catalogue"));
}

#[test]
fn the_small_fixture_loads_with_typed_fields_and_free_properties() {
    let ds = Dataset::load(&fixture("small")).unwrap();
    assert_eq!(ds.features.len(), 22);
    let f = ds.feature(ds.find("res-zhangshiba").unwrap());
    assert_eq!(f.name_zh(), "獐狮坝水库");
    assert_eq!(f.status, Status::Planned);
    let town = ds.feature(ds.find("town-ganshui").unwrap());
    assert_eq!(
        town.extra()["partner_towns"],
        serde_json::json!(["town-songkan"])
    );
    assert!(ds.find("nope").is_none());
}

#[test]
fn free_properties_are_served_in_their_file_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("layers.toml"),
        "[[layers]]\nid = \"towns\"\ntitle_zh = \"镇\"\ntitle_en = \"Towns\"\ngeometry = [\"point\"]\nfile = \"towns.geojson\"\nsource = \"test\"\nlicence = \"CC0\"\nattribution = \"test\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("towns.geojson"),
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "t1",
            "geometry": {"type": "Point", "coordinates": [106.7, 28.7]},
            "properties": {"zeta": 1, "name_zh": "镇", "alpha": 2, "name_en": "Town",
                           "status": "existing", "mid": 3, "provinces": ["chongqing"],
                           "source": "s", "accuracy": "real", "omega": 4}}]}"#,
    )
    .unwrap();
    let ds = Dataset::load(dir.path()).unwrap();
    let extra: Vec<&str> = ds.features[0].extra().keys().map(String::as_str).collect();
    assert_eq!(extra, ["zeta", "alpha", "mid", "omega"]);
}
