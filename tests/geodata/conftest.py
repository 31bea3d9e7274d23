"""Shared fixtures: the committed geodata/ and the importer's pure code (tools/yqgeo)."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GEODATA = REPO / "geodata"
TOOLS = REPO / "tools"
SEEDS = REPO.parent / "shared" / "seeds"  # the source texts, beside the repo (absent in some clones)

sys.path.insert(0, str(TOOLS))


@pytest.fixture(scope="session")
def layers() -> list[dict]:
    with open(GEODATA / "layers.toml", "rb") as f:
        return tomllib.load(f)["layers"]


@pytest.fixture(scope="session")
def collections(layers) -> dict[str, dict]:
    out = {}
    for layer in layers:
        with open(GEODATA / layer["file"], encoding="utf-8") as f:
            out[layer["id"]] = json.load(f)
    return out


@pytest.fixture(scope="session")
def features_by_id(collections) -> dict[str, dict]:
    return {f["id"]: f for fc in collections.values() for f in fc["features"]}


@pytest.fixture(scope="session")
def checklist() -> list[dict]:
    with open(GEODATA / "checklist.toml", "rb") as f:
        return tomllib.load(f)["item"]


@pytest.fixture(scope="session")
def province_shapes(collections):
    from shapely.geometry import shape

    return {f["properties"]["provinces"][0]: shape(f["geometry"]) for f in collections["provinces"]["features"]}


@pytest.fixture(scope="session")
def county_shapes(collections):
    from shapely.geometry import shape

    return {f["properties"]["adcode"]: shape(f["geometry"]) for f in collections["counties"]["features"]}
