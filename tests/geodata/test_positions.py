"""Honest positions (geodata/FORMAT.md, "Positions"): every point says whether its site is known
and how far off it may be, no accuracy class promises more than that, and located features do not
pile up on one point."""

import tomllib

import pytest

from conftest import TOOLS
from yqgeo import positions


def _points(collections):
    for layer, fc in collections.items():
        for f in fc["features"]:
            pts = positions.point_positions(f["geometry"])
            if pts:
                yield layer, f, pts


def test_every_point_carries_location_known_and_uncertainty_km(collections):
    n = 0
    for _, f, _ in _points(collections):
        p = f["properties"]
        assert isinstance(p.get("location_known"), bool), f"{f['id']}: location_known"
        assert isinstance(p.get("uncertainty_km"), (int, float)) and p["uncertainty_km"] > 0, f["id"]
        n += 1
    assert n > 250


def test_no_accuracy_class_promises_more_than_its_points_uncertainty(collections):
    for _, f, _ in _points(collections):
        p = f["properties"]
        assert positions.class_violation(p["accuracy"], p["uncertainty_km"]) is None, f["id"]
    assert positions.CLASS_MAX_UNCERTAINTY_KM == {"real": 1.0, "approximate": 60.0}


@pytest.mark.parametrize("accuracy, km, ok", [
    ("real", 0.5, True), ("real", 3, False), ("approximate", 40, True), ("approximate", 60, True),
    ("approximate", 61, False), ("approximate", 0.5, False), ("schematic", 1, False), ("approximate", 0, False),
])
def test_class_bounds(accuracy, km, ok):
    assert (positions.class_violation(accuracy, km) is None) == ok


def test_a_point_stands_at_its_place_exactly_no_jitter(collections, features_by_id):
    """An item placed `at` a place has that place's point, unmoved, and is not presented as located."""
    n = 0
    for _, f, pts in _points(collections):
        at = f["properties"].get("at")
        if at is None:
            continue
        at = at if isinstance(at, list) else [at]
        want = [tuple(features_by_id[a]["geometry"]["coordinates"]) for a in at]
        assert pts == want, f"{f['id']} is not at the point of {at}"
        assert f["properties"]["location_known"] is False, f["id"]
        assert f["properties"]["accuracy"] == "approximate", f["id"]
        n += 1
    assert n > 150


def test_multipoints_are_never_located(collections):
    for _, f, pts in _points(collections):
        if len(pts) > 1:
            assert f["properties"]["location_known"] is False, f["id"]


def test_located_points_are_their_own_sites(collections):
    """location_known = true only for a gazetteer place or a catalogue estimate of the site itself."""
    with open(TOOLS / "catalog" / "places.toml", "rb") as f:
        places = {p["id"] for p in tomllib.load(f)["place"]}
    for layer, f, pts in _points(collections):
        p = f["properties"]
        if not p["location_known"]:
            continue
        if layer == "towns":
            assert f["id"] in places
        else:
            assert "at" not in p and p["provenance"].startswith("estimated position"), f["id"]


def test_no_more_than_six_located_features_share_a_position(collections):
    located = [(f["id"], pt) for _, f, pts in _points(collections) if f["properties"]["location_known"] for pt in pts]
    assert positions.located_stacks(located) == []


def test_stack_detection_counts_within_100_m():
    near = [(f"p{i}", (106.6 + i * 0.0001, 29.0)) for i in range(7)]  # about 10 m apart, 60 m in all
    assert len(positions.located_stacks(near)) >= 1
    far = [(f"p{i}", (106.6 + i * 0.01, 29.0)) for i in range(7)]  # about 1 km apart
    assert positions.located_stacks(far) == []
    assert positions.located_stacks(near[:6]) == []


# The stacks found in the review (issue 13): the 綦江 seat held 60 features, 22 of them looking
# located; 赶水 15, 打通 12, 石壕 11, 万州 11.
@pytest.mark.parametrize("place, at_least", [
    ("seat-qijiang", 55), ("town-ganshui", 14), ("town-datong", 11), ("town-shihao", 10), ("seat-wanzhou", 10),
])
def test_the_stacks_of_the_review_are_shown_as_unlocated(collections, features_by_id, place, at_least):
    here = tuple(features_by_id[place]["geometry"]["coordinates"])
    at_here = [f for _, f, pts in _points(collections) if here in pts and f["id"] != place]
    assert len(at_here) >= at_least
    located = [f["id"] for f in at_here if f["properties"]["location_known"]]
    assert located == [], f"{place}: presented as located: {located}"
