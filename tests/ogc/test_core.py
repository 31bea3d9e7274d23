"""OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) against the shipped data;
every answer validated against /ogc/api by the client fixture."""

from __future__ import annotations

import pytest

from conftest import follow

GEOJSON = "application/geo+json"


def test_landing_page_links_and_conformance(client):
    r = client.get("", headers={"Accept": "*/*"})  # OWSLib's Accept
    assert r.headers["content-type"].startswith("application/json")
    rels = {(l["rel"], l["type"]) for l in r.json()["links"]}
    assert ("service-desc", "application/vnd.oai.openapi+json;version=3.0") in rels
    assert ("conformance", "application/json") in rels and ("data", "application/json") in rels
    assert {"self", "alternate"} <= {rel for rel, _ in rels}
    classes = client.json("/conformance")["conformsTo"]
    for c in ("core", "geojson", "oas30", "html"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    api = client.get("/api")
    assert api.headers["content-type"] == "application/vnd.oai.openapi+json;version=3.0"
    assert "$ref\": \"http" not in api.text, "the API document must be self-contained"


def test_links_come_from_the_public_url_not_the_host_header(client):
    links = client.json("", headers={"Host": "evil.example:666"})["links"]
    assert all(l["href"].startswith(client.url + "/ogc") for l in links), links


def test_every_layer_is_a_collection_with_its_extent(client, layers):
    cols = client.json("/collections")["collections"]
    assert [c["id"] for c in cols] == [l["id"] for l in layers]
    for c, l in zip(cols, layers):
        assert c["itemType"] == "feature"
        assert c["extent"]["spatial"]["bbox"][0] == l["bbox"]
        assert c["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        assert "http://www.opengis.net/def/crs/EPSG/0/4490" in c["crs"]
        assert client.json(f"/collections/{c['id']}")["id"] == c["id"]
        rels = {x["rel"] for x in c["links"]}
        assert {"self", "alternate", "items", "http://www.opengis.net/def/rel/ogc/1.0/queryables"} <= rels


def test_items_are_geojson_by_default_and_when_asked(client):
    for headers in ({}, {"Accept": GEOJSON}, {"Accept": "application/json"}):
        r = client.get("/collections/railways/items", headers=headers)
        assert r.headers["content-type"] == GEOJSON
        assert r.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["numberReturned"] == len(fc["features"]) <= 10
    assert {"numberMatched", "timeStamp", "links"} <= fc.keys()
    assert {"self", "alternate", "collection"} <= {l["rel"] for l in fc["links"]}


def test_paging_by_next_links_loses_and_duplicates_nothing(client, layers):
    for l in layers:
        pages = follow(client, f"/collections/{l['id']}/items", {"limit": "10"})
        ids = [f["id"] for p in pages for f in p["features"]]
        want = [f["id"] for f in client.all_api_features(layers=l["id"])]
        assert ids == want, l["id"]
        assert all(p["numberMatched"] == l["feature_count"] for p in pages)
        # The previous page of a page is the page before it.
        if len(pages) > 2:
            prev = [x for x in pages[2]["links"] if x["rel"] == "prev"][0]["href"]
            assert "offset=10" in prev and "limit=10" in prev


def test_a_limit_above_the_maximum_is_clamped_and_the_links_say_so(client):
    fc = client.json("/collections/towns/items", {"limit": "100000"}, validate_request=False)
    self_link = [l for l in fc["links"] if l["rel"] == "self"][0]["href"]
    assert "limit=10000" in self_link


def test_bbox_gives_what_api_features_gives(client):
    box = "106.3,28.6,106.9,29.2"
    for layer in ("towns", "highways", "counties"):
        got = [f["id"] for p in follow(client, f"/collections/{layer}/items", {"bbox": box, "limit": "50"}) for f in p["features"]]
        want = [f["id"] for f in client.all_api_features(layers=layer, bbox=box)]
        assert got == want and got, layer
    # Six numbers: heights are checked and not used.
    fc = client.json("/collections/towns/items", {"bbox": "106.3,28.6,-100,106.9,29.2,9000", "limit": "1000"})
    assert fc["numberMatched"] == len(client.all_api_features(layers="towns", bbox=box))


def test_a_box_across_the_antimeridian_is_two_boxes(client):
    # From 170°E eastwards across 180° to 107°W... i.e. [170, 180] and [-180, 107]: all of China
    # west of 107°E.
    fc = client.json("/collections/towns/items", {"bbox": "170,20,107,35", "limit": "10000"})
    want = {f["id"] for f in client.all_api_features(layers="towns", bbox="-180,20,107,35")}
    assert {f["id"] for f in fc["features"]} == want and want


def test_queryables_as_parameters_are_equality_filters(client):
    fc = client.json("/collections/railways/items", {"status": "planned", "limit": "10000"})
    want = [f["id"] for f in client.all_api_features(layers="railways", status="planned")]
    assert [f["id"] for f in fc["features"]] == want and want
    # A list property matches when it contains the value.
    fc = client.json("/collections/highways/items", {"provinces": "guizhou", "limit": "10000"})
    want = [f["id"] for f in client.all_api_features(layers="highways", province="guizhou")]
    assert [f["id"] for f in fc["features"]] == want and want
    fc = client.json("/collections/highways/items", {"provinces": "guizhou", "status": "existing", "limit": "10000"})
    assert all(f["properties"]["status"] == "existing" for f in fc["features"])


def test_one_feature_and_its_links(client):
    fc = client.json("/collections/reservoirs/items", {"limit": "1"})
    f = fc["features"][0]
    one = client.get(f"/collections/reservoirs/items/{f['id']}")
    assert one.headers["content-type"] == GEOJSON
    body = one.json()
    assert body["id"] == f["id"] and body["geometry"] == f["geometry"]
    assert {"self", "alternate", "collection"} <= {l["rel"] for l in body["links"]}
    # A feature of another collection is not in this one.
    client.get(f"/collections/railways/items/{f['id']}", status=404)


@pytest.mark.parametrize(
    "path,params,parameter",
    [
        ("/collections/towns/items", {"limit": "0"}, "limit"),
        ("/collections/towns/items", {"limit": "ten"}, "limit"),
        ("/collections/towns/items", {"offset": "-1"}, "offset"),
        ("/collections/towns/items", {"bbox": "1,2,3"}, "bbox"),
        ("/collections/towns/items", {"bbox": "106,30,107,29"}, "bbox"),
        ("/collections/towns/items", {"bbox": "106,28,107,nan"}, "bbox"),
        ("/collections/towns/items", {"bbox": "106,28,190,29"}, "bbox"),
        ("/collections/towns/items", {"bbox-crs": "EPSG:9999", "bbox": "1,2,3,4"}, "bbox-crs"),
        ("/collections/towns/items", {"crs": "http://www.opengis.net/def/crs/EPSG/0/2000"}, "crs"),
        ("/collections/towns/items", {"datetime": "yesterday"}, "datetime"),
        ("/collections/towns/items", {"datetime": "2025-01-01/2020-01-01"}, "datetime"),
        ("/collections/towns/items", {"filter": "status = "}, "filter"),
        ("/collections/towns/items", {"filter": "nosuch = 1"}, "filter"),
        ("/collections/towns/items", {"filter-lang": "ecql"}, "filter-lang"),
        ("/collections/towns/items", {"filter-crs": "EPSG:1", "filter": "status='planned'"}, "filter-crs"),
        ("/collections/towns/items", {"status": "finished"}, "status"),
        ("/collections/towns/items", {"nosuch": "1"}, "nosuch"),
        ("/collections/towns/items", {"f": "xml"}, "f"),
        ("/collections/towns/items/x", {"limit": "5"}, "limit"),
        ("/collections", {"limit": "5"}, "limit"),
        ("", {"bbox": "1,2,3,4"}, "bbox"),
        ("/conformance", {"f": "pdf"}, "f"),
    ],
)
def test_every_invalid_parameter_is_a_400_naming_it(client, path, params, parameter):
    body = client.json(path, params, status=400)
    assert body["error"] == "invalid_parameter" and body["parameter"] == parameter, body
    assert body["detail"]


def test_unknown_collections_and_features_are_404(client):
    assert client.json("/collections/nosuch", status=404)["parameter"] == "collectionId"
    client.get("/collections/nosuch/items", status=404)
    client.get("/collections/nosuch/queryables", status=404)
    assert client.json("/collections/towns/items/nosuch", status=404)["parameter"] == "featureId"


def test_html_for_a_browser(client):
    chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in ("", "/conformance", "/collections", "/collections/towns", "/collections/towns/items", "/collections/towns/queryables"):
        r = client.get(path, headers={"Accept": chrome})
        assert r.headers["content-type"].startswith("text/html"), path
        assert r.text.startswith("<!doctype html>") and "<a href=" in r.text or path.endswith("queryables")
    r = client.get("/collections/towns/items", {"f": "html", "limit": "3"})
    assert r.text.count("<tr><td><a href=") == 3
    assert client.get("", headers={"Accept": "application/xml"}, status=406).json()["parameter"] == "Accept"


def test_etags_differ_by_representation(client):
    a = client.get("/collections", headers={"Accept": "text/html"})
    b = client.get("/collections", headers={"Accept": "application/json"})
    assert a.headers["etag"] != b.headers["etag"]
    again = client.session.get(client.url + "/ogc/collections", headers={"Accept": "text/html", "If-None-Match": a.headers["etag"]})
    assert again.status_code == 304
