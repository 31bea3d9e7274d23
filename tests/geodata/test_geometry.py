"""Geometric promises: border crossings, towns in their counties, routes through their stops."""

from shapely.geometry import Point, shape

LINE_TYPES = ("LineString", "MultiLineString")
# Lines that stand for a relation between places rather than for a track on the ground.
SYMBOLIC = ("tourist_routes", "district_pairs", "town_partnerships")


def test_cross_border_lines_cross_the_province_boundary(collections, province_shapes):
    cq, gz = province_shapes["chongqing"], province_shapes["guizhou"]
    # the Chongqing–Guizhou border itself (the two simplified polygons meet to within ~200 m)
    border = cq.boundary.intersection(gz.buffer(0.003))
    assert border.length > 3  # degrees: several hundred km of shared border
    n = 0
    for layer, fc in collections.items():
        for f in fc["features"]:
            if f["geometry"]["type"] not in LINE_TYPES or f["properties"]["provinces"] != ["chongqing", "guizhou"]:
                continue
            line = shape(f["geometry"])
            assert line.intersects(cq) and line.intersects(gz), f"{layer}/{f['id']} does not reach both provinces"
            # infrastructure must cross the shared border itself, not via Sichuan
            if layer not in SYMBOLIC:
                assert line.intersects(border), f"{layer}/{f['id']} does not cross the Chongqing–Guizhou border"
            n += 1
    assert n >= 20


def test_key_cross_border_lines_are_present(features_by_id):
    for fid in ("rail-chuanqian", "rail-yugui", "rail-yugui-hsr", "hwy-yuqian-g75", "hwy-g210",
                "hwy-fast-ganshui-podu", "hwy-anxi", "river-qijiang"):
        assert features_by_id[fid]["properties"]["provinces"] == ["chongqing", "guizhou"], fid


def test_single_province_lines_stay_out_of_the_other_province(collections, province_shapes):
    """District pairs are symbolic straight lines between seats and may cut a corner of Guizhou."""
    for layer, fc in collections.items():
        for f in fc["features"]:
            p = f["properties"]["provinces"]
            if f["geometry"]["type"] not in LINE_TYPES or len(p) != 1 or layer in ("rivers", "district_pairs"):
                continue
            other = province_shapes["guizhou" if p == ["chongqing"] else "chongqing"]
            assert not shape(f["geometry"]).intersects(other), f"{layer}/{f['id']} enters the other province"


def test_each_town_lies_inside_its_county_polygon(collections, county_shapes):
    checked = 0
    for f in collections["towns"]["features"]:
        county = f["properties"]["county"]
        if county in county_shapes:
            assert county_shapes[county].contains(Point(f["geometry"]["coordinates"])), f["id"]
            checked += 1
    assert checked >= 80


def test_border_towns_lie_on_their_side_of_the_border(collections, province_shapes):
    for f in collections["towns"]["features"]:
        (prov,) = f["properties"]["provinces"]
        assert province_shapes[prov].contains(Point(f["geometry"]["coordinates"])), f["id"]


def test_single_province_points_lie_in_their_province(collections, province_shapes):
    for layer, fc in collections.items():
        for f in fc["features"]:
            p = f["properties"]["provinces"]
            if f["geometry"]["type"] != "Point" or len(p) != 1:
                continue
            assert province_shapes[p[0]].contains(Point(f["geometry"]["coordinates"])), f"{layer}/{f['id']}"


def test_each_route_passes_through_its_stops_in_order(collections, features_by_id):
    for f in collections["tourist_routes"]["features"]:
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        p = f["properties"]
        idx = -1
        for sid in p["stops"]:
            stop = tuple(features_by_id[sid]["geometry"]["coordinates"])
            # the stop is a vertex at or after the previous stop's (repeated points are merged)
            later = [i for i, c in enumerate(coords) if c == stop and i >= idx]
            assert later, f"{f['id']}: {sid} is not on the route after the previous stop"
            idx = later[0]
        first = tuple(features_by_id[p["stops"][0]]["geometry"]["coordinates"])
        assert coords[0] == first
        if p["roundtrip"]:
            assert coords[-1] == first, f"{f['id']}: a 环线 closes back to its first stop"


def test_district_pairs_join_the_two_district_seats(collections, features_by_id):
    for f in collections["district_pairs"]["features"]:
        ends = f["properties"]["ends"]
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        assert coords == [tuple(features_by_id[e]["geometry"]["coordinates"]) for e in ends]


def test_lines_go_through_their_waypoints(collections, features_by_id):
    for fc in collections.values():
        for f in fc["features"]:
            wps = f["properties"].get("waypoints")
            if not wps:
                continue
            coords = {tuple(c) for c in f["geometry"]["coordinates"]}
            for w in wps:
                if w in features_by_id:
                    assert tuple(features_by_id[w]["geometry"]["coordinates"]) in coords, (f["id"], w)
