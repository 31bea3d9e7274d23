"""Part 2: coordinates in every CRS offered, checked against PROJ (pyproj), in each CRS's own
axis order; boxes given in other CRSs."""

from __future__ import annotations

import pytest
from pyproj import Transformer

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
CODES = [4326, 4490, 3857, 4543, 4544, 4545]


def positions(g):
    c = g["coordinates"] if g["type"] != "GeometryCollection" else [positions(x) for x in g["geometries"]]
    def walk(c):
        if isinstance(c[0], (int, float)):
            yield c
        else:
            for x in c:
                yield from walk(x)
    return list(walk(c))


def test_the_collections_offer_every_crs(client):
    c = client.json("/collections/towns")
    assert c["storageCrs"] == CRS84
    assert set(c["crs"]) == {CRS84} | {EPSG.format(n) for n in CODES}


@pytest.mark.parametrize("code", CODES)
def test_coordinates_agree_with_proj(client, code):
    # always_xy=False: pyproj gives the CRS's own axis order, as OGC API – Features Part 2 asks.
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}")
    for layer in ("towns", "railways", "counties"):
        plain = client.json(f"/collections/{layer}/items", {"limit": "20"})
        r = client.get(f"/collections/{layer}/items", {"limit": "20", "crs": EPSG.format(code)})
        assert r.headers["content-crs"] == f"<{EPSG.format(code)}>"
        other = r.json()
        assert [f["id"] for f in other["features"]] == [f["id"] for f in plain["features"]]
        for a, b in zip(plain["features"], other["features"]):
            for (lon, lat), got in zip(positions(a["geometry"]), positions(b["geometry"])):
                want = to.transform(lon, lat)
                tol = 1e-9 if code in (4326, 4490) else 1e-3  # degrees / metres
                assert got == pytest.approx(list(want), abs=tol), (layer, code, lon, lat)


def test_geographic_crss_are_latitude_first(client):
    f = client.json("/collections/towns/items", {"limit": "1"})["features"][0]
    lon, lat = f["geometry"]["coordinates"]
    for code in (4326, 4490):
        g = client.json(f"/collections/towns/items/{f['id']}", {"crs": EPSG.format(code)})["geometry"]
        assert g["coordinates"] == [lat, lon]


@pytest.mark.parametrize("code", CODES)
def test_a_box_in_another_crs_selects_as_its_lon_lat_equivalent(client, code):
    to = Transformer.from_crs("OGC:CRS84", f"EPSG:{code}")
    # A box well inside every zone's area of use; the projected box is the envelope of the
    # projected lon/lat box's corners, so it holds at least what the lon/lat box holds.
    lon0, lat0, lon1, lat1 = 106.3, 28.6, 106.9, 29.2
    corners = [to.transform(x, y) for x in (lon0, lon1) for y in (lat0, lat1)]
    a = [min(c[0] for c in corners), min(c[1] for c in corners)]
    b = [max(c[0] for c in corners), max(c[1] for c in corners)]
    bbox = ",".join(repr(v) for v in a + b)
    got = {f["id"] for f in client.json("/collections/towns/items", {"bbox": bbox, "bbox-crs": EPSG.format(code), "limit": "10000"})["features"]}
    inner = {f["id"] for f in client.all_api_features(layers="towns", bbox=f"{lon0},{lat0},{lon1},{lat1}")}
    assert inner and inner <= got
    # And nothing far outside it.
    outer = {f["id"] for f in client.all_api_features(layers="towns", bbox=f"{lon0-0.2},{lat0-0.2},{lon1+0.2},{lat1+0.2}")}
    assert got <= outer


def test_a_filter_geometry_in_another_crs(client):
    to = Transformer.from_crs("OGC:CRS84", "EPSG:4545")
    ring = [(106.3, 28.6), (106.9, 28.6), (106.9, 29.2), (106.3, 29.2), (106.3, 28.6)]
    # The projected polygon with many vertices per edge, so it is the lon/lat box to within a metre.
    pts = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        pts += [to.transform(x0 + (x1 - x0) * t / 64, y0 + (y1 - y0) * t / 64) for t in range(64)]
    pts.append(pts[0])
    wkt = "POLYGON((" + ",".join(f"{x!r} {y!r}" for x, y in pts) + "))"
    got = {f["id"] for f in client.json("/collections/towns/items", {"filter": f"S_INTERSECTS(geometry, {wkt})", "filter-crs": EPSG.format(4545), "limit": "10000"})["features"]}
    want = {f["id"] for f in client.all_api_features(layers="towns", bbox="106.3,28.6,106.9,29.2")}
    assert got == want and want
