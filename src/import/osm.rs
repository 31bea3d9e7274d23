//! `yuqian import osm FILE.osm.pbf`: real railways, highways, reservoirs and industrial land
//! from an OpenStreetMap extract, as layer files of our schema (see `geodata/FORMAT.md`).
//!
//! 1. Read relations: multipolygons tagged as reservoirs or industrial land, and their ways.
//! 2. Read ways: railways, highways (motorway, trunk, primary and their links, also under
//!    construction or proposed), closed reservoir / industrial ways, and relation members.
//! 3. Read the nodes those ways use.
//! 4. Build geometries (lines; polygons from closed ways; multipolygons by joining member ways
//!    into rings), find the provinces each lies in from the boundary data, and write one GeoJSON
//!    file per layer plus a `layers.toml` for them, with OSM's `name:zh`, `name:en`, `ref` and
//!    ODbL attribution.
//!
//! Nothing is dropped silently: every element left out is counted by reason in the summary.

use crate::index::Dataset;
use crate::layers::{Boundary, GeometryKind, Province, Provinces};
use geo::{Contains, Coord, Point};
use osmpbf::{Element, ElementReader, RelMemberType};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: osmpbf::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the boundary data has no province polygons: provinces cannot be assigned")]
    NoBoundaries,
}

/// The layers an import writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OsmLayer {
    Railways,
    Highways,
    Reservoirs,
    Industrial,
}

impl OsmLayer {
    const ALL: [OsmLayer; 4] = [
        OsmLayer::Railways,
        OsmLayer::Highways,
        OsmLayer::Reservoirs,
        OsmLayer::Industrial,
    ];

    pub fn id(self) -> &'static str {
        match self {
            OsmLayer::Railways => "osm_railways",
            OsmLayer::Highways => "osm_highways",
            OsmLayer::Reservoirs => "osm_reservoirs",
            OsmLayer::Industrial => "osm_industrial",
        }
    }
    fn titles(self) -> (&'static str, &'static str) {
        match self {
            OsmLayer::Railways => ("铁路 (OSM)", "Railways (OSM)"),
            OsmLayer::Highways => ("公路 (OSM)", "Highways (OSM)"),
            OsmLayer::Reservoirs => ("水库 (OSM)", "Reservoirs (OSM)"),
            OsmLayer::Industrial => ("工业用地 (OSM)", "Industrial land (OSM)"),
        }
    }
    fn kind(self) -> GeometryKind {
        match self {
            OsmLayer::Railways | OsmLayer::Highways => GeometryKind::Line,
            OsmLayer::Reservoirs | OsmLayer::Industrial => GeometryKind::Polygon,
        }
    }
    fn unnamed(self) -> (&'static str, &'static str) {
        match self {
            OsmLayer::Railways => ("未命名铁路", "Unnamed railway"),
            OsmLayer::Highways => ("未命名公路", "Unnamed road"),
            OsmLayer::Reservoirs => ("未命名水库", "Unnamed reservoir"),
            OsmLayer::Industrial => ("未命名工业用地", "Unnamed industrial land"),
        }
    }
}

type Tags = BTreeMap<String, String>;

/// Which layer a tagged element belongs to, and its status; `None` for everything else.
pub fn classify(tags: &Tags, is_area: bool) -> Option<(OsmLayer, &'static str)> {
    let get = |k: &str| tags.get(k).map(String::as_str);
    const RAIL: [&str; 5] = ["rail", "light_rail", "narrow_gauge", "subway", "monorail"];
    const ROAD: [&str; 6] = [
        "motorway",
        "trunk",
        "primary",
        "motorway_link",
        "trunk_link",
        "primary_link",
    ];
    if !is_area {
        if let Some(r) = get("railway") {
            // Sidings, yards and spurs are not lines of the network.
            if get("service").is_some() {
                return None;
            }
            if RAIL.contains(&r) {
                return Some((OsmLayer::Railways, "existing"));
            }
            if r == "construction" && get("construction").is_none_or(|c| RAIL.contains(&c)) {
                return Some((OsmLayer::Railways, "under_construction"));
            }
            if r == "proposed" && get("proposed").is_none_or(|c| RAIL.contains(&c)) {
                return Some((OsmLayer::Railways, "planned"));
            }
        }
        if let Some(h) = get("highway") {
            if ROAD.contains(&h) {
                return Some((OsmLayer::Highways, "existing"));
            }
            if h == "construction" && get("construction").is_some_and(|c| ROAD.contains(&c)) {
                return Some((OsmLayer::Highways, "under_construction"));
            }
            if h == "proposed" && get("proposed").is_some_and(|c| ROAD.contains(&c)) {
                return Some((OsmLayer::Highways, "planned"));
            }
        }
        return None;
    }
    if get("water") == Some("reservoir") || get("landuse") == Some("reservoir") {
        return Some((OsmLayer::Reservoirs, "existing"));
    }
    if get("landuse") == Some("industrial") {
        return Some((OsmLayer::Industrial, "existing"));
    }
    None
}

/// What an import wrote and what it left out, by reason.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub written: BTreeMap<&'static str, usize>,
    pub outside_provinces: usize,
    pub missing_nodes: usize,
    pub degenerate: usize,
    pub unclosed_rings: usize,
}

/// A multipolygon relation: id, tags, and its member ways with their roles.
struct RelationData {
    id: i64,
    tags: Tags,
    members: Vec<(i64, String)>,
}

struct WayData {
    tags: Tags,
    refs: Vec<i64>,
}

fn tags_of<'a>(it: impl Iterator<Item = (&'a str, &'a str)>) -> Tags {
    it.map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn read(path: &Path, mut f: impl FnMut(Element<'_>)) -> Result<(), ImportError> {
    ElementReader::from_path(path)
        .and_then(|r| r.for_each(&mut f))
        .map_err(|source| ImportError::Read {
            path: path.to_path_buf(),
            source,
        })
}

/// Imports `pbf` into `out` (created if needed), assigning provinces from `boundaries`.
pub fn import(pbf: &Path, out: &Path, boundaries: &Dataset) -> Result<Summary, ImportError> {
    let provinces: Vec<(Province, &geo::Geometry<f64>)> = boundaries
        .features
        .iter()
        .filter(|f| boundaries.layer_of(f).boundary == Some(Boundary::Province))
        .filter_map(|f| Some((f.provinces.only()?, &f.geometry)))
        .collect();
    if provinces.is_empty() {
        return Err(ImportError::NoBoundaries);
    }

    // 1. relations
    let mut relations: Vec<RelationData> = Vec::new();
    read(pbf, |e| {
        if let Element::Relation(r) = e {
            let tags = tags_of(r.tags());
            if tags.get("type").map(String::as_str) == Some("multipolygon")
                && classify(&tags, true).is_some()
            {
                let members = r
                    .members()
                    .filter(|m| m.member_type == RelMemberType::Way)
                    .map(|m| (m.member_id, m.role().unwrap_or("").to_string()))
                    .collect();
                relations.push(RelationData {
                    id: r.id(),
                    tags,
                    members,
                });
            }
        }
    })?;
    let member_ways: HashSet<i64> = relations
        .iter()
        .flat_map(|r| r.members.iter().map(|m| m.0))
        .collect();

    // 2. ways
    let mut ways: HashMap<i64, WayData> = HashMap::new();
    let mut kept_ways: Vec<i64> = Vec::new();
    read(pbf, |e| {
        if let Element::Way(w) = e {
            let tags = tags_of(w.tags());
            let refs: Vec<i64> = w.refs().collect();
            let closed = refs.len() >= 4 && refs.first() == refs.last();
            let wanted =
                classify(&tags, false).is_some() || (closed && classify(&tags, true).is_some());
            if wanted {
                kept_ways.push(w.id());
            }
            if wanted || member_ways.contains(&w.id()) {
                ways.insert(w.id(), WayData { tags, refs });
            }
        }
    })?;
    let needed: HashSet<i64> = ways.values().flat_map(|w| w.refs.iter().copied()).collect();

    // 3. nodes
    let mut nodes: HashMap<i64, Coord> = HashMap::with_capacity(needed.len());
    read(pbf, |e| {
        let (id, lon, lat) = match e {
            Element::Node(n) => (n.id(), n.lon(), n.lat()),
            Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
            _ => return,
        };
        if needed.contains(&id) {
            nodes.insert(id, Coord { x: lon, y: lat });
        }
    })?;

    // 4. features
    let mut summary = Summary::default();
    let mut layers: BTreeMap<OsmLayer, Vec<Value>> =
        OsmLayer::ALL.iter().map(|l| (*l, Vec::new())).collect();
    let locate = |refs: &[i64]| -> Option<Vec<Coord>> {
        refs.iter().map(|r| nodes.get(r).copied()).collect()
    };
    let provinces_of = |coords: &mut dyn Iterator<Item = &Coord>| -> Provinces {
        let mut set = Provinces::default();
        for c in coords {
            for (p, g) in &provinces {
                if !set.contains(*p) && g.contains(&Point(*c)) {
                    set.insert(*p);
                }
            }
        }
        set
    };
    kept_ways.sort_unstable();
    for id in kept_ways {
        let w = &ways[&id];
        let Some(coords) = locate(&w.refs) else {
            summary.missing_nodes += 1;
            continue;
        };
        let closed = w.refs.len() >= 4 && w.refs.first() == w.refs.last();
        let (layer, status, geometry) = if let Some((layer, status)) = classify(&w.tags, false) {
            let line = dedup(coords);
            if line.len() < 2 {
                summary.degenerate += 1;
                continue;
            }
            (
                layer,
                status,
                json!({"type": "LineString", "coordinates": positions(&line)}),
            )
        } else if let Some((layer, status)) = classify(&w.tags, true).filter(|_| closed) {
            if dedup(coords.clone()).len() < 4 {
                summary.degenerate += 1;
                continue;
            }
            (
                layer,
                status,
                json!({"type": "Polygon", "coordinates": [positions(&coords)]}),
            )
        } else {
            continue;
        };
        let provinces = provinces_of(&mut w.refs.iter().filter_map(|r| nodes.get(r)));
        if provinces.is_empty() {
            summary.outside_provinces += 1;
            continue;
        }
        let f = feature(
            format!("osm-w{id}"),
            "way",
            id,
            layer,
            status,
            &w.tags,
            provinces,
            geometry,
        );
        layers
            .get_mut(&layer)
            .expect("every layer has a list")
            .push(f);
    }
    relations.sort_by_key(|r| r.id);
    for RelationData { id, tags, members } in &relations {
        let (layer, status) = classify(tags, true).expect("kept only classified relations");
        let mut outer = Vec::new();
        let mut inner = Vec::new();
        let mut missing = false;
        for (way, role) in members {
            match ways.get(way).and_then(|w| locate(&w.refs)) {
                Some(c) if role == "inner" => inner.push(c),
                Some(c) => outer.push(c),
                None => missing = true,
            }
        }
        if missing {
            summary.missing_nodes += 1;
            continue;
        }
        let (Some(outer), Some(inner)) = (join_rings(outer), join_rings(inner)) else {
            summary.unclosed_rings += 1;
            continue;
        };
        if outer.is_empty() {
            summary.degenerate += 1;
            continue;
        }
        let polygons: Vec<Value> = outer
            .iter()
            .map(|o| {
                let shell = geo::Polygon::new(geo::LineString(o.clone()), vec![]);
                let mut rings = vec![positions(o)];
                rings.extend(
                    inner
                        .iter()
                        .filter(|i| shell.contains(&Point(i[0])))
                        .map(|i| positions(i)),
                );
                Value::Array(rings)
            })
            .collect();
        let provinces = provinces_of(&mut outer.iter().flatten());
        if provinces.is_empty() {
            summary.outside_provinces += 1;
            continue;
        }
        let geometry = json!({"type": "MultiPolygon", "coordinates": polygons});
        let f = feature(
            format!("osm-r{id}"),
            "relation",
            *id,
            layer,
            status,
            tags,
            provinces,
            geometry,
        );
        layers
            .get_mut(&layer)
            .expect("every layer has a list")
            .push(f);
    }
    write_out(out, &layers, &mut summary)?;
    Ok(summary)
}

fn dedup(mut coords: Vec<Coord>) -> Vec<Coord> {
    coords.dedup();
    coords
}

fn positions(coords: &[Coord]) -> Value {
    let round = |v: f64| (v * 1e7).round() / 1e7;
    Value::Array(
        coords
            .iter()
            .map(|c| json!([round(c.x), round(c.y)]))
            .collect(),
    )
}

/// Joins open ways end to end into closed rings; `None` if some cannot be closed.
fn join_rings(mut parts: Vec<Vec<Coord>>) -> Option<Vec<Vec<Coord>>> {
    let mut rings = Vec::new();
    while let Some(mut ring) = parts.pop() {
        while ring.first() != ring.last() || ring.len() < 4 {
            let end = *ring.last()?;
            let next = parts
                .iter()
                .position(|p| p.first() == Some(&end) || p.last() == Some(&end))?;
            let mut p = parts.swap_remove(next);
            if p.first() != Some(&end) {
                p.reverse();
            }
            ring.extend(p.into_iter().skip(1));
        }
        rings.push(ring);
    }
    Some(rings)
}

#[allow(clippy::too_many_arguments)]
fn feature(
    id: String,
    osm_type: &str,
    osm_id: i64,
    layer: OsmLayer,
    status: &str,
    tags: &Tags,
    provinces: Provinces,
    geometry: Value,
) -> Value {
    let get = |k: &str| tags.get(k).filter(|v| !v.trim().is_empty()).cloned();
    let reference = get("ref");
    let (unnamed_zh, unnamed_en) = layer.unnamed();
    let with_ref = |base: &str| match &reference {
        Some(r) => format!("{base} {r}"),
        None => format!("{base} ({osm_type} {osm_id})"),
    };
    let name_zh = get("name:zh")
        .or_else(|| get("name:zh-Hans"))
        .or_else(|| get("name"))
        .unwrap_or_else(|| with_ref(unnamed_zh));
    let name_en = get("name:en")
        .or_else(|| reference.clone())
        .or_else(|| get("name"))
        .unwrap_or_else(|| with_ref(unnamed_en));
    let mut props = Map::new();
    props.insert("name_zh".into(), json!(name_zh));
    props.insert("name_en".into(), json!(name_en));
    props.insert("status".into(), json!(status));
    props.insert(
        "provinces".into(),
        json!(provinces.iter().map(|p| p.as_str()).collect::<Vec<_>>()),
    );
    props.insert(
        "source".into(),
        json!(format!("OpenStreetMap {osm_type} {osm_id}")),
    );
    props.insert("accuracy".into(), json!("real"));
    props.insert(
        "provenance".into(),
        json!("© OpenStreetMap contributors, ODbL 1.0"),
    );
    props.insert("osm_type".into(), json!(osm_type));
    props.insert("osm_id".into(), json!(osm_id));
    for key in [
        "ref",
        "name",
        "railway",
        "highway",
        "construction",
        "proposed",
        "usage",
        "maxspeed",
        "landuse",
        "water",
    ] {
        if let Some(v) = get(key) {
            props.insert(format!("osm_{}", key.replace(':', "_")), json!(v));
        }
    }
    json!({"type": "Feature", "id": id, "geometry": geometry, "properties": props})
}

fn write_out(
    out: &Path,
    layers: &BTreeMap<OsmLayer, Vec<Value>>,
    summary: &mut Summary,
) -> Result<(), ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Write { path, source }
    };
    std::fs::create_dir_all(out).map_err(io(out))?;
    let mut catalogue = String::from(
        "# Written by `yuqian import osm`. Append these entries to geodata/layers.toml (and copy the\n# files) to show the OpenStreetMap layers beside or instead of the schematic ones.\n",
    );
    for (layer, features) in layers {
        let file = format!("{}.geojson", layer.id());
        let path = out.join(&file);
        let body = json!({"type": "FeatureCollection", "features": features});
        let text = serde_json::to_string(&body).expect("JSON values always serialise");
        std::fs::write(&path, text).map_err(io(&path))?;
        let (zh, en) = layer.titles();
        catalogue.push_str(&format!(
            "\n[[layers]]\nid = \"{}\"\ntitle_zh = \"{zh}\"\ntitle_en = \"{en}\"\ngeometry = [\"{}\"]\nfile = \"{file}\"\nsource = \"OpenStreetMap extract, imported with yuqian import osm\"\nlicence = \"ODbL 1.0\"\nattribution = \"© OpenStreetMap contributors\"\n",
            layer.id(),
            layer.kind()
        ));
        summary.written.insert(layer.id(), features.len());
    }
    let path = out.join("layers.toml");
    std::fs::write(&path, catalogue).map_err(io(&path))
}
