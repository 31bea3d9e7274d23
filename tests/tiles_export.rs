//! `yuqian tiles export`: the PMTiles archive read back by the `pmtiles` crate and by Python's
//! `pmtiles` and `mapbox-vector-tile`, tile for tile the same as the server's.

mod common;

use axum::http::StatusCode;
use common::tiles::*;
use geo::Coord;
use serde_json::Value;
use std::collections::BTreeSet;
use yuqian::tiles::{TileCoord, TileIndex, export, parse_layers, render};
use yuqian::work::Deadline;

#[tokio::test]
async fn the_pmtiles_export_holds_the_tiles_the_server_serves() {
    let ds = common::small();
    let list = "railways,provinces,railway_stations";
    let layers = parse_layers(&ds, list).unwrap();
    let index = TileIndex::build(&ds);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.pmtiles");
    let summary = export::export_pmtiles(&ds, &index, &layers, list, 8, &path).unwrap();
    assert!(summary.tiles > 8);
    let reader = pmtiles::AsyncPmTilesReader::new_with_path(&path)
        .await
        .unwrap();
    let header = reader.get_header();
    assert_eq!(header.max_zoom, 8);
    let meta: Value = serde_json::from_str(&reader.get_metadata().await.unwrap()).unwrap();
    assert_eq!(meta["vector_layers"].as_array().unwrap().len(), 3);
    assert_eq!(meta["vector_layers"][0]["id"], "railways");
    assert_eq!(meta["vector_layers"][0]["maxzoom"], 8);
    assert_eq!(meta["maxzoom"], 8);
    assert!(meta.get("tiles").is_none(), "an archive has no server URL");
    let router = common::router();
    let mut compared = 0;
    let b = ds
        .stats
        .iter()
        .filter_map(|s| s.bbox)
        .reduce(|a, b| yuqian::geodesy::LonLatRect {
            min: Coord {
                x: a.min.x.min(b.min.x),
                y: a.min.y.min(b.min.y),
            },
            max: Coord {
                x: a.max.x.max(b.max.x),
                y: a.max.y.max(b.max.y),
            },
        })
        .unwrap();
    for z in 0..=8u8 {
        let lo = tile_of(
            Coord {
                x: b.min.x,
                y: b.max.y,
            },
            z,
        );
        let hi = tile_of(
            Coord {
                x: b.max.x,
                y: b.min.y,
            },
            z,
        );
        for x in lo.x.saturating_sub(1)..=hi.x + 1 {
            for y in lo.y.saturating_sub(1)..=hi.y + 1 {
                let Ok(t) = TileCoord::new(z, x, y) else {
                    continue;
                };
                let archived = reader
                    .get_tile_decompressed(pmtiles::TileCoord::new(z, x, y).unwrap())
                    .await
                    .unwrap();
                let (status, _, served) =
                    fetch(&router, &format!("/tiles/{list}/{z}/{x}/{y}.mvt"), &[]).await;
                match archived {
                    Some(bytes) => {
                        assert_eq!(status, StatusCode::OK, "{t}");
                        assert_eq!(&bytes[..], &served[..], "{t}");
                        compared += 1;
                    }
                    None => assert_eq!(
                        status,
                        StatusCode::NO_CONTENT,
                        "{t} is served but not archived"
                    ),
                }
                let direct = render(&ds, &index, &layers, t, &Deadline::NONE).unwrap();
                assert_eq!(direct.is_some(), status == StatusCode::OK);
            }
        }
    }
    assert_eq!(compared, summary.tiles, "every archived tile compared");
}

#[test]
fn the_export_command_writes_an_archive_and_says_how_many_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pmtiles");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
        .args(["tiles", "export", "--pmtiles"])
        .arg(&path)
        .args(["--layers", "railways,towns", "--maxzoom", "6", "--data"])
        .arg(common::fixture("small"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("tiles of railways,towns, z0 to z6"),
        "{stdout}"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..7], b"PMTiles");
    assert_eq!(bytes[7], 3, "PMTiles v3");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
        .args(["tiles", "export", "--pmtiles"])
        .arg(&path)
        .args(["--layers", "canals", "--data"])
        .arg(common::fixture("small"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("canals"));
}

/// The reference Python readers, or `None` (and a note) when the test venv lacks them outside
/// CI; `make test` installs them from `tools/requirements.txt`.
fn python_with_pmtiles() -> Option<String> {
    let python = std::env::var("YUQIAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&python)
        .args(["-c", "import pmtiles, mapbox_vector_tile"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var_os("CI").is_none() {
        eprintln!("skipped: {python} has no pmtiles or mapbox_vector_tile (run make setup-python)");
        return None;
    }
    assert!(ok, "{python} needs pmtiles and mapbox_vector_tile");
    Some(python)
}

#[tokio::test]
async fn python_readers_see_the_served_tiles_in_the_exported_archive() {
    let Some(python) = python_with_pmtiles() else {
        return;
    };
    let ds = common::small();
    let list = "provinces,railways,towns";
    let layers = parse_layers(&ds, list).unwrap();
    let index = TileIndex::build(&ds);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.pmtiles");
    let summary = export::export_pmtiles(&ds, &index, &layers, list, 7, &path).unwrap();
    let out = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tiles/read_pmtiles.py"
        ))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["_header"]["max_zoom"], 7);
    assert_eq!(read.len() as u64 - 1, summary.tiles, "every tile read back");
    let router = common::router();
    for (key, python_layers) in read.iter().filter(|(k, _)| *k != "_header") {
        let (status, _, bytes) = fetch(&router, &format!("/tiles/{list}/{key}.mvt"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{key}");
        let served = decode(&bytes);
        let python_layers = python_layers.as_object().unwrap();
        assert_eq!(
            python_layers.keys().collect::<BTreeSet<_>>(),
            served.layers.keys().collect::<BTreeSet<_>>(),
            "{key}"
        );
        for (name, (extent, features)) in &served.layers {
            assert_eq!(python_layers[name]["extent"], *extent, "{key} {name}");
            let mut ours: Vec<(u64, String)> = features
                .iter()
                .map(|f| {
                    let id = prop(f, "id").map_or(String::new(), |_| prop_str(f, "id"));
                    (f.id.unwrap(), id)
                })
                .collect();
            ours.sort();
            let theirs: Vec<(u64, String)> = python_layers[name]["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_u64().unwrap(), p[1].as_str().unwrap().to_string()))
                .collect();
            assert_eq!(ours, theirs, "{key} {name}");
        }
    }
}
