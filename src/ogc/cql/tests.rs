//! Filters in both encodings against a brute-force truth written as plain Rust closures, error
//! messages, and envelopes.

use super::*;
use crate::index::Dataset;
use crate::layers::{
    Accuracy, Catalogue, GeometryKind, LayerSpec, Province, Provinces, Status, Texts,
};
use geo::{Coord, Geometry, LineString, Point};
use serde_json::{Map, Value, json};

const STATIONS: usize = 144;
const LINES: usize = 24;
/// Grid step of the stations, exact in binary so that literals hit coordinates exactly.
const STEP: f64 = 0.125;

fn layer(id: &str, kind: GeometryKind) -> LayerSpec {
    LayerSpec {
        id: id.into(),
        title_zh: "测试".into(),
        title_en: "test".into(),
        geometry: vec![kind],
        file: format!("{id}.geojson"),
        boundary: None,
        role: None,
        source: "tests".into(),
        licence: "CC0-1.0".into(),
        attribution: "tests".into(),
    }
}

const OPERATORS: [&str; 5] = [
    "中国铁路成都局",
    "Chongqing Rail",
    "O'Brien & Co",
    "100% Green",
    "under_score",
];

/// Station `i`: a point on a 12 × 12 grid with free properties of every kind.
fn station(i: usize) -> Feature {
    let mut extra = Map::new();
    if !i.is_multiple_of(7) {
        extra.insert(
            "tracks".into(),
            if i.is_multiple_of(11) {
                Value::Null
            } else {
                json!(i % 5)
            },
        );
    }
    extra.insert("length_km".into(), json!(i as f64 * 1.5));
    if !i.is_multiple_of(4) {
        extra.insert("electrified".into(), json!(i.is_multiple_of(3)));
    }
    extra.insert(
        "opened".into(),
        json!(format!("20{:02}-0{}-1{}", i % 25, 1 + i % 9, i % 10)),
    );
    // Hours since 2024-01-01T00:00:00Z, written in UTC or in +08:00.
    let hours = (i * 7) % 240;
    let (day, hour) = (hours / 24, hours % 24);
    let updated = if i.is_multiple_of(2) {
        format!("2024-01-{:02}T{:02}:00:00Z", day + 1, hour)
    } else {
        let local = hours + 8;
        format!(
            "2024-01-{:02}T{:02}:00:00+08:00",
            local / 24 + 1,
            local % 24
        )
    };
    extra.insert("updated".into(), json!(updated));
    extra.insert("updated_h".into(), json!(hours));
    if !i.is_multiple_of(6) {
        extra.insert("operator".into(), json!(OPERATORS[i % 5]));
    }
    if i.is_multiple_of(4) {
        extra.insert(
            "tags".into(),
            if i.is_multiple_of(8) {
                json!(["hub", "freight"])
            } else {
                json!(["hub"])
            },
        );
    } else if i % 4 == 1 {
        extra.insert("tags".into(), json!([]));
    }
    extra.insert(
        "code".into(),
        if i.is_multiple_of(2) {
            json!(format!("C{i}"))
        } else {
            json!(i)
        },
    );
    if i.is_multiple_of(10) {
        extra.insert("meta".into(), json!({"k": i}));
    }
    let provinces: Provinces = match (i % 13, i % 3) {
        (0, _) => Provinces::default(),
        (_, 0) => [Province::Chongqing].into_iter().collect(),
        (_, 1) => [Province::Guizhou].into_iter().collect(),
        _ => Province::ALL.into_iter().collect(),
    };
    let point = Point::new(
        105.0 + (i % 12) as f64 * STEP,
        28.0 + (i / 12) as f64 * STEP,
    );
    let name_en = if i.is_multiple_of(5) {
        String::new()
    } else {
        format!("Station {i}")
    };
    Feature::new(
        Texts {
            id: &format!("st-{i:03}"),
            name_zh: &format!("站{i}"),
            name_en: &name_en,
            source: &format!("src {}", i % 4),
        },
        0,
        Status::ALL[i % 6],
        provinces,
        Accuracy::ALL[i % 3],
        Geometry::Point(point),
        extra,
    )
}

/// Line `j`: a north–south segment at lon 105 + j/8 from lat 27.5 to 28.5.
fn line(j: usize) -> Feature {
    let x = 105.0 + j as f64 * STEP;
    let mut extra = Map::new();
    extra.insert("gauge_mm".into(), json!(1435));
    Feature::new(
        Texts {
            id: &format!("ln-{j:03}"),
            name_zh: "线",
            name_en: "line",
            source: "s",
        },
        1,
        Status::Existing,
        Provinces::default(),
        Accuracy::Schematic,
        Geometry::LineString(LineString::from(vec![(x, 27.5), (x, 28.5)])),
        extra,
    )
}

fn dataset() -> Dataset {
    let catalogue = Catalogue {
        layers: vec![
            layer("stations", GeometryKind::Point),
            layer("rail", GeometryKind::Line),
        ],
    };
    let features = (0..STATIONS)
        .map(station)
        .chain((0..LINES).map(line))
        .collect();
    Dataset::new(catalogue, features)
}

fn identity(g: Geometry<f64>) -> Result<Geometry<f64>, String> {
    Ok(g)
}

fn num(f: &Feature, k: &str) -> Option<f64> {
    f.extra().get(k)?.as_f64()
}
fn text<'a>(f: &'a Feature, k: &str) -> Option<&'a str> {
    f.extra().get(k)?.as_str()
}
fn boolean(f: &Feature, k: &str) -> Option<bool> {
    f.extra().get(k)?.as_bool()
}
fn at(f: &Feature) -> Coord {
    match &f.geometry {
        Geometry::Point(p) => p.0,
        _ => unreachable!("stations are points"),
    }
}
fn in_box(c: Coord, w: f64, s: f64, e: f64, n: f64) -> bool {
    w <= c.x && c.x <= e && s <= c.y && c.y <= n
}
fn has(f: &Feature, p: Province) -> bool {
    f.provinces.contains(p)
}
fn tags(f: &Feature) -> Option<Vec<&str>> {
    Some(
        f.extra()
            .get("tags")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect(),
    )
}

type Truth = fn(&Feature) -> bool;

/// (cql2-text, cql2-json, truth) over the stations.
fn table() -> Vec<(&'static str, &'static str, Truth)> {
    vec![
        (
            "status = 'planned'",
            r#"{"op":"=","args":[{"property":"status"},"planned"]}"#,
            |f| f.status == Status::Planned,
        ),
        (
            "status <> 'existing'",
            r#"{"op":"<>","args":[{"property":"status"},"existing"]}"#,
            |f| f.status != Status::Existing,
        ),
        (
            "status < 'planned'",
            r#"{"op":"<","args":[{"property":"status"},"planned"]}"#,
            |f| f.status.as_str() < "planned",
        ),
        (
            "tracks > 2",
            r#"{"op":">","args":[{"property":"tracks"},2]}"#,
            |f| num(f, "tracks").is_some_and(|x| x > 2.0),
        ),
        (
            "tracks >= 2 AND tracks <= 3",
            r#"{"op":"and","args":[{"op":">=","args":[{"property":"tracks"},2]},{"op":"<=","args":[{"property":"tracks"},3]}]}"#,
            |f| num(f, "tracks").is_some_and(|x| (2.0..=3.0).contains(&x)),
        ),
        (
            "NOT tracks = 0",
            r#"{"op":"not","args":[{"op":"=","args":[{"property":"tracks"},0]}]}"#,
            |f| num(f, "tracks").is_some_and(|x| x != 0.0),
        ),
        (
            "tracks <> 0",
            r#"{"op":"<>","args":[{"property":"tracks"},0]}"#,
            |f| num(f, "tracks").is_some_and(|x| x != 0.0),
        ),
        (
            "tracks IS NULL",
            r#"{"op":"isNull","args":[{"property":"tracks"}]}"#,
            |f| num(f, "tracks").is_none(),
        ),
        (
            "tracks IS NOT NULL",
            r#"{"op":"not","args":[{"op":"isNull","args":[{"property":"tracks"}]}]}"#,
            |f| num(f, "tracks").is_some(),
        ),
        (
            "2 < tracks",
            r#"{"op":"<","args":[2,{"property":"tracks"}]}"#,
            |f| num(f, "tracks").is_some_and(|x| x > 2.0),
        ),
        (
            "\"tracks\" = 4",
            r#"{"op":"=","args":[{"property":"tracks"},4]}"#,
            |f| num(f, "tracks") == Some(4.0),
        ),
        (
            "tracks = NULL",
            r#"{"op":"=","args":[{"property":"tracks"},null]}"#,
            |_| false,
        ),
        (
            "(tracks > 1) IS NULL",
            r#"{"op":"isNull","args":[{"op":">","args":[{"property":"tracks"},1]}]}"#,
            |f| num(f, "tracks").is_none(),
        ),
        (
            "electrified = true",
            r#"{"op":"=","args":[{"property":"electrified"},true]}"#,
            |f| boolean(f, "electrified") == Some(true),
        ),
        (
            "electrified <> true",
            r#"{"op":"<>","args":[{"property":"electrified"},true]}"#,
            |f| boolean(f, "electrified") == Some(false),
        ),
        (
            "electrified = false OR tracks = 4",
            r#"{"op":"or","args":[{"op":"=","args":[{"property":"electrified"},false]},{"op":"=","args":[{"property":"tracks"},4]}]}"#,
            |f| boolean(f, "electrified") == Some(false) || num(f, "tracks") == Some(4.0),
        ),
        (
            "NOT (electrified = true AND tracks > 1)",
            r#"{"op":"not","args":[{"op":"and","args":[{"op":"=","args":[{"property":"electrified"},true]},{"op":">","args":[{"property":"tracks"},1]}]}]}"#,
            |f| {
                boolean(f, "electrified") == Some(false)
                    || num(f, "tracks").is_some_and(|x| x <= 1.0)
            },
        ),
        (
            "name_en = ''",
            r#"{"op":"=","args":[{"property":"name_en"},""]}"#,
            |f| f.name_en().is_empty(),
        ),
        (
            "name_zh LIKE '站1%'",
            r#"{"op":"like","args":[{"property":"name_zh"},"站1%"]}"#,
            |f| f.name_zh().starts_with("站1"),
        ),
        (
            "name_en LIKE 'Station _'",
            r#"{"op":"like","args":[{"property":"name_en"},"Station _"]}"#,
            |f| f.name_en().len() == 9 && f.name_en().starts_with("Station "),
        ),
        (
            "name_en NOT LIKE '%1_'",
            r#"{"op":"not","args":[{"op":"like","args":[{"property":"name_en"},"%1_"]}]}"#,
            |f| {
                let b = f.name_en().as_bytes();
                !(b.len() >= 2 && b[b.len() - 2] == b'1')
            },
        ),
        (
            "name_zh >= '站5'",
            r#"{"op":">=","args":[{"property":"name_zh"},"站5"]}"#,
            |f| f.name_zh() >= "站5",
        ),
        (
            r"operator LIKE '100\%%'",
            r#"{"op":"like","args":[{"property":"operator"},"100\\%%"]}"#,
            |f| text(f, "operator") == Some("100% Green"),
        ),
        (
            "operator LIKE '%\\_%'",
            r#"{"op":"like","args":[{"property":"operator"},"%\\_%"]}"#,
            |f| text(f, "operator").is_some_and(|s| s.contains('_')),
        ),
        (
            "operator = 'O''Brien & Co'",
            r#"{"op":"=","args":[{"property":"operator"},"O'Brien & Co"]}"#,
            |f| text(f, "operator") == Some("O'Brien & Co"),
        ),
        (
            r"operator = 'O\'Brien & Co'",
            r#"{"op":"=","args":[{"property":"operator"},"O'Brien & Co"]}"#,
            |f| text(f, "operator") == Some("O'Brien & Co"),
        ),
        (
            "operator LIKE '中国%'",
            r#"{"op":"like","args":[{"property":"operator"},"中国%"]}"#,
            |f| text(f, "operator").is_some_and(|s| s.starts_with("中国")),
        ),
        (
            "length_km BETWEEN 10 AND 30",
            r#"{"op":"between","args":[{"property":"length_km"},10,30]}"#,
            |f| num(f, "length_km").is_some_and(|x| (10.0..=30.0).contains(&x)),
        ),
        (
            "length_km NOT BETWEEN 10 AND 30.5",
            r#"{"op":"not","args":[{"op":"between","args":[{"property":"length_km"},10,30.5]}]}"#,
            |f| num(f, "length_km").is_some_and(|x| !(10.0..=30.5).contains(&x)),
        ),
        (
            "tracks IN (1, 3)",
            r#"{"op":"in","args":[{"property":"tracks"},[1,3]]}"#,
            |f| matches!(num(f, "tracks"), Some(x) if x == 1.0 || x == 3.0),
        ),
        (
            "tracks NOT IN (1, 3)",
            r#"{"op":"not","args":[{"op":"in","args":[{"property":"tracks"},[1,3]]}]}"#,
            |f| matches!(num(f, "tracks"), Some(x) if x != 1.0 && x != 3.0),
        ),
        (
            "status IN ('planned', 'unknown')",
            r#"{"op":"in","args":[{"property":"status"},["planned","unknown"]]}"#,
            |f| matches!(f.status, Status::Planned | Status::Unknown),
        ),
        (
            "source IN ('src 1', 'src 2')",
            r#"{"op":"in","args":[{"property":"source"},["src 1","src 2"]]}"#,
            |f| matches!(f.source(), "src 1" | "src 2"),
        ),
        (
            "provinces = 'guizhou'",
            r#"{"op":"=","args":[{"property":"provinces"},"guizhou"]}"#,
            |f| has(f, Province::Guizhou),
        ),
        (
            "provinces <> 'guizhou'",
            r#"{"op":"<>","args":[{"property":"provinces"},"guizhou"]}"#,
            |f| !has(f, Province::Guizhou),
        ),
        (
            "provinces IN ('chongqing')",
            r#"{"op":"in","args":[{"property":"provinces"},["chongqing"]]}"#,
            |f| has(f, Province::Chongqing),
        ),
        (
            "provinces IS NULL",
            r#"{"op":"isNull","args":[{"property":"provinces"}]}"#,
            |_| false,
        ),
        (
            "tags = 'hub'",
            r#"{"op":"=","args":[{"property":"tags"},"hub"]}"#,
            |f| tags(f).is_some_and(|t| t.contains(&"hub")),
        ),
        (
            "tags IN ('freight', 'x')",
            r#"{"op":"in","args":[{"property":"tags"},["freight","x"]]}"#,
            |f| tags(f).is_some_and(|t| t.contains(&"freight")),
        ),
        (
            "tags IS NULL",
            r#"{"op":"isNull","args":[{"property":"tags"}]}"#,
            |f| tags(f).is_none(),
        ),
        (
            "code = 'C4'",
            r#"{"op":"=","args":[{"property":"code"},"C4"]}"#,
            |f| text(f, "code") == Some("C4"),
        ),
        (
            "code > 50",
            r#"{"op":">","args":[{"property":"code"},50]}"#,
            |f| num(f, "code").is_some_and(|x| x > 50.0),
        ),
        (
            "meta IS NOT NULL",
            r#"{"op":"not","args":[{"op":"isNull","args":[{"property":"meta"}]}]}"#,
            |f| f.extra().contains_key("meta"),
        ),
        (
            "opened > DATE('2010-01-01')",
            r#"{"op":">","args":[{"property":"opened"},{"date":"2010-01-01"}]}"#,
            |f| text(f, "opened").is_some_and(|s| s > "2010-01-01"),
        ),
        (
            "opened = DATE('2005-06-15')",
            r#"{"op":"=","args":[{"property":"opened"},{"date":"2005-06-15"}]}"#,
            |f| text(f, "opened") == Some("2005-06-15"),
        ),
        (
            "opened <= '2003-12-31'",
            r#"{"op":"<=","args":[{"property":"opened"},"2003-12-31"]}"#,
            |f| text(f, "opened").is_some_and(|s| s <= "2003-12-31"),
        ),
        (
            "updated >= TIMESTAMP('2024-01-05T00:00:00Z')",
            r#"{"op":">=","args":[{"property":"updated"},{"timestamp":"2024-01-05T00:00:00Z"}]}"#,
            |f| num(f, "updated_h").is_some_and(|h| h >= 96.0),
        ),
        (
            "updated < TIMESTAMP('2024-01-02T08:00:00+08:00')",
            r#"{"op":"<","args":[{"property":"updated"},{"timestamp":"2024-01-02T00:00:00Z"}]}"#,
            |f| num(f, "updated_h").is_some_and(|h| h < 24.0),
        ),
        (
            "id = 'st-007'",
            r#"{"op":"=","args":[{"property":"id"},"st-007"]}"#,
            |f| f.id() == "st-007",
        ),
        (
            "layer = 'stations'",
            r#"{"op":"=","args":[{"property":"layer"},"stations"]}"#,
            |_| true,
        ),
        (
            "accuracy = 'real' AND (status = 'planned' OR status = 'existing')",
            r#"{"op":"and","args":[{"op":"=","args":[{"property":"accuracy"},"real"]},{"op":"or","args":[{"op":"=","args":[{"property":"status"},"planned"]},{"op":"=","args":[{"property":"status"},"existing"]}]}]}"#,
            |f| {
                f.accuracy == Accuracy::Real
                    && matches!(f.status, Status::Planned | Status::Existing)
            },
        ),
        ("TRUE", "true", |_| true),
        (
            "NOT FALSE AND 1 = 1",
            r#"{"op":"and","args":[{"op":"not","args":[false]},{"op":"=","args":[1,1]}]}"#,
            |_| true,
        ),
        (
            "S_INTERSECTS(geometry, BBOX(105.25, 28.25, 105.5, 28.5))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[105.25,28.25,105.5,28.5]}]}"#,
            |f| in_box(at(f), 105.25, 28.25, 105.5, 28.5),
        ),
        (
            "S_INTERSECTS(BBOX(105.25, 28.25, 0, 105.5, 28.5, 10), geometry)",
            r#"{"op":"s_intersects","args":[{"bbox":[105.25,28.25,0,105.5,28.5,10]},{"property":"geometry"}]}"#,
            |f| in_box(at(f), 105.25, 28.25, 105.5, 28.5),
        ),
        (
            "S_INTERSECTS(geometry, POINT(105.25 28.5))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[105.25,28.5]}]}"#,
            |f| at(f) == Coord { x: 105.25, y: 28.5 },
        ),
        (
            "S_INTERSECTS(geometry, POINT Z(105.25 28.5 300))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[105.25,28.5,300]}]}"#,
            |f| at(f) == Coord { x: 105.25, y: 28.5 },
        ),
        (
            "S_INTERSECTS(geometry, LINESTRING(105.25 28.5 10, 105.25 30 20))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"LineString","coordinates":[[105.25,28.5,10],[105.25,30,20]]}]}"#,
            |f| {
                let c = at(f);
                c.x == 105.25 && c.y >= 28.5
            },
        ),
        // A triangle with its right angle at (105, 28): x + y ≤ 0.5 past the corner, boundary in.
        (
            "S_INTERSECTS(geometry, POLYGON((105 28, 105.5 28, 105 28.5, 105 28)))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[105,28],[105.5,28],[105,28.5],[105,28]]]}]}"#,
            |f| {
                let c = at(f);
                c.x >= 105.0 && c.y >= 28.0 && (c.x - 105.0) + (c.y - 28.0) <= 0.5
            },
        ),
        (
            "S_INTERSECTS(geometry, LINESTRING(105 28.375, 106 28.375))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"LineString","coordinates":[[105,28.375],[106,28.375]]}]}"#,
            |f| {
                let c = at(f);
                c.y == 28.375 && (105.0..=106.0).contains(&c.x)
            },
        ),
        (
            "S_INTERSECTS(geometry, MULTIPOINT((105 28), (105.25 28.25)))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"MultiPoint","coordinates":[[105,28],[105.25,28.25]]}]}"#,
            |f| {
                let c = at(f);
                c == Coord { x: 105.0, y: 28.0 }
                    || c == Coord {
                        x: 105.25,
                        y: 28.25,
                    }
            },
        ),
        (
            "S_INTERSECTS(geometry, MULTILINESTRING((105 28, 105 29), (106 28, 106 29)))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"MultiLineString","coordinates":[[[105,28],[105,29]],[[106,28],[106,29]]]}]}"#,
            |f| {
                let c = at(f);
                (c.x == 105.0 || c.x == 106.0) && (28.0..=29.0).contains(&c.y)
            },
        ),
        (
            "S_INTERSECTS(geometry, MULTIPOLYGON(((105 28, 105.25 28, 105.25 28.25, 105 28.25, 105 28)), ((106 29, 106.5 29, 106.5 29.5, 106 29.5, 106 29))))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"MultiPolygon","coordinates":[[[[105,28],[105.25,28],[105.25,28.25],[105,28.25],[105,28]]],[[[106,29],[106.5,29],[106.5,29.5],[106,29.5],[106,29]]]]}]}"#,
            |f| {
                let c = at(f);
                in_box(c, 105.0, 28.0, 105.25, 28.25) || in_box(c, 106.0, 29.0, 106.5, 29.5)
            },
        ),
        (
            "S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(105.5 28.5), LINESTRING(106 28, 106 28.25)))",
            r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[105.5,28.5]},{"type":"LineString","coordinates":[[106,28],[106,28.25]]}]}]}"#,
            |f| {
                let c = at(f);
                c == Coord { x: 105.5, y: 28.5 } || (c.x == 106.0 && (28.0..=28.25).contains(&c.y))
            },
        ),
        (
            "S_INTERSECTS(geometry, BBOX(105, 28, 105.5, 28.5)) AND status = 'planned'",
            r#"{"op":"and","args":[{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[105,28,105.5,28.5]}]},{"op":"=","args":[{"property":"status"},"planned"]}]}"#,
            |f| in_box(at(f), 105.0, 28.0, 105.5, 28.5) && f.status == Status::Planned,
        ),
        (
            "S_INTERSECTS(geometry, BBOX(105, 28, 105.25, 28.25)) OR S_INTERSECTS(geometry, BBOX(106, 29, 106.5, 29.5))",
            r#"{"op":"or","args":[{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[105,28,105.25,28.25]}]},{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[106,29,106.5,29.5]}]}]}"#,
            |f| {
                let c = at(f);
                in_box(c, 105.0, 28.0, 105.25, 28.25) || in_box(c, 106.0, 29.0, 106.5, 29.5)
            },
        ),
        (
            "NOT S_INTERSECTS(geometry, BBOX(105, 28, 105.5, 28.5))",
            r#"{"op":"not","args":[{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[105,28,105.5,28.5]}]}]}"#,
            |f| !in_box(at(f), 105.0, 28.0, 105.5, 28.5),
        ),
    ]
}

#[test]
fn every_filter_selects_what_the_brute_force_truth_selects_in_both_encodings() {
    let ds = dataset();
    let q = Queryables::of_layer(&ds, 0);
    let stations = &ds.features[..STATIONS];
    let mut nontrivial = 0;
    let table = table();
    for (text, json, truth) in &table {
        let want: Vec<&str> = stations
            .iter()
            .filter(|f| truth(f))
            .map(|f| f.id())
            .collect();
        for (lang, source) in [(Lang::Text, *text), (Lang::Json, *json)] {
            let e =
                compile(source, lang, &q, &identity).unwrap_or_else(|e| panic!("{source}: {e}"));
            let got: Vec<&str> = stations
                .iter()
                .filter(|f| e.matches(f, "stations"))
                .map(|f| f.id())
                .collect();
            assert_eq!(got, want, "{lang:?} {source}");
        }
        nontrivial += usize::from(!want.is_empty() && want.len() < STATIONS);
    }
    assert!(
        table.len() >= 60 && nontrivial >= 55,
        "{} filters, {nontrivial} non-trivial",
        table.len()
    );
}

#[test]
fn spatial_filters_on_lines_touch_at_the_boundary() {
    let ds = dataset();
    let q = Queryables::of_layer(&ds, 1);
    let lines = &ds.features[STATIONS..];
    // x = 105 + j/8 for j in 0..24; the box spans x 105.25..=105.5 (j = 2..=4), lat 28.5 only at its edge.
    let e = compile(
        "S_INTERSECTS(geometry, BBOX(105.25, 28.5, 105.5, 29))",
        Lang::Text,
        &q,
        &identity,
    )
    .unwrap();
    let got: Vec<&str> = lines
        .iter()
        .filter(|f| e.matches(f, "rail"))
        .map(|f| f.id())
        .collect();
    assert_eq!(got, ["ln-002", "ln-003", "ln-004"]);
    let e = compile(
        "gauge_mm = 1435 AND layer = 'rail'",
        Lang::Text,
        &q,
        &identity,
    )
    .unwrap();
    assert!(lines.iter().all(|f| e.matches(f, "rail")));
}

/// A filter's error message.
fn error(source: &str, lang: Lang) -> String {
    let ds = dataset();
    let q = Queryables::of_layer(&ds, 0);
    let e = compile(source, lang, &q, &identity).expect_err(source);
    assert_eq!(e.parameter, "filter");
    e.detail
}

#[test]
fn errors_name_what_is_wrong() {
    let cases: &[(&str, &[&str])] = &[
        (
            "nosuch = 1",
            &[
                "\"nosuch\" is not a queryable of collection stations",
                "tracks",
                "geometry",
            ],
        ),
        (
            "status > 3",
            &["status is a string; it cannot be compared with 3, a number"],
        ),
        (
            "status = 'bogus'",
            &["\"bogus\" is not a value of status; its values are: existing, under_construction"],
        ),
        (
            "status IN ('planned', 'bogus')",
            &["\"bogus\" is not a value of status"],
        ),
        (
            "tracks = 'x'",
            &["tracks is a number; it cannot be compared with 'x', a string"],
        ),
        ("'x' = tracks", &["tracks is a number"]),
        ("tracks IN (1, 'x')", &["tracks is a number"]),
        (
            "tracks LIKE 'a%'",
            &["LIKE matches strings; tracks is a number"],
        ),
        (
            "name_en BETWEEN 1 AND 2",
            &["BETWEEN compares numbers; name_en is a string"],
        ),
        (
            "tracks + 1 > 2",
            &[
                "the arithmetic operator + (Arithmetic Expressions) is not supported; supported: AND",
            ],
        ),
        (
            "CASEI(name_en) = 'x'",
            &["CASEI (Case-insensitive Comparison) is not supported"],
        ),
        (
            "name_en LIKE ACCENTI('x')",
            &["ACCENTI (Accent-insensitive Comparison) is not supported"],
        ),
        (
            "S_WITHIN(geometry, POINT(1 2))",
            &["S_WITHIN (Spatial Functions; only S_INTERSECTS is offered) is not supported"],
        ),
        (
            "T_BEFORE(opened, DATE('2020-01-01'))",
            &["the temporal function T_BEFORE (Temporal Functions) is not supported"],
        ),
        (
            "A_CONTAINS(tags, ('hub'))",
            &["the array function A_CONTAINS (Array Functions) is not supported"],
        ),
        (
            "foo(tracks) = 1",
            &["the function foo (this server defines no functions) is not supported"],
        ),
        (
            "name_en = ",
            &["cql2-text does not parse at line 1, column"],
        ),
        (
            "name_en = 'x' AND",
            &["cql2-text does not parse at line 1, column"],
        ),
        (
            "S_INTERSECTS(name_en, POINT(1 2))",
            &["S_INTERSECTS compares geometries; name_en is a string"],
        ),
        (
            "geometry = 'x'",
            &["geometry is the spatial queryable; compare it with S_INTERSECTS(geometry, …)"],
        ),
        (
            "provinces > 'chongqing'",
            &[
                "provinces is an array: only = (contains), <> (does not contain), IN and IS NULL apply",
            ],
        ),
        (
            "provinces = 'sichuan'",
            &["\"sichuan\" is not a value of provinces; its values are: chongqing, guizhou"],
        ),
        (
            "opened > TIMESTAMP('2020-01-01T00:00:00Z')",
            &[
                "opened is a string of format date; it cannot be compared with TIMESTAMP('2020-01-01T00:00:00Z'), a timestamp",
            ],
        ),
        (
            "name_en = DATE('2020-01-01')",
            &["name_en is a string; it cannot be compared with DATE('2020-01-01'), a date"],
        ),
        (
            "opened = DATE('2020-13-01')",
            &["DATE('2020-13-01') is not an RFC 3339 full-date"],
        ),
        (
            "meta = 1",
            &["meta is an object; only IS NULL and IS NOT NULL apply"],
        ),
        (
            "S_INTERSECTS(geometry, BBOX(1, 5, 2, 3))",
            &["BBOX south 5 is greater than north 3"],
        ),
        (
            "S_INTERSECTS(geometry, BBOX(1, 2, 3))",
            &["BBOX takes 4 or 6 numbers, got 3"],
        ),
        (
            "S_INTERSECTS(geometry, POLYGON((1 2, 3 4)))",
            &["is invalid: a polygon ring needs at least 4 positions"],
        ),
        (r"name_en LIKE 'abc\\'", &["ends with the escape character"]),
        ("tracks", &["the property tracks alone is not a predicate"]),
        (
            "'a' = 1",
            &["'a' is a string; it cannot be compared with 1, a number"],
        ),
        (
            "tracks IN (code)",
            &["the list of IN holds literals only; code is a property"],
        ),
        ("tracks = (1 = 1)", &["the predicate 1 = 1 is not a value"]),
    ];
    for (source, wanted) in cases {
        let detail = error(source, Lang::Text);
        for w in *wanted {
            assert!(detail.contains(w), "{source}: {detail:?} lacks {w:?}");
        }
    }
    let json_cases: &[(&str, &str)] = &[
        (
            r#"{"op":"=","args":[{"prop":"a"},1]}"#,
            "cql2-json at /args/0: an object must be an operation",
        ),
        (
            r#"{"op":"=","args":"x"}"#,
            "cql2-json at /: \"args\" must be an array",
        ),
        (
            r#"{"op":"#,
            "cql2-json is not valid JSON: EOF while parsing",
        ),
        (
            r#"{"op":"=","args":[{"property":"status"},3]}"#,
            "status is a string; it cannot be compared with 3, a number",
        ),
        (
            r#"{"op":"s_crosses","args":[{"property":"geometry"},{"bbox":[1,2,3,4]}]}"#,
            "S_CROSSES (Spatial Functions",
        ),
    ];
    for (source, wanted) in json_cases {
        let detail = error(source, Lang::Json);
        assert!(
            detail.contains(wanted),
            "{source}: {detail:?} lacks {wanted:?}"
        );
    }
}

#[test]
fn a_failing_crs_conversion_is_reported_with_its_reason() {
    let ds = dataset();
    let q = Queryables::of_layer(&ds, 0);
    let refuse = |_: Geometry<f64>| -> Result<Geometry<f64>, String> {
        Err("outside the area of use".into())
    };
    let e = compile(
        "S_INTERSECTS(geometry, POINT(1 2))",
        Lang::Text,
        &q,
        &refuse,
    )
    .unwrap_err();
    assert!(
        e.detail
            .contains("cannot be converted to CRS84: outside the area of use"),
        "{}",
        e.detail
    );
}

fn rect(w: f64, s: f64, e: f64, n: f64) -> LonLatRect {
    LonLatRect {
        min: Coord { x: w, y: s },
        max: Coord { x: e, y: n },
    }
}

#[test]
fn envelopes_narrow_space_only_where_a_spatial_predicate_must_hold() {
    let ds = dataset();
    let q = Queryables::of_layer(&ds, 0);
    let env = |source: &str| {
        compile(source, Lang::Text, &q, &identity)
            .unwrap()
            .envelopes()
    };
    let a = "S_INTERSECTS(geometry, BBOX(105, 28, 106, 29))";
    let b = "S_INTERSECTS(geometry, BBOX(105, 28, 105.5, 28.5))";
    assert_eq!(env("status = 'planned'"), None);
    assert_eq!(env(a), Some(vec![rect(105.0, 28.0, 106.0, 29.0)]));
    assert_eq!(
        env(&format!("{a} AND status = 'planned'")),
        Some(vec![rect(105.0, 28.0, 106.0, 29.0)])
    );
    assert_eq!(
        env(&format!("{a} AND {b}")),
        Some(vec![rect(105.0, 28.0, 105.5, 28.5)])
    );
    assert_eq!(
        env(&format!("{a} OR {b}")),
        Some(vec![
            rect(105.0, 28.0, 106.0, 29.0),
            rect(105.0, 28.0, 105.5, 28.5)
        ])
    );
    assert_eq!(env(&format!("{a} OR status = 'planned'")), None);
    assert_eq!(env(&format!("NOT {a}")), None);
    assert_eq!(
        env(&format!("status = 'planned' AND ({a} OR {b})")).map(|v| v.len()),
        Some(2)
    );
    assert_eq!(env("FALSE"), Some(vec![]));
    assert_eq!(env(&format!("{a} AND 1 = 2")), Some(vec![]));
    assert_eq!(
        env("S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))"),
        Some(vec![
            rect(170.0, -10.0, 180.0, 10.0),
            rect(-180.0, -10.0, -170.0, 10.0)
        ])
    );
    assert_eq!(
        env("S_INTERSECTS(geometry, MULTIPOINT((1 2), (3 4)))"),
        Some(vec![rect(1.0, 2.0, 1.0, 2.0), rect(3.0, 4.0, 3.0, 4.0)])
    );
    // The literal is converted before its envelope is taken: here lat/lon to lon/lat.
    let swap = |g: Geometry<f64>| -> Result<Geometry<f64>, String> {
        use geo::MapCoords;
        Ok(g.map_coords(|c| Coord { x: c.y, y: c.x }))
    };
    let e = compile(
        "S_INTERSECTS(geometry, POINT(28.5 105.25))",
        Lang::Text,
        &q,
        &swap,
    )
    .unwrap();
    assert_eq!(e.envelopes(), Some(vec![rect(105.25, 28.5, 105.25, 28.5)]));
    assert!(e.matches(&ds.features[4 * 12 + 2], "stations"));
}

#[test]
fn filters_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Expression>();
}

#[test]
fn query_parameters_are_equality_filters_with_the_queryables_schema() {
    let ds = dataset();
    let q = Queryables::of_layer(&ds, 0);
    let stations = &ds.features[..STATIONS];
    let count = |name: &str, value: &str| {
        let e = q
            .equality(name, value)
            .unwrap_or_else(|e| panic!("{name}={value}: {e}"));
        stations.iter().filter(|f| e.matches(f, "stations")).count()
    };
    let truth = |t: &dyn Fn(&Feature) -> bool| stations.iter().filter(|f| t(f)).count();
    assert_eq!(
        count("tracks", "2"),
        truth(&|f| num(f, "tracks") == Some(2.0))
    );
    assert_eq!(
        count("status", "planned"),
        truth(&|f| f.status == Status::Planned)
    );
    assert_eq!(
        count("provinces", "guizhou"),
        truth(&|f| has(f, Province::Guizhou))
    );
    assert_eq!(
        count("electrified", "true"),
        truth(&|f| boolean(f, "electrified") == Some(true))
    );
    assert_eq!(
        count("opened", "2005-06-15"),
        truth(&|f| text(f, "opened") == Some("2005-06-15"))
    );
    assert_eq!(
        count("updated", "2024-01-01T08:00:00+08:00"),
        truth(&|f| num(f, "updated_h") == Some(0.0))
    );
    assert_eq!(
        count("tags", "hub"),
        truth(&|f| tags(f).is_some_and(|t| t.contains(&"hub")))
    );
    assert_eq!(count("code", "7"), 1);
    assert_eq!(count("code", "C8"), 1);
    assert_eq!(count("name_en", ""), truth(&|f| f.name_en().is_empty()));
    for (name, value, wanted) in [
        ("tracks", "two", "tracks is a number; \"two\" is not one"),
        ("tracks", "2.5", "tracks is an integer"),
        (
            "status",
            "bogus",
            "unknown value \"bogus\"; expected one of existing, under_construction, planned",
        ),
        ("provinces", "sichuan", "expected one of chongqing, guizhou"),
        ("electrified", "yes", "expected true or false"),
        ("opened", "yesterday", "opened is a date"),
        ("meta", "1", "no simple value"),
        ("nosuch", "1", "\"nosuch\" is not a queryable"),
    ] {
        let e = q.equality(name, value).expect_err(name);
        assert_eq!(e.parameter, name);
        assert!(e.detail.contains(wanted), "{name}={value}: {}", e.detail);
    }
}

#[test]
fn the_queryables_document_types_every_property_and_gives_the_geometry_a_format() {
    let ds = dataset();
    let doc = Queryables::of_layer(&ds, 0)
        .json_schema("http://x/collections/stations/queryables", "Stations");
    assert_eq!(
        doc["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(doc["$id"], "http://x/collections/stations/queryables");
    assert_eq!(doc["type"], "object");
    assert_eq!(doc["additionalProperties"], false);
    let p = &doc["properties"];
    assert_eq!(p["status"]["enum"][2], "planned");
    assert_eq!(
        p["provinces"]["items"]["enum"],
        json!(["chongqing", "guizhou"])
    );
    assert_eq!(p["tracks"]["type"], "integer");
    assert_eq!(p["length_km"]["type"], "number");
    assert_eq!(p["electrified"]["type"], "boolean");
    assert_eq!(
        (&p["opened"]["type"], &p["opened"]["format"]),
        (&json!("string"), &json!("date"))
    );
    assert_eq!(p["updated"]["format"], "date-time");
    assert_eq!(
        p["tags"],
        json!({"title": "tags", "type": "array", "items": {"type": "string"}})
    );
    assert_eq!(p["code"]["type"], json!(["string", "integer"]));
    assert_eq!(p["meta"]["type"], "object");
    assert_eq!(p["geometry"]["format"], "geometry-point-or-multipoint");
    assert!(p["geometry"].get("type").is_none());
    for (name, schema) in p.as_object().unwrap() {
        assert!(
            name == "geometry" || schema.get("type").is_some(),
            "{name} has no type"
        );
    }
    let rail =
        Queryables::of_layer(&ds, 1).json_schema("http://x/collections/rail/queryables", "Rail");
    assert_eq!(
        rail["properties"]["geometry"]["format"],
        "geometry-linestring-or-multilinestring"
    );
    assert!(rail["properties"].get("tracks").is_none());
    assert_eq!(rail["properties"]["gauge_mm"]["type"], "integer");
}

/// Rough speed of `of_layer` and `matches` on 1M features; run with
/// `cargo test --release --lib ogc::cql::tests::throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    use std::time::Instant;
    let n = 1_000_000;
    let features: Vec<Feature> = (0..n)
        .map(|i| {
            let mut f = station(i % STATIONS);
            f.layer = 0;
            f
        })
        .collect();
    let catalogue = Catalogue {
        layers: vec![layer("stations", GeometryKind::Point)],
    };
    let ds = Dataset::new(catalogue, features);
    let t = Instant::now();
    let q = Queryables::of_layer(&ds, 0);
    eprintln!("of_layer: {:?} for {n} features", t.elapsed());
    for (text, _, _) in table() {
        let e = compile(text, Lang::Text, &q, &identity).unwrap();
        let t = Instant::now();
        let hits = ds
            .features
            .iter()
            .filter(|f| e.matches(f, "stations"))
            .count();
        let s = t.elapsed().as_secs_f64();
        eprintln!(
            "{:>6.1} M features/s  {hits:>7}  {text}",
            n as f64 / s / 1e6
        );
    }
}

#[test]
#[ignore]
fn show_errors() {
    for s in [
        "name_en = ",
        "name_en = 'x' AND",
        "status > 3",
        "nosuch = 1",
        "tracks + 1 > 2",
        "x = 'unterminated",
    ] {
        eprintln!("{s}\n  -> {}", error(s, Lang::Text));
    }
    for s in [
        r#"{"op":"=","args":[{"property":"status"}]}"#,
        r#"[1,2]"#,
        r#"{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[1]}]}"#,
    ] {
        eprintln!("{s}\n  -> {}", error(s, Lang::Json));
    }
}
