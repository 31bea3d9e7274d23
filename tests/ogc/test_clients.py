"""Real clients of /ogc: GDAL's OAPIF driver (Debian's gdal-bin) and OWSLib."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from shapely.geometry import shape

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin is not installed (make test installs it)")


def run(*args: str) -> str:
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{' '.join(args)}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r.stdout


def oapif(client) -> str:
    return f"OAPIF:{client.url}/ogc"


def test_ogrinfo_lists_every_collection_with_its_count_and_extent(client, layers):
    listing = run("ogrinfo", "-ro", "-q", oapif(client))
    for l in layers:
        assert re.search(rf"^\d+: {l['id']}\b", listing, re.M), f"{l['id']} missing from:\n{listing}"
    for l in layers:
        info = run("ogrinfo", "-ro", "-so", oapif(client), l["id"])
        count = int(re.search(r"Feature Count: (\d+)", info).group(1))
        assert count == l["feature_count"], (l["id"], info)
        ext = [float(x) for x in re.search(r"Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)", info).groups()]
        assert ext == pytest.approx(l["bbox"], abs=1e-6), (l["id"], info)


def read_gpkg(tmp_path, gpkg, layer) -> list[dict]:
    out = tmp_path / f"{layer}.geojson"
    run("ogr2ogr", "-f", "GeoJSON", str(out), str(gpkg), layer)
    return json.loads(out.read_text())["features"]


def same_features(got: list[dict], want: list[dict], where: str):
    assert [f["properties"]["id"] for f in got] == [f["id"] for f in want], where
    for g, w in zip(got, want):
        assert shape(g["geometry"]).equals_exact(shape(w["geometry"]), 1e-12), (where, w["id"])


def test_ogr2ogr_copies_every_collection_with_the_same_ids_and_geometries(client, layers, tmp_path):
    gpkg = tmp_path / "all.gpkg"
    run("ogr2ogr", "-f", "GPKG", str(gpkg), oapif(client))
    for l in layers:
        same_features(read_gpkg(tmp_path, gpkg, l["id"]), client.all_api_features(layers=l["id"]), l["id"])


def test_gdal_pages_of_ten_by_next_links_lose_and_duplicate_nothing(client, tmp_path):
    gpkg = tmp_path / "paged.gpkg"
    run("ogr2ogr", "-oo", "PAGE_SIZE=10", "-f", "GPKG", str(gpkg), oapif(client), "towns", "attractions")
    for layer in ("towns", "attractions"):
        got = read_gpkg(tmp_path, gpkg, layer)
        assert len(got) > 10
        same_features(got, client.all_api_features(layers=layer), layer)


def test_spat_and_where_give_what_api_features_gives(client, tmp_path):
    box = ["106.3", "28.6", "106.9", "29.2"]
    gpkg = tmp_path / "spat.gpkg"
    run("ogr2ogr", "-spat", *box, "-f", "GPKG", str(gpkg), oapif(client), "towns")
    same_features(read_gpkg(tmp_path, gpkg, "towns"), client.all_api_features(layers="towns", bbox=",".join(box)), "-spat")
    gpkg = tmp_path / "where.gpkg"
    run("ogr2ogr", "-where", "status = 'planned'", "-f", "GPKG", str(gpkg), oapif(client), "railways")
    same_features(read_gpkg(tmp_path, gpkg, "railways"), client.all_api_features(layers="railways", status="planned"), "-where")


def test_owslib_reads_the_landing_page_collections_and_items(client, layers):
    from owslib.ogcapi.features import Features

    w = Features(client.url + "/ogc")
    assert any(l["rel"] == "service-desc" for l in w.links)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in w.conformance()["conformsTo"]
    cols = w.collections()["collections"]
    assert [c["id"] for c in cols] == [l["id"] for l in layers]
    assert w.collection("towns")["itemType"] == "feature"
    items = w.collection_items("towns", limit=5, bbox=[106.3, 28.6, 106.9, 29.2])
    want = client.all_api_features(layers="towns", bbox="106.3,28.6,106.9,29.2")
    assert [f["id"] for f in items["features"]] == [f["id"] for f in want[:5]]
    assert items["numberMatched"] == len(want)
    q = w.collection_queryables("towns")
    assert "status" in q["properties"]
