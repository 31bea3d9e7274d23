"""一区两群 groups of the Chongqing counties, the sides of the district pairs, and the prefecture
each county carries."""

from collections import Counter

import pytest

GROUPS = {
    "metro": "主城都市区",
    "northeast": "渝东北三峡库区城镇群",
    "southeast": "渝东南武陵山区城镇群",
}
# The municipality's 2020 definition, by name (the list), so that a wrong adcode in
# tools/catalog/counties.toml shows here as a wrong name.
MEMBERS = {
    "metro": ["渝中", "大渡口", "江北", "沙坪坝", "九龙坡", "南岸", "北碚", "渝北", "巴南",
              "涪陵", "长寿", "江津", "合川", "永川", "南川", "綦江", "大足", "璧山", "铜梁", "潼南", "荣昌"],
    "northeast": ["万州", "开州", "梁平", "城口", "丰都", "垫江", "忠县", "云阳", "奉节", "巫山", "巫溪"],
    "southeast": ["黔江", "武隆", "石柱", "秀山", "酉阳", "彭水"],
}


def county_props(collections):
    return [f["properties"] for f in collections["counties"]["features"]]


def short(name_zh: str) -> str:
    """綦江区 -> 綦江, 石柱土家族自治县 -> 石柱, 忠县 -> 忠县 (a one-character name keeps 县)."""
    for suffix in ("土家族苗族自治县", "苗族土家族自治县", "土家族自治县", "区", "县"):
        if name_zh.endswith(suffix) and len(name_zh) - len(suffix) >= 2:
            return name_zh[: -len(suffix)]
    return name_zh


def test_every_chongqing_county_is_in_its_2020_group(collections):
    chongqing = [p for p in county_props(collections) if p["provinces"] == ["chongqing"]]
    assert len(chongqing) == 38
    got = {gid: sorted(short(p["name_zh"]) for p in chongqing if p["group_id"] == gid) for gid in GROUPS}
    assert got == {gid: sorted(names) for gid, names in MEMBERS.items()}
    assert Counter(p["group_id"] for p in chongqing) == {"metro": 21, "northeast": 11, "southeast": 6}
    for p in chongqing:
        assert p["group_zh"] == GROUPS[p["group_id"]], p["name_zh"]
        assert p["group_en"] and p["group_en"].isascii(), p["name_zh"]
    assert len({p["group_en"] for p in chongqing}) == 3


def test_no_county_outside_chongqing_has_a_group(collections):
    for p in county_props(collections):
        if p["provinces"] != ["chongqing"]:
            assert not {"group_id", "group_zh", "group_en"} & set(p), p["name_zh"]


def test_every_county_carries_its_prefecture(collections):
    for p in county_props(collections):
        expected = ("500000", "重庆市", "Chongqing Municipality") if p["adcode"].startswith("50") \
            else ("520300", "遵义市", "Zunyi City")
        assert (p["prefecture_adcode"], p["prefecture_zh"], p["prefecture_en"]) == expected, p["name_zh"]
        assert p["prefecture_id"] == f"prefecture-{expected[0]}"
        assert "city" not in p  # replaced by the prefecture fields


def pairs(collections):
    return [f for f in collections["district_pairs"]["features"]]


def test_every_yiqu_liangqun_pair_joins_the_metro_area_to_one_of_the_two_clusters(collections):
    yiqu = [f for f in pairs(collections) if f["properties"]["pairing"] == "yiqu_liangqun"]
    assert len(yiqu) >= 13
    for f in yiqu:
        sides = f["properties"]["sides"]
        assert len(sides) == 2, f["id"]
        groups = sorted(s["group_id"] for s in sides)  # "metro" sorts first
        assert groups[0] == "metro" and groups[1] in ("northeast", "southeast"), f"{f['id']}: {groups}"
        for s in sides:
            assert s["group_zh"] == GROUPS[s["group_id"]], f["id"]


def test_a_side_that_is_not_a_county_says_so(collections, county_shapes, features_by_id):
    from shapely.geometry import Point

    by_adcode = {p["adcode"]: p for p in county_props(collections)}
    kinds = Counter()
    for f in pairs(collections):
        p = f["properties"]
        assert [s["name_zh"] for s in p["sides"]] == p["districts"], f["id"]
        for s, end, xy in zip(p["sides"], p["ends"], f["geometry"]["coordinates"]):
            kinds[s["kind"]] += 1
            at = Point(xy)
            if s["kind"] == "county":
                assert s["adcode"] in by_adcode and county_shapes[s["adcode"]].contains(at), f"{f['id']}: {s}"
                if "group_id" in by_adcode[s["adcode"]]:
                    assert s["group_id"] == by_adcode[s["adcode"]]["group_id"], f["id"]
            elif s["kind"] == "new_area":
                # Not a county: it names the counties it lies in, which share its group, and its
                # end is a place of kind "area" inside one of them.
                assert "adcode" not in s and s["within"], f["id"]
                assert {by_adcode[a]["group_id"] for a in s["within"]} == {s["group_id"]}, f["id"]
                assert features_by_id[end]["properties"]["kind"] == "area", f["id"]
                assert any(county_shapes[a].contains(at) for a in s["within"]), f["id"]
            else:
                assert s["kind"] == "prefecture", f"{f['id']}: {s}"
                members = [a for a, c in by_adcode.items() if c["prefecture_adcode"] == s["adcode"]]
                assert any(county_shapes[a].contains(at) for a in members), f["id"]
                assert "group_id" not in s
    assert kinds["new_area"] == 2  # 两江新区, 重庆高新区


@pytest.mark.parametrize("pair, names", [
    ("pair-liangjiang-wanzhou", ("两江新区", "new_area", "metro", "万州区", "county", "northeast")),
    ("pair-gaoxin-qianjiang", ("重庆高新区", "new_area", "metro", "黔江区", "county", "southeast")),
    ("pair-yuzhong-wuxi", ("渝中区", "county", "metro", "巫溪县", "county", "northeast")),
])
def test_known_pairs(features_by_id, pair, names):
    a, b = features_by_id[pair]["properties"]["sides"]
    assert (a["name_zh"], a["kind"], a["group_id"], b["name_zh"], b["kind"], b["group_id"]) == names


def test_the_friendship_pairs_are_not_yiqu_liangqun(features_by_id):
    for pid in ("pair-yq-qijiang-zunyi", "pair-yq-qijiang-tongzi", "pair-yq-qijiang-xishui"):
        p = features_by_id[pid]["properties"]
        assert p["pairing"] == "yuqian_friendship"
        assert p["sides"][0]["group_id"] == "metro"  # 綦江区
        assert "group_id" not in p["sides"][1]  # in Guizhou
