"""Reads a PMTiles archive with the reference Python readers (pmtiles, mapbox-vector-tile) and
prints, for every tile, its layers with their extent and the (MVT id, id property) of each
feature (id "" where the tile carries none, below the layer's label zoom), as JSON:
{"z/x/y": {"layer": {"extent": 4096, "features": [[mvt_id, id], ...]}}}."""

import gzip
import json
import sys

import mapbox_vector_tile
from pmtiles.reader import MmapSource, Reader, all_tiles

with open(sys.argv[1], "rb") as f:
    source = MmapSource(f)
    header = Reader(source).header()
    out = {"_header": {"max_zoom": header["max_zoom"], "tile_type": str(header["tile_type"])}}
    for (z, x, y), data in all_tiles(source):
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        layers = {}
        for name, layer in mapbox_vector_tile.decode(data).items():
            features = sorted([feat["id"], feat["properties"].get("id", "")] for feat in layer["features"])
            layers[name] = {"extent": layer["extent"], "features": features}
        out[f"{z}/{x}/{y}"] = layers
    json.dump(out, sys.stdout)
