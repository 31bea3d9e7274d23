//! Static maps (issue 14; figures in BENCHMARKS.md, "Static maps"): the time of
//! `GET /api/static.png` through the production router in-process (no socket), cold (the
//! picture cache emptied before each request: overlays, SVG, rasterising and PNG encoding) and
//! cached (answered from the cache), median and p95.
//!
//! Run: `cargo run --release --example static_bench [-- --synthetic N] [--cold RUNS] [--cached RUNS] [--breakdown]`
//!
//! The maps: a 1280×800 corridor map along 川黔铁路 (`rail-chuanqian`) at 5 km, and a
//! 1280×800 map of a saved loop (the first ready-made route of the data, saved in a scratch
//! database), each with the web map's default layers. With `--synthetic N` the N features of the
//! benchmark set (`benches/common/synth.rs`, 1,000,000 by default in the benches) are loaded
//! beside the shipped data: once drawn (they are layers the style does not name, so shown by
//! default) and once with the shipped default layers only (they are in the index, not drawn).

#[path = "../benches/common/synth.rs"]
mod synth;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use std::path::Path;
use std::time::Instant;
use tower::ServiceExt;
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;
use yuqian::store::LoopStore;

fn arg(name: &str) -> Option<usize> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
}

fn quantile(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    v[i]
}

async fn request(router: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes()
        .to_vec();
    (status, body)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let synthetic = arg("--synthetic");
    let cold_runs = arg("--cold").unwrap_or(20);
    let cached_runs = arg("--cached").unwrap_or(500);
    let shipped = Dataset::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/geodata")))
        .expect("geodata/ loads");
    let shipped_layers: Vec<String> = shipped
        .catalogue
        .layers
        .iter()
        .map(|l| l.id.clone())
        .collect();
    let ds = match synthetic {
        None => shipped,
        Some(n) => {
            let t = Instant::now();
            let offset = shipped.catalogue.layers.len() as u16;
            let mut catalogue = shipped.catalogue.clone();
            catalogue.layers.extend(synth::catalogue().layers);
            let mut features = shipped.features.clone();
            features.extend(synth::features(n).into_iter().map(|mut f| {
                f.layer += offset;
                f
            }));
            let ds = Dataset::new(catalogue, features);
            eprintln!(
                "{} features ({n} synthetic) indexed in {:.1} s",
                ds.features.len(),
                t.elapsed().as_secs_f64()
            );
            ds
        }
    };
    let dir = tempfile::tempdir().expect("a scratch folder");
    let store = LoopStore::open(&dir.path().join("loops.sqlite")).expect("a database");
    let state = AppState::with_store(ds, Some(store), None);
    let router = app(state.clone(), None);

    // The loop: the first ready-made route of the data, saved.
    let (_, presets) = request(
        &router,
        Request::get("/api/loops/presets")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let presets: serde_json::Value = serde_json::from_slice(&presets).expect("JSON");
    let preset = &presets["presets"][0];
    let mut body = preset["request"].clone();
    body["name"] = preset["name_zh"].clone();
    let (status, saved) = request(
        &router,
        Request::post("/api/loops")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&saved)
    );
    let loop_id = serde_json::from_slice::<serde_json::Value>(&saved).unwrap()["id"].clone();
    eprintln!("loop {loop_id}: {}", preset["name_zh"]);

    let defaults = shipped_layers.join(",");
    let mut maps = vec![
        (
            "corridor 川黔铁路 5 km".to_string(),
            "/api/static.png?corridor=rail-chuanqian&width_m=5000&width=1280&height=800"
                .to_string(),
        ),
        (
            format!("loop {}", preset["name_zh"].as_str().unwrap_or("")),
            format!("/api/static.png?loop={loop_id}&width=1280&height=800"),
        ),
    ];
    if synthetic.is_some() {
        // The same maps with the shipped layers only (the synthetic ones indexed, not drawn).
        let only: Vec<(String, String)> = maps
            .iter()
            .map(|(n, u)| {
                (
                    format!("{n}, shipped layers drawn"),
                    format!("{u}&layers={defaults}"),
                )
            })
            .collect();
        maps.extend(only);
    }
    if std::env::args().any(|a| a == "--breakdown") {
        breakdown(&state);
        return;
    }
    let snap = || state.snapshot().expect("a snapshot");
    println!("| map | PNG bytes | cold median | cold p95 | cached median | cached p95 |");
    println!("|---|---|---|---|---|---|");
    for (name, uri) in &maps {
        let get = || Request::get(uri.as_str()).body(Body::empty()).unwrap();
        // One warm-up (fonts, allocator), not counted.
        let (status, png) = request(&router, get()).await;
        if status != StatusCode::OK {
            // Refused (e.g. more features than a picture draws): how long the refusal takes.
            let mut refused = Vec::new();
            for _ in 0..cold_runs {
                let t = Instant::now();
                let (status, _) = request(&router, get()).await;
                refused.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_ne!(status, StatusCode::OK);
            }
            let detail = serde_json::from_slice::<serde_json::Value>(&png)
                .map(|v| v["detail"].as_str().unwrap_or("").to_string())
                .unwrap_or_default();
            println!(
                "| {name} | {status} in {:.1} ms (median): {detail} | | | | |",
                quantile(&mut refused, 0.5)
            );
            continue;
        }
        let mut cold = Vec::with_capacity(cold_runs);
        for _ in 0..cold_runs {
            snap().images.clear();
            let t = Instant::now();
            let (status, _) = request(&router, get()).await;
            cold.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, StatusCode::OK);
        }
        let mut cached = Vec::with_capacity(cached_runs);
        for _ in 0..cached_runs {
            let t = Instant::now();
            let (status, _) = request(&router, get()).await;
            cached.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, StatusCode::OK);
        }
        println!(
            "| {name} | {} | {:.1} ms | {:.1} ms | {:.3} ms | {:.3} ms |",
            png.len(),
            quantile(&mut cold, 0.5),
            quantile(&mut cold, 0.95),
            quantile(&mut cached, 0.5),
            quantile(&mut cached, 0.95),
        );
    }
}

/// Where a cold picture's time goes (`--breakdown`): building the SVG, then rasterising and
/// encoding it, for the corridor map's view without overlays.
fn breakdown(state: &AppState) {
    use yuqian::render::{self, Lang, MapSpec, Overlays, View};
    let snap = state.snapshot().expect("a snapshot");
    let ds = &snap.dataset;
    let style = yuqian::style::MapStyle::shipped();
    let layers: Vec<usize> = (0..ds.catalogue.layers.len())
        .filter(|l| {
            ds.stats[*l].feature_count > 0
                && !style.layer(&ds.catalogue.layers[*l].id).off_by_default
        })
        .collect();
    let rect = yuqian::geodesy::LonLatRect {
        min: geo::Coord { x: 106.5, y: 26.6 },
        max: geo::Coord { x: 107.0, y: 29.6 },
    };
    let spec = MapSpec {
        view: View::fit(rect, 1280, 800),
        scale: 1,
        layers,
        lang: Lang::Zh,
        overlays: Overlays::default(),
    };
    let deadline = yuqian::work::Deadline::NONE;
    let mut svg_ms = Vec::new();
    let mut png_ms = Vec::new();
    let mut svg = String::new();
    for _ in 0..10 {
        let t = Instant::now();
        svg = render::svg(&snap, &spec, &deadline).expect("a drawable view");
        svg_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let png = render::raster::png(&svg, 1280, 800, 1).expect("a PNG");
        png_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(png);
    }
    let no_text: String = svg
        .lines()
        .filter(|l| !l.starts_with("<text"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut no_text_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        std::hint::black_box(render::raster::png(&no_text, 1280, 800, 1).expect("a PNG"));
        no_text_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "breakdown (median of 10): SVG {:.1} ms ({} kB, {} texts); PNG {:.1} ms; PNG without the texts {:.1} ms",
        quantile(&mut svg_ms, 0.5),
        svg.len() / 1000,
        svg.matches("<text").count(),
        quantile(&mut png_ms, 0.5),
        quantile(&mut no_text_ms, 0.5)
    );
}
