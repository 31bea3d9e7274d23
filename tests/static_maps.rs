//! Static maps over HTTP (`/api/static.png`, `/api/static.svg`), through the production router
//! on the small fixture: the PNG decoded by an independent decoder (`png`), the SVG parsed as
//! XML (`roxmltree`).

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use common::{fixture, get, small};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::f64::consts::PI;
use tower::ServiceExt;
use yuqian::http::{AppState, app};
use yuqian::store::LoopStore;

struct Image {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Image {
    fn px(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.width + x) * 4) as usize;
        [
            self.rgba[i],
            self.rgba[i + 1],
            self.rgba[i + 2],
            self.rgba[i + 3],
        ]
    }

    /// How many pixels differ from `other` (same size) by more than a little.
    fn differing(&self, other: &Image) -> usize {
        self.rgba
            .chunks(4)
            .zip(other.rgba.chunks(4))
            .filter(|(a, b)| a.iter().zip(*b).any(|(x, y)| x.abs_diff(*y) > 8))
            .count()
    }
}

fn decode(bytes: &[u8]) -> Image {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    // The picture is opaque, sent as RGB: widened to RGBA here.
    let buf = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("an RGB or RGBA PNG, not {other:?}"),
    };
    Image {
        width: info.width,
        height: info.height,
        rgba: buf,
    }
}

async fn raw(router: &axum::Router, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

async fn fetch(router: &axum::Router, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    raw(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn png_of(router: &axum::Router, uri: &str) -> Image {
    let (status, headers, bytes) = fetch(router, uri).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(headers["content-type"], "image/png");
    decode(&bytes)
}

async fn post_png(router: &axum::Router, body: Value) -> (StatusCode, Vec<u8>) {
    let (status, _, bytes) = raw(
        router,
        Request::post("/api/static.png")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    (status, bytes)
}

/// Where Web Mercator puts lon/lat in a picture centred on `c` at `zoom` (512-px tiles),
/// written out here independently of the server's code.
fn expected_px(p: (f64, f64), c: (f64, f64), zoom: f64, w: u32, h: u32) -> (f64, f64) {
    let world = 512.0 * 2f64.powf(zoom);
    let x = |lon: f64| (lon + 180.0) / 360.0 * world;
    let y = |lat: f64| {
        let r = lat.to_radians();
        (1.0 - (r.tan() + 1.0 / r.cos()).ln() / PI) / 2.0 * world
    };
    (
        x(p.0) - x(c.0) + f64::from(w) / 2.0,
        y(p.1) - y(c.1) + f64::from(h) / 2.0,
    )
}

fn near_colour(px: [u8; 4], c: [u8; 3], tolerance: u32) -> bool {
    let d: u32 = (0..3).map(|i| u32::from(px[i].abs_diff(c[i]))).sum();
    d <= tolerance
}

#[tokio::test]
async fn the_png_has_the_asked_size_and_scale_2_doubles_its_pixels() {
    let r = common::router();
    let q = "bbox=106.3,28.0,107.1,29.6&width=400&height=300";
    let one = png_of(&r, &format!("/api/static.png?{q}")).await;
    assert_eq!((one.width, one.height), (400, 300));
    let two = png_of(&r, &format!("/api/static.png?{q}&scale=2")).await;
    assert_eq!((two.width, two.height), (800, 600));
    // Not blank: many colours, and the same picture at twice the pixels (a pixel of the first
    // is close to the mean of its four in the second, in most places).
    let colours: std::collections::HashSet<[u8; 4]> = one
        .rgba
        .chunks(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    assert!(colours.len() > 50, "{} colours", colours.len());
    let mut same = 0;
    for y in 0..300 {
        for x in 0..400 {
            let a = one.px(x, y);
            let mean = |i: usize| {
                (0..4)
                    .map(|k| u32::from(two.px(2 * x + k % 2, 2 * y + k / 2)[i]))
                    .sum::<u32>()
                    / 4
            };
            if (0..3).all(|i| u32::from(a[i]).abs_diff(mean(i)) < 40) {
                same += 1;
            }
        }
    }
    assert!(same > 400 * 300 * 9 / 10, "{same} of 120000 pixels match");
}

#[tokio::test]
async fn a_point_lies_where_web_mercator_puts_it() {
    let r = common::router();
    // The reservoir res-zaodu (under construction: filled with the layer colour #2f78c4).
    let (c, zoom, w, h) = ((106.5, 28.5), 9.3, 500, 400);
    let uri = format!(
        "/api/static.png?center={},{}&zoom={zoom}&width={w}&height={h}&layers=reservoirs",
        c.0, c.1
    );
    let img = png_of(&r, &uri).await;
    let (ex, ey) = expected_px((106.62, 28.62), c, zoom, w, h);
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for y in (ey as i64 - 25).max(0)..(ey as i64 + 25).min(i64::from(h)) {
        for x in (ex as i64 - 25).max(0)..(ex as i64 + 25).min(i64::from(w)) {
            if near_colour(img.px(x as u32, y as u32), [0x2f, 0x78, 0xc4], 60) {
                sx += x as f64 + 0.5;
                sy += y as f64 + 0.5;
                n += 1.0;
            }
        }
    }
    assert!(n > 10.0, "the symbol is drawn near ({ex:.1}, {ey:.1})");
    let (cx, cy) = (sx / n, sy / n);
    assert!(
        (cx - ex).abs() < 3.0 && (cy - ey).abs() < 3.0,
        "drawn at ({cx:.1}, {cy:.1}), Web Mercator puts it at ({ex:.1}, {ey:.1})"
    );
}

#[tokio::test]
async fn the_colours_of_a_status_style_appear_where_its_features_are() {
    let r = common::router();
    let (c, zoom, w, h) = ((106.7, 28.6), 10.0, 600, 400);
    let uri = format!(
        "/api/static.png?center={},{}&zoom={zoom}&width={w}&height={h}&layers=reservoirs",
        c.0, c.1
    );
    let img = png_of(&r, &uri).await;
    let at = |p: (f64, f64)| {
        let (x, y) = expected_px(p, c, zoom, w, h);
        img.px(x as u32, y as u32)
    };
    // Under construction: the symbol is filled with the layer colour (#2f78c4).
    let building = at((106.62, 28.62));
    assert!(
        near_colour(building, [0x2f, 0x78, 0xc4], 60),
        "{building:?}"
    );
    // Planned: a white symbol with a ring of the layer colour.
    let planned = at((106.8, 28.55));
    assert!(near_colour(planned, [0xff, 0xff, 0xff], 40), "{planned:?}");
    let (x, y) = expected_px((106.8, 28.55), c, zoom, w, h);
    let ring =
        (0..12).any(|dx| near_colour(img.px(x as u32 + dx, y as u32), [0x2f, 0x78, 0xc4], 80));
    assert!(ring, "a ring of the layer colour around the planned symbol");
}

#[tokio::test]
async fn corridor_loop_marker_and_nearby_overlays_change_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let store = LoopStore::open(&dir.path().join("loops.sqlite")).unwrap();
    let r = app(AppState::with_store(small(), Some(store), None), None);
    let base = "bbox=106.3,27.9,107.1,29.6&width=300&height=400";
    let plain = png_of(&r, &format!("/api/static.png?{base}")).await;
    for overlay in [
        "corridor=rail-chuanqian&width_m=5000",
        "markers=106.7,28.8;106.8,28.3",
        "near=106.71,28.75&radius_m=20000",
    ] {
        let with = png_of(&r, &format!("/api/static.png?{base}&{overlay}")).await;
        assert!(
            with.differing(&plain) > 500,
            "{overlay} changes the picture"
        );
    }

    // A saved loop, then changed: the picture follows the change (never the cached one).
    let (status, _, bytes) = raw(
        &r,
        Request::post("/api/loops")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({"name": "红色之旅", "stops": ["town-ganshui", "town-tongzi"]}).to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let id = serde_json::from_slice::<Value>(&bytes).unwrap()["id"]
        .as_i64()
        .unwrap();
    let uri = format!("/api/static.png?{base}&loop={id}");
    let first = png_of(&r, &uri).await;
    assert!(
        first.differing(&plain) > 500,
        "the loop changes the picture"
    );
    let (_, h1, _) = fetch(&r, &uri).await;
    let (status, _, _) = raw(
        &r,
        Request::put(format!("/api/loops/{id}"))
            .header("content-type", "application/json")
            .header("if-match", "\"v1\"")
            .body(Body::from(
                json!({"name": "红色之旅", "stops": ["town-ganshui", "town-songkan", "ta-loushanguan"]})
                    .to_string(),
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, h2, _) = fetch(&r, &uri).await;
    assert_ne!(h1["etag"], h2["etag"], "a changed loop has a new ETag");
    let second = png_of(&r, &uri).await;
    assert!(
        second.differing(&first) > 100,
        "the changed loop is drawn, not the cached picture"
    );

    // Unsaved loops and drawn corridors come by POST.
    let (status, bytes) = post_png(
        &r,
        json!({"bbox": [106.3, 27.9, 107.1, 29.6], "width": 300, "height": 400,
               "loop": {"stops": ["town-ganshui", "town-tongzi"]}}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(decode(&bytes).differing(&plain) > 500);
    let (status, bytes) = post_png(
        &r,
        json!({"bbox": "106.3,27.9,107.1,29.6", "width": 300, "height": 400, "width_m": 3000,
               "line": {"type": "LineString", "coordinates": [[106.5, 29.3], [106.9, 28.2]]}}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(decode(&bytes).differing(&plain) > 500);
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_svg_parses_and_holds_the_labels_as_text() {
    let r = common::router();
    let q = "center=106.71,28.75&zoom=10&width=600&height=400&scale=2";
    let (status, headers, bytes) = fetch(&r, &format!("/api/static.svg?{q}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    let svg = String::from_utf8(bytes).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!(
        root.attribute("width"),
        Some("1200"),
        "scale doubles width and height"
    );
    assert_eq!(
        root.attribute("viewBox"),
        Some("0 0 600 400"),
        "not the extent"
    );
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t == "赶水站"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("綦江")),
        "the title names the area: {texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.ends_with(" km") || t.ends_with(" m")),
        "a scale bar"
    );
    let (_, _, bytes) = fetch(&r, &format!("/api/static.svg?{q}&lang=en")).await;
    let texts = svg_texts(&String::from_utf8(bytes).unwrap());
    assert!(texts.iter().any(|t| t == "Ganshui station"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "N"), "a north arrow");
}

#[tokio::test]
async fn labels_never_overlap() {
    let r = common::router();
    let (_, _, bytes) = fetch(
        &r,
        "/api/static.svg?bbox=106.3,27.9,107.1,29.6&width=500&height=500",
    )
    .await;
    let svg = String::from_utf8(bytes).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // The map's labels carry a halo (stroke); the furniture's do not.
    let boxes: Vec<[f64; 4]> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("stroke").is_some())
        .map(|n| {
            let f = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
            let size = f("font-size");
            let text = n.text().unwrap_or("");
            let w: f64 = text
                .chars()
                .map(|c| {
                    if (c as u32) > 0x2e80 {
                        size
                    } else {
                        0.55 * size
                    }
                })
                .sum();
            let x = match n.attribute("text-anchor") {
                Some("middle") => f("x") - w / 2.0,
                Some("end") => f("x") - w,
                _ => f("x"),
            };
            [x, f("y") - size * 0.8, x + w, f("y")]
        })
        .collect();
    assert!(boxes.len() >= 3, "{} labels", boxes.len());
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            assert!(!overlap, "{a:?} and {b:?} overlap");
        }
    }
}

#[tokio::test]
async fn a_second_request_is_answered_from_the_cache_or_with_304() {
    let r = common::router();
    let uri = "/api/static.png?bbox=106.3,27.9,107.1,29.6&width=200&height=200";
    let (s1, h1, b1) = fetch(&r, uri).await;
    assert_eq!(s1, StatusCode::OK);
    assert_eq!(h1["cache-control"], "no-cache");
    let tag = h1["etag"].to_str().unwrap().to_string();
    // The same request written otherwise (parameters in another order) is the same picture.
    let (s2, h2, b2) = fetch(
        &r,
        "/api/static.png?height=200&width=200&bbox=106.3,27.9,107.1,29.6",
    )
    .await;
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(h2["etag"].to_str().unwrap(), tag);
    assert_eq!(b1, b2);
    let (s3, _, b3) = raw(
        &r,
        Request::get(uri)
            .header("if-none-match", &tag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s3, StatusCode::NOT_MODIFIED);
    assert!(b3.is_empty());
}

#[tokio::test]
async fn every_bad_parameter_gets_its_4xx_naming_it() {
    let r = common::router();
    let b = "bbox=106,28,107,29";
    let cases: Vec<(String, StatusCode, &str)> = vec![
        ("width=400".into(), StatusCode::BAD_REQUEST, "bbox"),
        (format!("{b}&width=5000"), StatusCode::BAD_REQUEST, "width"),
        (format!("{b}&height=0"), StatusCode::BAD_REQUEST, "height"),
        (format!("{b}&width=abc"), StatusCode::BAD_REQUEST, "width"),
        (
            format!("{b}&width=4096&height=4096&scale=2"),
            StatusCode::BAD_REQUEST,
            "scale",
        ),
        (format!("{b}&scale=1.5"), StatusCode::BAD_REQUEST, "scale"),
        ("bbox=107,28,106,29".into(), StatusCode::BAD_REQUEST, "bbox"),
        ("bbox=106,29,107,29".into(), StatusCode::BAD_REQUEST, "bbox"),
        ("bbox=106,28,107".into(), StatusCode::BAD_REQUEST, "bbox"),
        ("bbox=a,b,c,d".into(), StatusCode::BAD_REQUEST, "bbox"),
        ("bbox=106,28,190,29".into(), StatusCode::BAD_REQUEST, "bbox"),
        ("center=106.5,28.5".into(), StatusCode::BAD_REQUEST, "zoom"),
        (
            "center=106.5,28.5&zoom=x".into(),
            StatusCode::BAD_REQUEST,
            "zoom",
        ),
        (
            "center=106.5,28.5&zoom=30".into(),
            StatusCode::BAD_REQUEST,
            "zoom",
        ),
        (
            "center=106.5&zoom=8".into(),
            StatusCode::BAD_REQUEST,
            "center",
        ),
        (
            format!("{b}&center=106.5,28.5&zoom=8"),
            StatusCode::BAD_REQUEST,
            "center",
        ),
        ("zoom=8".into(), StatusCode::BAD_REQUEST, "center"),
        (
            format!("{b}&layers=nope"),
            StatusCode::BAD_REQUEST,
            "layers",
        ),
        (format!("{b}&lang=fr"), StatusCode::BAD_REQUEST, "lang"),
        (
            format!("{b}&corridor=nope&width_m=5000"),
            StatusCode::NOT_FOUND,
            "corridor",
        ),
        (
            format!("{b}&corridor=stn-ganshui&width_m=5000"),
            StatusCode::BAD_REQUEST,
            "corridor",
        ),
        (
            format!("{b}&corridor=rail-chuanqian"),
            StatusCode::BAD_REQUEST,
            "width_m",
        ),
        (
            format!("{b}&corridor=rail-chuanqian&width_m=-1"),
            StatusCode::BAD_REQUEST,
            "width_m",
        ),
        (
            format!("{b}&corridor=rail-chuanqian&width_m=1e9"),
            StatusCode::BAD_REQUEST,
            "width_m",
        ),
        (
            format!("{b}&width_m=5000"),
            StatusCode::BAD_REQUEST,
            "width_m",
        ),
        (format!("{b}&loop=abc"), StatusCode::BAD_REQUEST, "loop"),
        (format!("{b}&loop=12345"), StatusCode::NOT_FOUND, "loop"),
        (
            format!("{b}&markers=106.5"),
            StatusCode::BAD_REQUEST,
            "markers",
        ),
        (
            format!("{b}&markers=106.5,95"),
            StatusCode::BAD_REQUEST,
            "markers",
        ),
        (format!("{b}&near=x,y"), StatusCode::BAD_REQUEST, "near"),
        (
            format!("{b}&radius_m=100"),
            StatusCode::BAD_REQUEST,
            "radius_m",
        ),
        (
            format!("{b}&near=106.5,28.5&radius_m=-5"),
            StatusCode::BAD_REQUEST,
            "radius_m",
        ),
        (
            format!("{b}&near=106.5,28.5&k=100000"),
            StatusCode::BAD_REQUEST,
            "k",
        ),
        (format!("{b}&colour=red"), StatusCode::BAD_REQUEST, "colour"),
        (
            format!("{b}&width=300&width=400"),
            StatusCode::BAD_REQUEST,
            "width",
        ),
    ];
    for (q, status, parameter) in cases {
        for ext in ["png", "svg"] {
            let (got, body) = get(&r, &format!("/api/static.{ext}?{q}")).await;
            assert_eq!(got, status, "{q}: {body}");
            assert_eq!(body["parameter"], parameter, "{q}: {body}");
        }
    }
    // The body of a POST.
    for (body, parameter) in [
        (json!([1, 2]), "body"),
        (
            json!({"bbox": [106, 28, 107, 29], "line": {"type": "Point", "coordinates": [106, 28]}, "width_m": 10}),
            "line",
        ),
        (
            json!({"bbox": [106, 28, 107, 29], "loop": {"stops": []}}),
            "stops",
        ),
        (json!({"bbox": [106, 28, 107, 29], "extra": 1}), "extra"),
        (json!({"bbox": {"w": 1}}), "bbox"),
    ] {
        let (status, bytes) = post_png(&r, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let err: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(err["parameter"], parameter, "{body}: {err}");
    }
    let (status, _) = get(&r, "/api/static.gif?bbox=106,28,107,29").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_corridor_answer_carries_the_band_the_picture_draws() {
    let r = common::router();
    let (status, body) = get(&r, "/api/corridor?feature=rail-chuanqian&width_m=5000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["band"]["type"], "MultiPolygon");
    let ring = body["band"]["coordinates"][0][0].as_array().unwrap();
    assert!(ring.len() > 50, "a smooth band: {} positions", ring.len());
    assert_eq!(ring.first(), ring.last(), "a closed ring");
    let _ = fixture;
}

#[tokio::test]
async fn a_view_of_more_features_than_the_cap_is_400_naming_layers() {
    use yuqian::index::Dataset;
    use yuqian::layers::{Accuracy, Feature, Provinces, Status, Texts};
    let ds = small();
    let layer = ds.layer_index("attractions").unwrap() as u16;
    let mut features = ds.features.clone();
    for i in 0..=yuqian::render::MAX_FEATURES {
        let id = format!("bulk-{i}");
        features.push(Feature::new(
            Texts {
                id: &id,
                name_zh: "点",
                name_en: "point",
                source: "test",
            },
            layer,
            Status::Existing,
            Provinces::default(),
            Accuracy::Real,
            geo::Geometry::Point(geo::Point::new(
                106.5 + (i % 100) as f64 * 1e-3,
                28.5 + (i / 100) as f64 * 1e-3,
            )),
            Default::default(),
        ));
    }
    let r = app(
        AppState::new(Dataset::new(ds.catalogue.clone(), features)),
        None,
    );
    let (status, body) = get(
        &r,
        "/api/static.png?bbox=106.4,28.4,106.7,28.8&width=300&height=300",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["parameter"], "layers");
    // Without that layer the same view is drawn.
    let (status, _, _) = fetch(
        &r,
        "/api/static.png?bbox=106.4,28.4,106.7,28.8&width=300&height=300&layers=railways",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
