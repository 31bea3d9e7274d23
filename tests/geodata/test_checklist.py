"""The checklist derived from the texts is fully present in geodata/, each item by id."""

import re

import pytest

from conftest import SEEDS

PLAN = "004_2465fec52345bd8c.txt"


def test_every_checklist_item_is_present_by_id_or_omitted_with_a_reason(checklist, features_by_id):
    assert len(checklist) > 150
    for it in checklist:
        assert ("id" in it) != ("omitted" in it), it["name_zh"]
        if "id" in it:
            assert it["id"] in features_by_id, f"{it['name_zh']}: {it['id']} missing"
        else:
            assert len(it["omitted"]) > 20, f"{it['name_zh']}: give a real reason"


def test_checklist_covers_every_section(checklist):
    sections = {it["section"] for it in checklist}
    for s in ("专栏3-1 交通", "专栏3-1 能源", "专栏3-1 水利", "专栏3-1 新基建", "专栏4-2", "专栏4-3", "专栏6-1",
              "news: paired districts", "news: parks and platforms"):
        assert s in sections


def test_border_towns_and_partners_of_6_1_are_towns(checklist, features_by_id):
    towns = [it for it in checklist if it["section"] == "专栏6-1" and it["name_zh"].endswith(("镇", "乡", "泥坝乡)"))]
    assert len(towns) >= 17
    for it in towns:
        assert it["id"].startswith("town-")
        assert features_by_id[it["id"]]["properties"]["kind"] in ("border_town", "town")


def _route_items(checklist):
    routes = {}
    for it in checklist:
        if it["section"] == "专栏4-2" and "route" in it:
            routes.setdefault(it["route"], []).append(it)
    return routes


def test_each_route_has_every_plan_stop_in_the_plan_order(checklist, features_by_id):
    routes = _route_items(checklist)
    assert len(routes) == 6
    for rid, items in routes.items():
        assert [it["order"] for it in items] == sorted(it["order"] for it in items)
        route = features_by_id[rid]["properties"]
        point_ids = [it["id"] for it in items if "id" in it and it["id"] in route["stops"]]
        assert route["stops"] == point_ids, rid
        others = [it for it in items if "id" not in it or it["id"] not in route["stops"]]
        for it in others:  # corridors followed by the route, or stops that are omitted with a reason
            assert "omitted" in it or it["id"] in route.get("corridors", []), (rid, it["name_zh"])


def test_roundtrip_matches_the_plans_word_for_loop(features_by_id, checklist):
    for rid in _route_items(checklist):
        p = features_by_id[rid]["properties"]
        assert p["roundtrip"] == p["name_zh"].endswith("环线"), rid


@pytest.mark.skipif(not (SEEDS / PLAN).is_file(), reason="source texts not beside the repo")
def test_route_stop_names_follow_the_order_of_the_plan_text(checklist):
    text = (SEEDS / PLAN).read_text(encoding="utf-8")
    box = text[text.index("专栏4-2:渝南黔北地区特色旅游线路"): text.index("专栏4-3")]
    for rid, items in _route_items(checklist).items():
        pos = box.index(next(it["name_zh"] for it in checklist if it.get("id") == rid and "route" not in it))
        for it in items:
            nxt = box.find(it["name_zh"], pos)
            assert nxt >= 0, f"{rid}: {it['name_zh']} not found after the previous stop"
            pos = nxt


@pytest.mark.skipif(not (SEEDS / PLAN).is_file(), reason="source texts not beside the repo")
def test_every_named_item_of_3_1_and_6_1_towns_is_in_the_plan_text(checklist):
    text = re.sub(r"\s", "", (SEEDS / PLAN).read_text(encoding="utf-8"))
    for it in checklist:
        if it["section"].startswith("专栏3-1"):
            core = re.sub(r"\(.*?\)", "", it["name_zh"])
            assert core[:4] in text, it["name_zh"]


def test_partner_towns_are_symmetric_and_each_pair_has_a_line(collections, features_by_id):
    pairs = set()
    for f in collections["towns"]["features"]:
        for t in f["properties"]["partner_towns"]:
            assert f["id"] in features_by_id[t]["properties"]["partner_towns"], (f["id"], t)
            pairs.add(frozenset((f["id"], t)))
    assert len(pairs) == 15  # the partnerships of 专栏6-1
    lines = {frozenset(f["properties"]["towns"]) for f in collections["town_partnerships"]["features"]}
    assert lines == pairs
