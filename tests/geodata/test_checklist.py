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
    for s in ("专栏3-1 交通", "专栏3-1 能源", "专栏3-1 水利", "专栏3-1 新基建", "专栏4-1", "专栏4-2", "专栏4-3",
              "专栏4-4", "专栏4-5", "专栏6-1", "专栏7-1", "专栏7-2", "news: paired districts",
              "news: parks and platforms"):
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


# The boxes made of headings ("精细化工:", "社会治理项目:" ...): each item names its heading, and
# the boxes of directions (发展方向) list each heading as an item of its own.
HEADED_BOXES = ("专栏4-1", "专栏4-4", "专栏4-5", "专栏7-2")
DIRECTION_BOXES = ("专栏4-1", "专栏4-4")
_HEADING = re.compile(r"(?:^|[\s。])([^\s。:：;；,，]{2,20})[:：]")


def _plan_boxes() -> dict[str, str]:
    """Each 专栏 of the plan text by number ("专栏4-1"): its body, the line after its title that
    ends in "|", or "" when the text has no body for it."""
    lines = (SEEDS / PLAN).read_text(encoding="utf-8").splitlines()
    boxes = {}
    for i, line in enumerate(lines):
        m = re.match(r"(专栏\d+-\d+):", line)
        if m:
            body = lines[i + 1] if i + 1 < len(lines) else ""
            boxes[m.group(1)] = body if body.rstrip().endswith("|") else ""
    return boxes


def _segments(body: str) -> dict[str, str]:
    """A box body cut at its headings: heading -> its text (whitespace removed)."""
    marks = [(m.start(1), m.group(1)) for m in _HEADING.finditer(body)]
    ends = [start for start, _ in marks[1:]] + [len(body)]
    return {h: re.sub(r"\s", "", body[start:end]) for (start, h), end in zip(marks, ends)}


def test_items_of_headed_boxes_name_their_heading_and_their_feature_cites_the_box(checklist, features_by_id):
    for it in checklist:
        if it["section"] in HEADED_BOXES:
            assert it.get("heading"), f"{it['name_zh']}: give the heading it stands under"
            assert it["source"].startswith(f"{PLAN} {it['section']} {it['heading']}"), it["name_zh"]
            if "id" in it:
                cited = features_by_id[it["id"]]["properties"]["source"]
                assert f"{PLAN} {it['section']}" in cited, f"{it['id']} does not cite {it['section']}"


@pytest.mark.skipif(not (SEEDS / PLAN).is_file(), reason="source texts not beside the repo")
def test_the_checklist_covers_every_box_of_the_plan(checklist):
    sections = {it["section"].split()[0] for it in checklist}
    assert set(_plan_boxes()) <= sections, set(_plan_boxes()) - sections


@pytest.mark.skipif(not (SEEDS / PLAN).is_file(), reason="source texts not beside the repo")
def test_every_heading_of_a_headed_box_has_items_and_each_item_is_its_text(checklist):
    boxes = _plan_boxes()
    for box in HEADED_BOXES:
        segments = _segments(boxes[box])
        items = [it for it in checklist if it["section"] == box]
        headings = list(dict.fromkeys(it["heading"] for it in items))
        assert headings == list(segments), f"{box}: headings of the checklist are not those of the text, in order"
        for it in items:
            assert re.sub(r"\s", "", it["name_zh"]) in segments[it["heading"]], \
                f"{box}: {it['name_zh']} is not in the text of {it['heading']}"
        if box in DIRECTION_BOXES:
            named = {it["name_zh"] for it in items}
            for h in segments:
                assert h in named, f"{box}: the direction {h} is not an item of its own"


@pytest.mark.skipif(not (SEEDS / PLAN).is_file(), reason="source texts not beside the repo")
def test_a_box_without_body_in_the_text_is_one_omitted_item(checklist):
    empty = [box for box, body in _plan_boxes().items() if not body]
    assert empty == ["专栏7-1"]  # the text has the title of 专栏7-1 and no items
    for box in empty:
        items = [it for it in checklist if it["section"] == box]
        assert len(items) == 1 and "omitted" in items[0], box
