"""Part 3: queryables, and CQL2 filters (text and JSON) against a brute-force truth computed
here from /api/features with plain Python and shapely."""

from __future__ import annotations

import fnmatch
import json

import pytest
from shapely.geometry import box, shape
from shapely import wkt as shapely_wkt

TOWNS_BOX = (106.3, 28.6, 106.9, 29.2)
LINE = "LINESTRING(106.2 28.5, 106.8 29.3)"
POLY = "POLYGON((106.3 28.6, 106.9 28.6, 106.9 29.2, 106.3 29.2, 106.3 28.6))"


def like(pattern: str):
    """CQL2 LIKE (% any, _ one) as a Python test, for the truth."""
    glob = pattern.replace("[", "[[]").replace("%", "*").replace("_", "?")
    return lambda s: s is not None and fnmatch.fnmatchcase(s, glob)


def p(f, k):
    return f["properties"].get(k)


# (collection, cql2-text, cql2-json, truth)
CASES = [
    ("railways", "status = 'planned'", {"op": "=", "args": [{"property": "status"}, "planned"]}, lambda f: p(f, "status") == "planned"),
    ("railways", "status <> 'planned'", {"op": "<>", "args": [{"property": "status"}, "planned"]}, lambda f: p(f, "status") != "planned"),
    ("towns", "uncertainty_km > 5", {"op": ">", "args": [{"property": "uncertainty_km"}, 5]}, lambda f: p(f, "uncertainty_km") is not None and p(f, "uncertainty_km") > 5),
    ("towns", "uncertainty_km <= 2", {"op": "<=", "args": [{"property": "uncertainty_km"}, 2]}, lambda f: p(f, "uncertainty_km") is not None and p(f, "uncertainty_km") <= 2),
    ("towns", "uncertainty_km >= 2 AND uncertainty_km < 15", {"op": "and", "args": [{"op": ">=", "args": [{"property": "uncertainty_km"}, 2]}, {"op": "<", "args": [{"property": "uncertainty_km"}, 15]}]}, lambda f: p(f, "uncertainty_km") is not None and 2 <= p(f, "uncertainty_km") < 15),
    ("towns", "name_zh > '重'", {"op": ">", "args": [{"property": "name_zh"}, "重"]}, lambda f: p(f, "name_zh") > "重"),
    ("highways", "status = 'planned' OR status = 'existing'", {"op": "or", "args": [{"op": "=", "args": [{"property": "status"}, "planned"]}, {"op": "=", "args": [{"property": "status"}, "existing"]}]}, lambda f: p(f, "status") in ("planned", "existing")),
    ("highways", "NOT (status = 'planned')", {"op": "not", "args": [{"op": "=", "args": [{"property": "status"}, "planned"]}]}, lambda f: p(f, "status") != "planned"),
    ("highways", "notes IS NULL", {"op": "isNull", "args": [{"property": "notes"}]}, lambda f: p(f, "notes") is None),
    ("highways", "notes IS NOT NULL", {"op": "not", "args": [{"op": "isNull", "args": [{"property": "notes"}]}]}, lambda f: p(f, "notes") is not None),
    ("highways", "NOT (uncertainty_km > 1)", {"op": "not", "args": [{"op": ">", "args": [{"property": "uncertainty_km"}, 1]}]}, lambda f: p(f, "uncertainty_km") is not None and not p(f, "uncertainty_km") > 1),
    ("reservoirs", "location_known = false", {"op": "=", "args": [{"property": "location_known"}, False]}, lambda f: p(f, "location_known") is False),
    ("reservoirs", "location_known = true", {"op": "=", "args": [{"property": "location_known"}, True]}, lambda f: p(f, "location_known") is True),
    ("towns", "name_en LIKE 'Q%'", {"op": "like", "args": [{"property": "name_en"}, "Q%"]}, lambda f: like("Q%")(p(f, "name_en"))),
    ("towns", "name_en LIKE '%ang'", {"op": "like", "args": [{"property": "name_en"}, "%ang"]}, lambda f: like("%ang")(p(f, "name_en"))),
    ("towns", "name_zh LIKE '__镇'", {"op": "like", "args": [{"property": "name_zh"}, "__镇"]}, lambda f: like("__镇")(p(f, "name_zh"))),
    ("towns", "NOT (name_en LIKE '%a%')", {"op": "not", "args": [{"op": "like", "args": [{"property": "name_en"}, "%a%"]}]}, lambda f: not like("%a%")(p(f, "name_en"))),
    ("towns", "uncertainty_km BETWEEN 2 AND 10", {"op": "between", "args": [{"property": "uncertainty_km"}, 2, 10]}, lambda f: p(f, "uncertainty_km") is not None and 2 <= p(f, "uncertainty_km") <= 10),
    ("towns", "uncertainty_km NOT BETWEEN 2 AND 10", {"op": "not", "args": [{"op": "between", "args": [{"property": "uncertainty_km"}, 2, 10]}]}, lambda f: p(f, "uncertainty_km") is not None and not 2 <= p(f, "uncertainty_km") <= 10),
    ("towns", "status IN ('planned', 'under_construction')", {"op": "in", "args": [{"property": "status"}, ["planned", "under_construction"]]}, lambda f: p(f, "status") in ("planned", "under_construction")),
    ("towns", "county NOT IN ('500110', '520330')", {"op": "not", "args": [{"op": "in", "args": [{"property": "county"}, ["500110", "520330"]]}]}, lambda f: p(f, "county") not in ("500110", "520330")),
    ("towns", "accuracy = 'real' AND (status = 'existing' OR uncertainty_km < 3)", {"op": "and", "args": [{"op": "=", "args": [{"property": "accuracy"}, "real"]}, {"op": "or", "args": [{"op": "=", "args": [{"property": "status"}, "existing"]}, {"op": "<", "args": [{"property": "uncertainty_km"}, 3]}]}]}, lambda f: p(f, "accuracy") == "real" and (p(f, "status") == "existing" or (p(f, "uncertainty_km") is not None and p(f, "uncertainty_km") < 3))),
    ("towns", f"S_INTERSECTS(geometry, BBOX({TOWNS_BOX[0]}, {TOWNS_BOX[1]}, {TOWNS_BOX[2]}, {TOWNS_BOX[3]}))", {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": list(TOWNS_BOX)}]}, lambda f: shape(f["geometry"]).intersects(box(*TOWNS_BOX))),
    ("towns", f"S_INTERSECTS(geometry, {POLY})", {"op": "s_intersects", "args": [{"property": "geometry"}, json.loads(json.dumps({"type": "Polygon", "coordinates": [[[106.3, 28.6], [106.9, 28.6], [106.9, 29.2], [106.3, 29.2], [106.3, 28.6]]]}))]}, lambda f: shape(f["geometry"]).intersects(shapely_wkt.loads(POLY))),
    ("counties", "S_INTERSECTS(geometry, POINT(106.65 29.03))", {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [106.65, 29.03]}]}, lambda f: shape(f["geometry"]).intersects(shapely_wkt.loads("POINT(106.65 29.03)"))),
    ("counties", f"S_INTERSECTS(geometry, {LINE})", {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "LineString", "coordinates": [[106.2, 28.5], [106.8, 29.3]]}]}, lambda f: shape(f["geometry"]).intersects(shapely_wkt.loads(LINE))),
    ("counties", "S_INTERSECTS(geometry, MULTIPOINT((106.65 29.03), (106.63 26.65)))", {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "MultiPoint", "coordinates": [[106.65, 29.03], [106.63, 26.65]]}]}, lambda f: shape(f["geometry"]).intersects(shapely_wkt.loads("MULTIPOINT((106.65 29.03), (106.63 26.65))"))),
    ("highways", f"S_INTERSECTS(geometry, {POLY}) AND status = 'planned'", {"op": "and", "args": [{"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[[106.3, 28.6], [106.9, 28.6], [106.9, 29.2], [106.3, 29.2], [106.3, 28.6]]]}]}, {"op": "=", "args": [{"property": "status"}, "planned"]}]}, lambda f: p(f, "status") == "planned" and shape(f["geometry"]).intersects(shapely_wkt.loads(POLY))),
    ("highways", f"NOT S_INTERSECTS(geometry, {POLY})", {"op": "not", "args": [{"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[[106.3, 28.6], [106.9, 28.6], [106.9, 29.2], [106.3, 29.2], [106.3, 28.6]]]}]}]}, lambda f: not shape(f["geometry"]).intersects(shapely_wkt.loads(POLY))),
    ("highways", "S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(106.65 29.03), LINESTRING(106.0 27.0, 107.0 28.0)))", {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [106.65, 29.03]}, {"type": "LineString", "coordinates": [[106.0, 27.0], [107.0, 28.0]]}]}]}, lambda f: shape(f["geometry"]).intersects(shapely_wkt.loads("GEOMETRYCOLLECTION(POINT(106.65 29.03), LINESTRING(106.0 27.0, 107.0 28.0))"))),
]


def features(client, collection):
    return client.all_api_features(layers=collection)


@pytest.mark.parametrize("collection,text,js,truth", CASES, ids=[c[1][:60] for c in CASES])
def test_cql2_text_and_json_give_the_brute_force_truth(client, collection, text, js, truth):
    want = [f["id"] for f in features(client, collection) if truth(f)]
    for params in ({"filter": text}, {"filter": text, "filter-lang": "cql2-text"}, {"filter": json.dumps(js), "filter-lang": "cql2-json"}):
        fc = client.json(f"/collections/{collection}/items", {**params, "limit": "10000"})
        assert [f["id"] for f in fc["features"]] == want, params
        assert fc["numberMatched"] == len(want)


def test_some_cases_match_something_and_some_nothing():
    # The table is not vacuous: checked against the live data in the test above; here only
    # that it has both kinds of operator.
    ops = " ".join(c[1] for c in CASES)
    for op in ("LIKE", "BETWEEN", "IN", "IS NULL", "S_INTERSECTS", "NOT", "OR", "AND"):
        assert op in ops


def test_queryables_describe_the_filterable_properties(client):
    q = client.json("/collections/towns/queryables")
    assert q["type"] == "object" and q["$id"].endswith("/ogc/collections/towns/queryables")
    props = q["properties"]
    for name in ("id", "name_zh", "status", "provinces", "uncertainty_km", "geometry"):
        assert name in props, name
    assert props["uncertainty_km"]["type"] == "number"
    assert "planned" in props["status"]["enum"]


def test_conformance_declares_the_filter_classes(client):
    classes = client.json("/conformance")["conformsTo"]
    for c in ("filter", "features-filter"):
        assert any(x.endswith(f"/ogcapi-features-3/1.0/conf/{c}") for x in classes), c
    for c in ("cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators", "basic-spatial-functions", "basic-spatial-functions-plus"):
        assert f"http://www.opengis.net/spec/cql2/1.0/conf/{c}" in classes, c


@pytest.mark.parametrize("bad", [
    "status = ",
    "nosuch = 'x'",
    "status > 3",
    "T_BEFORE(built, TIMESTAMP('2020-01-01T00:00:00Z'))",
    "S_WITHIN(geometry, POINT(1 2))",
    "uncertainty_km + 1 > 2",
])
def test_bad_filters_are_400_naming_filter(client, bad):
    body = client.json("/collections/towns/items", {"filter": bad}, status=400)
    assert body["parameter"] == "filter" and body["detail"], body
