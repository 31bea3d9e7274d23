//! Every endpoint through the production router over the small fixture, and a table of bad
//! requests with their status and the parameter they must name.

mod common;

use axum::http::StatusCode;
use common::{get, ids, post_json, router};
use serde_json::{Value, json};
use yuqian::geodesy::distance_m;

#[tokio::test]
async fn health_counts_every_layer() {
    let (status, body) = get(&router(), "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["features"], 22);
    assert_eq!(body["layers"]["railways"], 3);
    assert_eq!(body["layers"]["towns"], 3);
}

#[tokio::test]
async fn layers_list_titles_kinds_counts_bboxes_and_sources() {
    let (status, body) = get(&router(), "/api/layers").await;
    assert_eq!(status, StatusCode::OK);
    let layers = body["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 11);
    let rail = layers.iter().find(|l| l["id"] == "railways").unwrap();
    assert_eq!(rail["title_zh"], "铁路");
    assert_eq!(rail["title_en"], "Railways");
    assert_eq!(rail["geometry"], json!(["line"]));
    assert_eq!(rail["feature_count"], 3);
    assert_eq!(rail["bbox"], json!([105.92, 27.73, 106.95, 29.56]));
    assert_eq!(rail["source"], "test fixture");
    let provinces = layers.iter().find(|l| l["id"] == "provinces").unwrap();
    assert_eq!(provinces["boundary"], "province");
    assert_eq!(provinces["role"], Value::Null);
    let pairs = layers.iter().find(|l| l["id"] == "district_pairs").unwrap();
    assert_eq!(pairs["role"], "relation");
    assert_eq!(pairs["boundary"], Value::Null);
}

#[tokio::test]
async fn features_in_a_bbox_are_filtered_and_paged() {
    let r = router();
    let (status, all) = get(
        &r,
        "/api/features?bbox=106.6,28.5,106.8,28.8&layers=railways,reservoirs,railway_stations",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ids(&all),
        [
            "rail-chuanqian",
            "stn-ganshui",
            "res-zaodu",
            "res-zhangshiba"
        ]
    );
    assert_eq!(all["numberMatched"], 4);
    let (_, page) = get(&r, "/api/features?bbox=106.6,28.5,106.8,28.8&layers=railways,reservoirs,railway_stations&limit=2&offset=1").await;
    assert_eq!(ids(&page), ["stn-ganshui", "res-zaodu"]);
    assert_eq!(page["numberMatched"], 4);
    assert_eq!(page["numberReturned"], 2);
    let (_, planned) = get(&r, "/api/features?layers=railways&status=planned").await;
    assert_eq!(ids(&planned), ["rail-yugui-hsr", "rail-c11"]);
    let (_, gz) = get(&r, "/api/features?layers=towns&province=guizhou").await;
    assert_eq!(ids(&gz), ["town-songkan", "town-tongzi"]);
    // A polygon whose envelope meets the box but whose area does not is not returned.
    let (_, none) = get(
        &r,
        "/api/features?bbox=106.41,29.19,106.42,29.2&layers=reservoirs",
    )
    .await;
    assert_eq!(none["numberMatched"], 0);
}

#[tokio::test]
async fn feature_by_id_is_geojson_with_the_model_fields() {
    let r = router();
    let (status, f) = get(&r, "/api/features/res-zaodu").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["id"], "res-zaodu");
    assert_eq!(
        f["geometry"],
        json!({"type": "Point", "coordinates": [106.62, 28.62]})
    );
    let p = &f["properties"];
    assert_eq!(p["name_zh"], "藻渡水库");
    assert_eq!(p["status"], "under_construction");
    assert_eq!(p["provinces"], json!(["chongqing"]));
    assert_eq!(p["layer"], "reservoirs");
    assert_eq!(p["accuracy"], "approximate");
    let (status, err) = get(&r, "/api/features/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["parameter"], "id");
}

#[tokio::test]
async fn nearby_ranks_by_geodesic_distance_and_reports_nearest_points() {
    let r = router();
    let (status, body) = get(&r, "/api/nearby?lon=106.70&lat=28.70&k=8").await;
    assert_eq!(status, StatusCode::OK);
    let feats = body["features"].as_array().unwrap();
    assert_eq!(feats.len(), 8);
    let d: Vec<f64> = feats
        .iter()
        .map(|f| f["properties"]["distance_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    // Boundary layers are left out unless asked for.
    assert!(
        feats
            .iter()
            .all(|f| f["properties"]["layer"] != "provinces"
                && f["properties"]["layer"] != "counties")
    );
    // A point feature's distance is the geodesic to it.
    let stn = feats
        .iter()
        .find(|f| f["id"] == "stn-ganshui")
        .expect("the station is among the 8 nearest");
    let expect = distance_m(
        geo::Coord {
            x: 106.70,
            y: 28.70,
        },
        geo::Coord {
            x: 106.71,
            y: 28.75,
        },
    );
    assert!((stn["properties"]["distance_m"].as_f64().unwrap() - expect).abs() < 0.001);
    assert_eq!(stn["properties"]["nearest"], json!([106.71, 28.75]));

    let (_, within) = get(&r, "/api/nearby?lon=106.70&lat=28.70&radius_m=8000").await;
    assert!(
        within["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["distance_m"].as_f64().unwrap() <= 8000.0)
    );
    assert!(within["numberReturned"].as_u64().unwrap() >= 1);
    let (_, both) = get(&r, "/api/nearby?lon=106.70&lat=28.70&radius_m=8000&k=1").await;
    assert_eq!(both["numberReturned"], 1);
    assert_eq!(ids(&both)[0], ids(&within)[0]);
    let (_, counties) = get(&r, "/api/nearby?lon=106.70&lat=28.70&layers=counties&k=2").await;
    assert_eq!(ids(&counties), ["county-qijiang", "county-tongzi"]);
    assert_eq!(counties["features"][0]["properties"]["distance_m"], 0.0);
}

#[tokio::test]
async fn corridor_of_a_feature_lists_what_lies_along_it_by_chainage() {
    let r = router();
    let (status, body) = get(&r, "/api/corridor?feature=rail-chuanqian&width_m=5000").await;
    assert_eq!(status, StatusCode::OK);
    let feats = body["features"].as_array().unwrap();
    let got = ids(&body);
    assert!(
        !got.contains(&"rail-chuanqian".to_string()),
        "the line itself is not in its corridor"
    );
    assert!(got.contains(&"stn-ganshui".to_string()));
    assert!(got.contains(&"hwy-g75".to_string()));
    assert!(!got.contains(&"park-wanzhou".to_string()));
    let chainages: Vec<f64> = feats
        .iter()
        .map(|f| f["properties"]["chainage_m"].as_f64().unwrap())
        .collect();
    assert!(chainages.windows(2).all(|w| w[0] <= w[1]), "{chainages:?}");
    assert!(
        feats
            .iter()
            .all(|f| f["properties"]["distance_m"].as_f64().unwrap() <= 5000.0)
    );
    // The station sits 1 km off the line near its third vertex.
    let stn = feats.iter().find(|f| f["id"] == "stn-ganshui").unwrap();
    assert!(stn["properties"]["distance_m"].as_f64().unwrap() < 1500.0);
    let to_third_vertex = distance_m(
        geo::Coord {
            x: 106.55,
            y: 29.56,
        },
        geo::Coord {
            x: 106.65,
            y: 29.03,
        },
    ) + distance_m(
        geo::Coord {
            x: 106.65,
            y: 29.03,
        },
        geo::Coord {
            x: 106.71,
            y: 28.74,
        },
    );
    assert!((stn["properties"]["chainage_m"].as_f64().unwrap() - to_third_vertex).abs() < 2000.0);

    let (_, planned) = get(
        &r,
        "/api/corridor?feature=rail-chuanqian&width_m=5000&status=planned&layers=railways,highways",
    )
    .await;
    assert!(
        planned["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["status"] == "planned")
    );
}

#[tokio::test]
async fn corridor_of_a_posted_line_matches_the_corridor_of_the_same_feature() {
    let r = router();
    let (_, by_id) = get(&r, "/api/corridor?feature=hwy-anxi&width_m=20000").await;
    let line = json!({"type": "LineString", "coordinates": [[106.76,28.68],[106.67,28.60],[106.68,28.54],[106.53,28.45]]});
    let (status, posted) = post_json(
        &r,
        "/api/corridor",
        json!({"line": line, "width_m": 20000}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut expect = ids(&by_id);
    let got = ids(&posted);
    // The posted line is no feature, so the feature itself shows up at distance 0.
    assert!(got.contains(&"hwy-anxi".to_string()));
    expect.push("hwy-anxi".into());
    let (mut a, mut b) = (expect.clone(), got.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let (_, only) = post_json(
        &r,
        "/api/corridor",
        json!({"line": line, "width_m": 20000, "layers": ["reservoirs"], "status": ["planned"]})
            .to_string(),
    )
    .await;
    assert_eq!(ids(&only), ["res-zhangshiba"]);
}

#[tokio::test]
async fn region_names_province_prefecture_and_county_or_says_outside() {
    let r = router();
    let (status, body) = get(&r, "/api/region?lon=106.7&lat=28.9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["province"], "chongqing");
    assert_eq!(body["county"]["name_zh"], "綦江区");
    assert_eq!(body["county"]["adcode"], "500110");
    // Chongqing has no prefectures: its counties' prefecture is the municipality itself.
    assert_eq!(
        body["prefecture"],
        json!({"id": "prefecture-500000", "name_zh": "重庆市", "name_en": "Chongqing Municipality", "adcode": "500000"})
    );
    let (_, gz) = get(&r, "/api/region?lon=106.8&lat=28.2").await;
    assert_eq!(gz["province"], "guizhou");
    assert_eq!(gz["province_feature"]["adcode"], "520000");
    assert_eq!(gz["county"]["id"], "county-tongzi");
    assert_eq!(gz["prefecture"]["name_zh"], "遵义市");
    assert_eq!(gz["prefecture"]["adcode"], "520300");
    // Outside every county: the province alone.
    let (_, no_county) = get(&r, "/api/region?lon=108.0&lat=27.0").await;
    assert_eq!(no_county["province"], "guizhou");
    assert_eq!(no_county["county"], Value::Null);
    assert_eq!(no_county["prefecture"], Value::Null);
    let (status, outside) = get(&r, "/api/region?lon=116.4&lat=39.9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(outside["detail"].as_str().unwrap().contains("outside"));
}

#[tokio::test]
async fn crossings_find_border_crossing_lines_with_points_and_lengths() {
    let r = router();
    let (status, body) = get(&r, "/api/crossings").await;
    assert_eq!(status, StatusCode::OK);
    let got = ids(&body);
    assert_eq!(
        got,
        [
            "rail-chuanqian",
            "rail-yugui-hsr",
            "hwy-g75",
            "hwy-anxi",
            "route-red"
        ]
    );
    let rail = &body["features"][0]["properties"];
    let crossings = rail["crossings"].as_array().unwrap();
    assert_eq!(crossings.len(), 1);
    assert_eq!(crossings[0]["from"], "chongqing");
    assert_eq!(crossings[0]["to"], "guizhou");
    // The crossing lies on the fixture's border segment (106.5, 28.5)–(107.5, 28.7).
    let p = &crossings[0]["point"];
    let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
    assert!((y - (28.5 + 0.2 * (x - 106.5))).abs() < 1e-9, "{x} {y}");
    let len = &rail["length_m"];
    let total = yuqian::geodesy::path_length_m(&[
        geo::Coord {
            x: 106.55,
            y: 29.56,
        },
        geo::Coord {
            x: 106.65,
            y: 29.03,
        },
        geo::Coord {
            x: 106.71,
            y: 28.74,
        },
        geo::Coord {
            x: 106.82,
            y: 28.14,
        },
        geo::Coord {
            x: 106.93,
            y: 27.73,
        },
    ]);
    let sum = len["chongqing"].as_f64().unwrap()
        + len["guizhou"].as_f64().unwrap()
        + len["other"].as_f64().unwrap();
    assert!((sum - total).abs() < 0.01, "{sum} vs {total}");
    assert!(
        (crossings[0]["chainage_m"].as_f64().unwrap() - len["chongqing"].as_f64().unwrap()).abs()
            < 0.01
    );
    // The tourist loop goes into Guizhou and comes back.
    let route = &body["features"][4]["properties"]["crossings"];
    assert_eq!(route.as_array().unwrap().len(), 2);
    let (_, only_roads) = get(&r, "/api/crossings?layers=highways").await;
    assert_eq!(ids(&only_roads), ["hwy-g75", "hwy-anxi"]);
}

// The fixture's one relation, `pair-qijiang-tongzi` (layer `district_pairs`, role "relation"),
// runs from the Ganshui town point along the railway's Ganshui–Tongzi segment: the issue's
// "nearest project to 赶水 is a district pairing at 5 m" in miniature.

#[tokio::test]
async fn nearby_leaves_relation_layers_out_unless_named() {
    let r = router();
    let at = "lon=106.71&lat=28.74";
    let (status, all) = get(&r, &format!("/api/nearby?{at}&k=1000")).await;
    assert_eq!(status, StatusCode::OK);
    let got = ids(&all);
    assert!(got.contains(&"town-ganshui".to_string()), "{got:?}");
    assert!(!got.contains(&"pair-qijiang-tongzi".to_string()), "{got:?}");
    let (_, within) = get(&r, &format!("/api/nearby?{at}&radius_m=100000")).await;
    assert!(!ids(&within).contains(&"pair-qijiang-tongzi".to_string()));

    let (_, named) = get(&r, &format!("/api/nearby?{at}&layers=district_pairs")).await;
    assert_eq!(ids(&named), ["pair-qijiang-tongzi"]);
    assert_eq!(named["features"][0]["properties"]["distance_m"], 0.0);
    let (_, with_towns) = get(
        &r,
        &format!("/api/nearby?{at}&layers=towns,district_pairs&k=2"),
    )
    .await;
    let mut two = ids(&with_towns);
    two.sort();
    assert_eq!(two, ["pair-qijiang-tongzi", "town-ganshui"]);
}

#[tokio::test]
async fn corridor_leaves_relation_layers_out_unless_named() {
    let r = router();
    let (_, by_id) = get(&r, "/api/corridor?feature=rail-chuanqian&width_m=5000").await;
    assert!(!ids(&by_id).contains(&"pair-qijiang-tongzi".to_string()));
    let (_, named) = get(
        &r,
        "/api/corridor?feature=rail-chuanqian&width_m=5000&layers=district_pairs",
    )
    .await;
    assert_eq!(ids(&named), ["pair-qijiang-tongzi"]);

    let line = json!({"type": "LineString", "coordinates": [[106.71, 28.74], [106.82, 28.14]]});
    let (status, posted) = post_json(
        &r,
        "/api/corridor",
        json!({"line": line, "width_m": 1000}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let got = ids(&posted);
    assert!(got.contains(&"rail-chuanqian".to_string()), "{got:?}");
    assert!(!got.contains(&"pair-qijiang-tongzi".to_string()), "{got:?}");
    let (_, posted_named) = post_json(
        &r,
        "/api/corridor",
        json!({"line": line, "width_m": 1000, "layers": ["district_pairs"]}).to_string(),
    )
    .await;
    assert_eq!(ids(&posted_named), ["pair-qijiang-tongzi"]);
}

#[tokio::test]
async fn crossings_leave_relation_layers_out_unless_named() {
    let r = router();
    let (_, all) = get(&r, "/api/crossings").await;
    assert!(!ids(&all).contains(&"pair-qijiang-tongzi".to_string()));
    let (status, named) = get(&r, "/api/crossings?layers=district_pairs").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&named), ["pair-qijiang-tongzi"]);
    let c = named["features"][0]["properties"]["crossings"]
        .as_array()
        .unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0]["from"], "chongqing");
    assert_eq!(c[0]["to"], "guizhou");
}

#[tokio::test]
async fn relation_layers_are_served_by_features_search_and_ogc_collections() {
    let r = router();
    let (_, page) = get(&r, "/api/features?layers=district_pairs").await;
    assert_eq!(ids(&page), ["pair-qijiang-tongzi"]);
    let (_, found) = get(&r, "/api/search?q=pairing").await;
    assert_eq!(ids(&found), ["pair-qijiang-tongzi"]);
    let (status, items) = get(&r, "/ogc/collections/district_pairs/items?f=json").await;
    assert_eq!(status, StatusCode::OK, "{items}");
    assert_eq!(items["features"][0]["id"], "pair-qijiang-tongzi");
}

#[tokio::test]
async fn search_matches_chinese_and_english_names_case_insensitively() {
    let r = router();
    let (_, zh) = get(&r, "/api/search?q=水库").await;
    // All contain the query: shorter names first, then by id.
    assert_eq!(ids(&zh), ["res-majiang", "res-zaodu", "res-zhangshiba"]);
    let (_, en) = get(&r, "/api/search?q=EXPRESSWAY").await;
    assert_eq!(ids(&en), ["hwy-anxi", "hwy-g75"]);
    let (_, exact) = get(&r, "/api/search?q=%E8%B5%B6%E6%B0%B4%E7%AB%99").await; // 赶水站
    assert_eq!(ids(&exact)[0], "stn-ganshui");
    let (_, limited) = get(&r, "/api/search?q=a&limit=2").await;
    assert_eq!(limited["numberReturned"], 2);
    assert!(limited["numberMatched"].as_u64().unwrap() > 2);
}

#[tokio::test]
async fn unknown_paths_are_json_404s() {
    let (status, body) = get(&router(), "/api/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
}

/// (request, expected status, the parameter the error must name)
const BAD_GETS: &[(&str, u16, &str)] = &[
    ("/api/nearby?lon=abc&lat=28", 400, "lon"),
    ("/api/nearby?lon=NaN&lat=28", 400, "lon"),
    ("/api/nearby?lon=inf&lat=28", 400, "lon"),
    ("/api/nearby?lon=181&lat=28", 400, "lon"),
    ("/api/nearby?lon=106&lat=-91", 400, "lat"),
    ("/api/nearby?lat=28", 400, "lon"),
    ("/api/nearby?lon=106", 400, "lat"),
    ("/api/nearby?lon=106&lat=28&k=-1", 400, "k"),
    ("/api/nearby?lon=106&lat=28&k=1.5", 400, "k"),
    ("/api/nearby?lon=106&lat=28&k=1001", 400, "k"),
    ("/api/nearby?lon=106&lat=28&radius_m=-5", 400, "radius_m"),
    (
        "/api/nearby?lon=106&lat=28&radius_m=2000000",
        400,
        "radius_m",
    ),
    ("/api/nearby?lon=106&lat=28&layers=roads", 400, "layers"),
    ("/api/nearby?lon=106&lat=28&status=built", 400, "status"),
    (
        "/api/nearby?lon=106&lat=28&province=sichuan",
        400,
        "province",
    ),
    ("/api/nearby?lon=106&lat=28&radius=5", 400, "radius"),
    ("/api/nearby?lon=106&lat=28&lon=107", 400, "lon"),
    ("/api/features?bbox=1,2,3", 400, "bbox"),
    ("/api/features?bbox=107,28,106,29", 400, "bbox"),
    ("/api/features?bbox=106,29,107,28", 400, "bbox"),
    ("/api/features?bbox=106,28,x,29", 400, "bbox"),
    ("/api/features?bbox=-200,28,107,29", 400, "bbox"),
    ("/api/features?limit=10001", 400, "limit"),
    ("/api/features?offset=-1", 400, "offset"),
    ("/api/features?layers=", 400, "layers"),
    ("/api/features/nope", 404, "id"),
    ("/api/corridor?width_m=1000", 400, "feature"),
    ("/api/corridor?feature=nope&width_m=1000", 404, "feature"),
    (
        "/api/corridor?feature=res-zaodu&width_m=1000",
        400,
        "feature",
    ),
    ("/api/corridor?feature=rail-chuanqian", 400, "width_m"),
    (
        "/api/corridor?feature=rail-chuanqian&width_m=-1",
        400,
        "width_m",
    ),
    (
        "/api/corridor?feature=rail-chuanqian&width_m=100001",
        400,
        "width_m",
    ),
    (
        "/api/corridor?feature=rail-chuanqian&width_m=1e400",
        400,
        "width_m",
    ),
    (
        "/api/corridor?feature=rail-chuanqian&width_m=10&layers=x",
        400,
        "layers",
    ),
    ("/api/region?lon=106", 400, "lat"),
    ("/api/region?lon=1e999&lat=2", 400, "lon"),
    ("/api/crossings?layers=towns", 400, "layers"),
    ("/api/crossings?layers=nope", 400, "layers"),
    ("/api/search", 400, "q"),
    ("/api/search?q=", 400, "q"),
    ("/api/search?q=a&limit=1000", 400, "limit"),
    ("/health?x=1", 400, "x"),
];

#[tokio::test]
async fn bad_get_requests_name_the_parameter() {
    let r = router();
    for (uri, status, parameter) in BAD_GETS {
        let (got, body) = get(&r, uri).await;
        assert_eq!(got.as_u16(), *status, "{uri}: {body}");
        assert_eq!(body["parameter"], *parameter, "{uri}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{uri}: {body}"
        );
        assert!(body["error"].is_string(), "{uri}: {body}");
    }
}

#[tokio::test]
async fn bad_corridor_bodies_name_the_field() {
    let r = router();
    let line = json!({"type": "LineString", "coordinates": [[106.0, 28.0], [107.0, 29.0]]});
    let cases: Vec<(String, u16, &str)> = vec![
        ("{not json".into(), 400, "body"),
        ("[1,2]".into(), 400, "body"),
        (json!({"width_m": 10}).to_string(), 400, "line"),
        (json!({"line": line, "width_m": "wide"}).to_string(), 400, "width_m"),
        (json!({"line": line}).to_string(), 400, "width_m"),
        (json!({"line": line, "width_m": -3}).to_string(), 400, "width_m"),
        (json!({"line": line, "width_m": 1e6}).to_string(), 400, "width_m"),
        (json!({"line": {"type": "Point", "coordinates": [106.0, 28.0]}, "width_m": 10}).to_string(), 400, "line"),
        (json!({"line": {"type": "LineString", "coordinates": [[106.0, 28.0]]}, "width_m": 10}).to_string(), 400, "line"),
        (json!({"line": {"type": "LineString", "coordinates": [[106.0, 28.0], [106.0, 28.0]]}, "width_m": 10}).to_string(), 400, "line"),
        (json!({"line": {"type": "LineString", "coordinates": [[106.0, 95.0], [107.0, 28.0]]}, "width_m": 10}).to_string(), 400, "line"),
        (json!({"line": {"type": "LineString", "coordinates": "x"}, "width_m": 10}).to_string(), 400, "line"),
        (json!({"line": line, "width_m": 10, "layers": ["nope"]}).to_string(), 400, "layers"),
        (json!({"line": line, "width_m": 10, "layers": "railways"}).to_string(), 400, "layers"),
        (json!({"line": line, "width_m": 10, "status": ["done"]}).to_string(), 400, "status"),
        (json!({"line": line, "width_m": 10, "province": ["hunan"]}).to_string(), 400, "province"),
        (json!({"line": line, "width_m": 10, "colour": "red"}).to_string(), 400, "colour"),
    ];
    for (body, status, field) in cases {
        let (got, resp) = post_json(&r, "/api/corridor", body.clone()).await;
        assert_eq!(got.as_u16(), status, "{body}: {resp}");
        assert_eq!(resp["parameter"], field, "{body}: {resp}");
    }
    // One position over the cap, and exactly the cap.
    let line_of = |n: usize| {
        let coordinates: Vec<[f64; 2]> = (0..n)
            .map(|i| [106.0 + (i % 2) as f64 * 0.01, 28.0 + i as f64 * 1e-5])
            .collect();
        json!({"line": {"type": "LineString", "coordinates": coordinates}, "width_m": 10})
            .to_string()
    };
    let max = yuqian::query::corridor::MAX_LINE_POSITIONS;
    let (got, resp) = post_json(&r, "/api/corridor", line_of(max + 1)).await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{resp}");
    assert_eq!(resp["parameter"], "line");
    let (got, resp) = post_json(&r, "/api/corridor", line_of(max)).await;
    assert_eq!(got, StatusCode::OK, "{resp}");
    let huge = format!(
        "{{\"line\": {{\"type\": \"LineString\", \"coordinates\": [{}]}}, \"width_m\": 10}}",
        vec!["[106.0,28.0]"; 200_000].join(",")
    );
    let (got, resp) = post_json(&r, "/api/corridor", huge).await;
    assert_eq!(got, StatusCode::PAYLOAD_TOO_LARGE, "{resp}");
    assert_eq!(resp["parameter"], "body");
}
