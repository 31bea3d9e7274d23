//! What the loop endpoints answer: a plan as a GeoJSON Feature, a saved loop, and the exports
//! (GPX 1.1, an RFC 7946 FeatureCollection).

use crate::geodesy::LonLatRect;
use crate::http::output::{lon_lat, metres};
use crate::index::Dataset;
use crate::routing::order::EXACT_MAX_STOPS;
use crate::routing::plan::{Paths, Plan, PlanRequest};
use crate::store::SavedLoop;
use serde_json::{Value, json};

/// The plan as a GeoJSON Feature.
pub fn plan_json(ds: &Dataset, req: &PlanRequest, plan: &Plan) -> Value {
    let name = |i: Option<u32>, index: usize| match i {
        Some(i) => {
            let f = ds.feature(i);
            (json!(f.id()), json!(f.name_zh()), json!(f.name_en()))
        }
        None => (
            Value::Null,
            json!(format!("地点 {}", index + 1)),
            json!(format!("Point {}", index + 1)),
        ),
    };
    let order: Vec<Value> = plan
        .order
        .iter()
        .map(|s| {
            let (id, zh, en) = name(s.feature, s.index);
            json!({"index": s.index, "id": id, "position": lon_lat(s.position), "name_zh": zh, "name_en": en})
        })
        .collect();
    let legs: Vec<Value> = plan
        .legs
        .iter()
        .map(|l| {
            json!({"from": l.from, "to": l.to, "distance_m": metres(l.distance_m), "duration_s": (l.duration_s * 10.0).round() / 10.0,
                   "network": l.network, "straight": l.straight.map(|s| s.as_str()), "connector_m": metres(l.connector_m)})
        })
        .collect();
    let counties: Vec<Value> = plan
        .counties
        .iter()
        .map(|(i, m)| {
            let f = ds.feature(*i);
            json!({"id": f.id(), "name_zh": f.name_zh(), "name_en": f.name_en(), "adcode": f.extra().get("adcode"), "length_m": metres(*m)})
        })
        .collect();
    let suggestions: Vec<Value> = plan
        .suggestions
        .iter()
        .map(|(i, d)| {
            let f = ds.feature(*i);
            json!({"id": f.id(), "name_zh": f.name_zh(), "name_en": f.name_en(), "layer": ds.layer_of(f).id, "status": f.status, "distance_m": metres(*d), "position": f.geometry_point().map(lon_lat)})
        })
        .collect();
    let mut coords: Vec<Value> = plan.geometry.iter().map(|c| lon_lat(*c)).collect();
    if coords.len() == 1 {
        coords.push(coords[0].clone());
    }
    json!({
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {
            "order": order,
            "legs": legs,
            "distance_m": metres(plan.distance_m),
            "duration_s": (plan.duration_s * 10.0).round() / 10.0,
            "provinces": [
                {"province": "chongqing", "length_m": metres(plan.chongqing_m)},
                {"province": "guizhou", "length_m": metres(plan.guizhou_m)},
                {"province": null, "length_m": metres(plan.other_province_m)},
            ],
            "counties": counties,
            "outside_counties_m": metres(plan.outside_counties_m),
            "border_crossings": plan.border_crossings,
            "suggestions": suggestions,
            "roundtrip": req.roundtrip,
            "paths": match req.paths { Paths::Network => "network", Paths::Straight => "straight" },
            "exact": req.optimise && req.stops.len() <= EXACT_MAX_STOPS,
        }
    })
}

pub fn saved_json(l: &SavedLoop) -> Value {
    json!({"id": l.id, "name": l.name, "notes": l.notes, "request": l.request, "plan": l.plan, "version": l.version,
           "created_at": l.created_at, "updated_at": l.updated_at})
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// GPX 1.1: the stops as waypoints and as a route, and the path as a track.
pub fn gpx(l: &SavedLoop) -> String {
    let props = &l.plan["properties"];
    let stops: Vec<(f64, f64, String)> = props["order"]
        .as_array()
        .map(|o| {
            o.iter()
                .enumerate()
                .map(|(i, s)| {
                    let p = &s["position"];
                    let name = format!("{}. {}", i + 1, s["name_zh"].as_str().unwrap_or(""));
                    (
                        p[0].as_f64().unwrap_or(0.0),
                        p[1].as_f64().unwrap_or(0.0),
                        name,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<gpx version=\"1.1\" creator=\"Yuqian Map\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n");
    out.push_str(&format!(
        "  <metadata><name>{}</name><desc>{}</desc></metadata>\n",
        xml(&l.name),
        xml(&l.notes)
    ));
    for (lon, lat, name) in &stops {
        out.push_str(&format!(
            "  <wpt lat=\"{lat}\" lon=\"{lon}\"><name>{}</name></wpt>\n",
            xml(name)
        ));
    }
    out.push_str(&format!("  <rte><name>{}</name>\n", xml(&l.name)));
    for (lon, lat, name) in &stops {
        out.push_str(&format!(
            "    <rtept lat=\"{lat}\" lon=\"{lon}\"><name>{}</name></rtept>\n",
            xml(name)
        ));
    }
    out.push_str("  </rte>\n");
    out.push_str(&format!("  <trk><name>{}</name><trkseg>\n", xml(&l.name)));
    for c in l.plan["geometry"]["coordinates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.push_str(&format!("    <trkpt lat=\"{}\" lon=\"{}\"/>\n", c[1], c[0]));
    }
    out.push_str("  </trkseg></trk>\n</gpx>\n");
    out
}

/// An RFC 7946 FeatureCollection: the loop line and its numbered stops.
pub fn export_geojson(l: &SavedLoop) -> Value {
    let mut loop_feature = l.plan.clone();
    loop_feature["id"] = json!(format!("loop-{}", l.id));
    loop_feature["properties"]["name"] = json!(l.name);
    loop_feature["properties"]["notes"] = json!(l.notes);
    let mut features = vec![loop_feature];
    for (i, s) in l.plan["properties"]["order"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        features.push(json!({
            "type": "Feature",
            "id": format!("loop-{}-stop-{}", l.id, i + 1),
            "geometry": {"type": "Point", "coordinates": s["position"]},
            "properties": {"number": i + 1, "stop_id": s["id"], "name_zh": s["name_zh"], "name_en": s["name_en"]},
        }));
    }
    let bbox = bbox_of(&l.plan["geometry"]["coordinates"]);
    let mut fc = json!({"type": "FeatureCollection", "features": features});
    if let Some(b) = bbox {
        fc["bbox"] = json!([b.min.x, b.min.y, b.max.x, b.max.y]);
    }
    fc
}

fn bbox_of(coords: &Value) -> Option<LonLatRect> {
    let mut it = coords.as_array()?.iter().filter_map(|c| {
        Some(geo::Coord {
            x: c[0].as_f64()?,
            y: c[1].as_f64()?,
        })
    });
    let first = it.next()?;
    Some(it.fold(
        LonLatRect {
            min: first,
            max: first,
        },
        |r, c| LonLatRect {
            min: geo::Coord {
                x: r.min.x.min(c.x),
                y: r.min.y.min(c.y),
            },
            max: geo::Coord {
                x: r.max.x.max(c.x),
                y: r.max.y.max(c.y),
            },
        },
    ))
}
