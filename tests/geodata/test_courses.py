"""Lines that follow their course (issue 13, point 4): `course_known` on every line, and no
straight segment over 150 km on a line whose course is claimed."""

import pytest
from shapely.geometry import Point, shape

from yqgeo import course

LINE_TYPES = ("LineString", "MultiLineString")


def lines(collections):
    for layer, fc in collections.items():
        for f in fc["features"]:
            if f["geometry"]["type"] in LINE_TYPES:
                yield layer, f


def parts(geometry):
    return geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]


def test_every_line_says_whether_its_course_is_known(collections):
    n = 0
    for layer, f in lines(collections):
        assert isinstance(f["properties"].get("course_known"), bool), f"{layer}/{f['id']} has no course_known"
        n += 1
    assert n >= 80


def test_no_segment_of_a_claimed_course_exceeds_150_km(collections):
    for layer, f in lines(collections):
        if not f["properties"]["course_known"]:
            continue
        for part in parts(f["geometry"]):
            longest = max(course.segments_km(part))
            assert longest <= course.MAX_SEGMENT_KM, f"{layer}/{f['id']}: a {longest:.0f} km segment"


@pytest.mark.parametrize("fid", ["rail-yugui-guangxi-hsr", "rail-guangfuliu", "hwy-yuzhu"])
def test_lines_known_only_by_their_ends_say_so(features_by_id, fid):
    assert features_by_id[fid]["properties"]["course_known"] is False


def test_relations_claim_no_course(collections):
    for layer in ("district_pairs", "town_partnerships"):
        for f in collections[layer]["features"]:
            assert f["properties"]["course_known"] is False, f["id"]


def test_rongwan_runs_through_dazhou(features_by_id):
    f = features_by_id["rail-rongwan"]
    assert f["properties"]["waypoints"] == ["seat-chengdu", "seat-suining", "seat-nanchong", "seat-dazhou", "seat-wanzhou"]
    assert f["properties"]["course_known"] is True


@pytest.mark.parametrize("fid", ["rail-chuanqian", "hwy-yuqian-g75"])
def test_zunyi_to_guiyang_passes_xifeng(features_by_id, fid):
    wps = features_by_id[fid]["properties"]["waypoints"]
    assert wps[wps.index("seat-zunyi") + 1] == "seat-xifeng" and wps[-1] == "seat-guiyang"


def test_every_added_vertex_is_a_named_place_with_its_source(features_by_id):
    from yqgeo import catalog

    places = catalog.load("places.toml")["place"]
    by_id = {p["id"]: p for p in places}
    for fid in ("rail-rongwan", "rail-chuanqian", "hwy-yuqian-g75"):
        f = features_by_id[fid]
        coords = f["geometry"]["coordinates"]
        assert len(coords) == len(f["properties"]["waypoints"])
        for pid in f["properties"]["waypoints"]:
            assert by_id[pid]["source"] and any(k in by_id[pid] for k in ("geonames", "cpca")), pid


def test_yangtze_shipping_follows_the_changjiang(features_by_id):
    route = features_by_id["wat-huyu-express"]
    river = shape(features_by_id["river-changjiang"]["geometry"])  # clipped to the region
    coords = route["geometry"]["coordinates"]
    assert route["properties"]["course_known"] is True
    assert len(coords) > 100
    total = sum(course.segments_km(coords))
    assert 1800 < total < 2500, total  # Wanzhou to Shanghai by the river, not 1,248 km overland
    # inside the rivers layer's extent, the route lies on the 长江 line (within ~1 km)
    inside = [c for c in coords[1:-1] if c[0] < 110.2]
    assert len(inside) > 20
    for c in inside:
        assert river.distance(Point(c)) < 0.01, c


def test_lines_sharing_a_segment_are_drawn_on_different_sides(collections):
    """Each drawn line has an offset slot; two lines on the same segment never hold the same side
    of it (a line drawn against the other's direction has its sides swapped)."""
    sides: dict[tuple, dict[int, str]] = {}
    n = 0
    for layer, f in lines(collections):
        if layer == "rivers":
            continue
        slot = f["properties"]["offset_slot"]
        assert isinstance(slot, int), f"{layer}/{f['id']}"
        for a, b in zip(f["geometry"]["coordinates"], f["geometry"]["coordinates"][1:]):
            ka, kb = tuple(a), tuple(b)
            seg, d = ((ka, kb), 1) if ka < kb else ((kb, ka), -1)
            held = sides.setdefault(seg, {})
            other = held.get(slot * d)
            assert other in (None, f["id"]), f"{f['id']} and {other} share a segment on the same side"
            held[slot * d] = f["id"]
        n += 1
    assert n >= 80
    # the eight drawn lines of the 綦江–三江 segment (the 綦江 river of the base map is the ninth) are apart
    qj_sj = [s for s in sides.values() if len(s) >= 8]
    assert qj_sj, "no segment is shared by eight lines any more: update this test"
