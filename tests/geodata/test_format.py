"""Every shipped file follows geodata/FORMAT.md (the rules the server's loader enforces)."""

import math
import re

import pytest

from conftest import GEODATA

STATUSES = {"existing", "under_construction", "planned", "preparatory", "under_study", "unknown"}
ACCURACIES = {"real", "approximate", "schematic"}
KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
         "Polygon": "polygon", "MultiPolygon": "polygon"}


def test_layers_toml_has_the_required_members_and_layers(layers):
    ids = [l["id"] for l in layers]
    assert len(ids) == len(set(ids))
    for layer in layers:
        assert re.fullmatch(r"[a-z0-9_]+", layer["id"])
        for key in ("title_zh", "title_en", "geometry", "file", "source", "licence", "attribution"):
            assert layer.get(key), f"{layer['id']}: {key}"
        assert set(layer["geometry"]) <= {"point", "line", "polygon"}
        assert (GEODATA / layer["file"]).is_file()
        assert layer.get("boundary") in (None, "province", "county")
        assert layer.get("role") in (None, "relation"), layer["id"]
        assert not (layer.get("boundary") and layer.get("role")), layer["id"]
    required = {"provinces", "counties", "rivers", "towns", "railways", "railway_stations", "highways",
                "reservoirs", "industrial_parks", "energy", "ports_waterways", "attractions",
                "tourist_routes", "district_pairs"}
    assert required <= set(ids)
    assert {l["id"]: l.get("boundary") for l in layers}["provinces"] == "province"
    assert {l["id"]: l.get("boundary") for l in layers}["counties"] == "county"
    # Links between places, not things at them: nearby, corridor and crossings leave them out.
    roles = {l["id"]: l.get("role") for l in layers}
    assert roles["district_pairs"] == roles["town_partnerships"] == "relation"


def test_feature_ids_are_unique_across_all_layers(collections):
    seen = {}
    for layer, fc in collections.items():
        for f in fc["features"]:
            assert f["id"] not in seen, f"{f['id']} in {seen.get(f['id'])} and {layer}"
            seen[f["id"]] = layer


def _positions(coords):
    if coords and isinstance(coords[0], (int, float)):
        yield coords
    else:
        for c in coords:
            yield from _positions(c)


def _check_geometry(fid, geom):
    t = geom["type"]
    coords = geom["coordinates"]
    for p in _positions(coords):
        assert len(p) == 2 and all(math.isfinite(v) for v in p), fid
        assert -180 <= p[0] <= 180 and -90 <= p[1] <= 90, fid
        assert all(round(v, 6) == v for v in p), f"{fid}: coordinates not rounded to 6 decimals"
    lines = [coords] if t == "LineString" else coords if t == "MultiLineString" else []
    for line in lines:
        assert len({tuple(p) for p in line}) >= 2, f"{fid}: a line needs 2 distinct points"
    polys = [coords] if t == "Polygon" else coords if t == "MultiPolygon" else []
    for poly in polys:
        for ring in poly:
            assert ring[0] == ring[-1], f"{fid}: ring not closed"
            assert len(ring) >= 4 and len({tuple(p) for p in ring}) >= 3, f"{fid}: ring too small"


def test_every_feature_has_the_required_fields_and_a_valid_geometry(layers, collections):
    for layer in layers:
        fc = collections[layer["id"]]
        assert fc["type"] == "FeatureCollection"
        assert fc["features"], f"layer {layer['id']} is empty"
        for f in fc["features"]:
            fid = f["id"]
            assert isinstance(fid, str) and fid
            assert f["type"] == "Feature"
            assert KINDS[f["geometry"]["type"]] in layer["geometry"], f"{fid}: {f['geometry']['type']}"
            _check_geometry(fid, f["geometry"])
            p = f["properties"]
            assert isinstance(p["name_zh"], str) and re.search(r"[\u4e00-\u9fff]", p["name_zh"]), fid
            assert isinstance(p["name_en"], str) and p["name_en"].strip(), fid
            assert p["status"] in STATUSES, fid
            assert p["provinces"] and set(p["provinces"]) <= {"chongqing", "guizhou"}, fid
            assert len(p["provinces"]) == len(set(p["provinces"])), fid
            assert isinstance(p["source"], str) and p["source"].strip(), fid
            assert p["accuracy"] in ACCURACIES, fid
            assert p.get("provenance"), f"{fid}: provenance is recommended and always given here"


def test_nothing_is_more_precise_than_it_is(collections):
    """Schematic lines, approximate points: only boundaries, base-map rivers and data-set points are real."""
    for layer, fc in collections.items():
        for f in fc["features"]:
            p = f["properties"]
            if p["accuracy"] == "real":
                assert layer in ("provinces", "counties", "rivers", "towns"), f["id"]
            if f["geometry"]["type"] in ("LineString", "MultiLineString") and layer != "rivers":
                assert p["accuracy"] == "schematic", f["id"]
            if p["accuracy"] == "approximate":
                assert p.get("uncertainty_km", 0) > 0, f["id"]


def test_boundary_layers_carry_adcodes(collections):
    provs = collections["provinces"]["features"]
    assert sorted(f["properties"]["provinces"][0] for f in provs) == ["chongqing", "guizhou"]
    for f in provs:
        assert len(f["properties"]["provinces"]) == 1
        assert f["properties"]["adcode"] in ("500000", "520000")
    counties = collections["counties"]["features"]
    codes = [f["properties"]["adcode"] for f in counties]
    assert len([c for c in codes if c.startswith("50")]) == 38  # all districts/counties of Chongqing
    assert len([c for c in codes if c.startswith("5203")]) == 14  # all of Zunyi
    for f in counties:
        assert f["properties"]["provinces"] == ["chongqing" if f["properties"]["adcode"].startswith("50") else "guizhou"]


def test_layer_specific_members(collections, features_by_id):
    for f in collections["towns"]["features"]:
        p = f["properties"]
        assert isinstance(p["partner_towns"], list) and "county" in p
        for t in p["partner_towns"]:
            assert t in features_by_id and features_by_id[t]["id"].startswith("town-"), t
            assert features_by_id[t]["properties"]["provinces"] != p["provinces"], f"{f['id']}: partner {t} is not across the border"
    for f in collections["tourist_routes"]["features"]:
        p = f["properties"]
        assert isinstance(p["roundtrip"], bool)
        assert p["stops"] and all(s in features_by_id for s in p["stops"])
    for f in collections["district_pairs"]["features"]:
        p = f["properties"]
        assert len(p["districts"]) == 2 and all(isinstance(d, str) and d for d in p["districts"])
        assert isinstance(p["cooperation"], str) and p["cooperation"]


def test_files_stay_small():
    total = sum(p.stat().st_size for p in GEODATA.glob("*.geojson"))
    assert total < 3 * 1024 * 1024


@pytest.mark.parametrize("name", ["SOURCES.md", "checklist.toml", "layers.toml", "FORMAT.md"])
def test_companion_files_exist(name):
    assert (GEODATA / name).is_file()


def test_every_layer_attribution_names_its_data_sets(layers):
    for layer in layers:
        text = layer["licence"] + layer["attribution"]
        if "GeoNames" in layer["source"]:
            assert "GeoNames" in layer["attribution"] and "CC-BY 4.0" in layer["licence"], layer["id"]
