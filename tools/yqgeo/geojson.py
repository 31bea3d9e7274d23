"""Deterministic output: rounded coordinates, sorted keys and ids, one feature per line."""

from __future__ import annotations

import json
from pathlib import Path

DECIMALS = 6


def round_coords(obj):
    """Round every number of a GeoJSON coordinates array to 6 decimals (about 0.1 m)."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [round_coords(v) for v in obj]
    return obj


def dedupe_consecutive(coords: list) -> list:
    out = []
    for c in coords:
        if not out or out[-1] != c:
            out.append(c)
    return out


def feature(fid: str, geometry: dict, properties: dict) -> dict:
    geom = {"type": geometry["type"], "coordinates": round_coords(geometry["coordinates"])}
    return {"type": "Feature", "id": fid, "geometry": geom, "properties": properties}


def write_collection(path: Path, features: list[dict]) -> None:
    feats = sorted(features, key=lambda f: f["id"])
    lines = [json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for f in feats]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v)} as TOML")


def toml_tables(name: str, rows: list[dict], header: str = "") -> str:
    """An array of tables `[[name]]`, keys in the order given (rows are plain dicts)."""
    out = [header.rstrip() + "\n"] if header else []
    for row in rows:
        out.append(f"[[{name}]]")
        for k, v in row.items():
            if v is None:
                continue
            out.append(f"{k} = {toml_value(v)}")
        out.append("")
    return "\n".join(out)
