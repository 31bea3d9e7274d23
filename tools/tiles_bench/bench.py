#!/usr/bin/env python3
"""Vector tile benchmark client (tools/tiles_bench/run.sh drives it).

  bench.py http URL_TEMPLATE TILES OUT.json [--per-zoom N]
      one request at a time on one keep-alive connection, {z}/{x}/{y} filled from the list
  bench.py pg DSN SCHEMA LAYERS TILES OUT.json [--per-zoom N]
      the PostGIS peer: one prepared statement per tile (ST_AsMVT over ST_AsMVTGeom of each
      layer's table, concatenated), over one loopback connection
  bench.py pgload DSN SCHEMA DATA_DIR LAYERS
      loads the GeoJSON files of LAYERS (from DATA_DIR/layers.toml) into SCHEMA.<layer> tables
      with the properties our tiles carry, a 3857 geometry and a GiST index
  bench.py fidelity URL_TEMPLATE DSN SCHEMA LAYERS TILES OUT.json [--per-zoom N] [--zooms 6,8]
      rasterises our tile and PostGIS's (unsimplified) tile at 256 px and counts the drawn
      pixels of each that are more than one pixel away from any drawn pixel of the other
  bench.py table OUT.json...      prints the per-zoom summary of result files
  bench.py report OUT_DIR SET...  markdown tables (p50/p99 ms and median bytes per zoom, per peer)

Times are wall-clock around the request (first byte sent to last byte read), in ms.
"""
import http.client
import json
import statistics
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

ZOOMS = (6, 8, 10, 12, 14)
# What our tiles carry for every feature (src/tiles/index.rs MODEL_FIELDS).
MODEL = ("id", "name_zh", "name_en", "status", "accuracy", "provinces")
MAX_TEXT = 64


def read_tiles(path, per_zoom=None):
    out, count = [], {}
    for line in Path(path).read_text().split("\n"):
        if not line.strip():
            continue
        z, x, y = map(int, line.split())
        if per_zoom is not None and count.get(z, 0) >= per_zoom:
            continue
        count[z] = count.get(z, 0) + 1
        out.append((z, x, y))
    return out


def pct(v, p):
    s = sorted(v)
    return s[round((len(s) - 1) * p)]


def summary(rows):
    out = {}
    for z in ZOOMS:
        r = [t for t in rows if t["z"] == z]
        if not r:
            continue
        ms = [t["ms"] for t in r]
        sizes = sorted(t["bytes"] for t in r)
        out[z] = {
            "tiles": len(r),
            "p50_ms": pct(ms, 0.5),
            "p99_ms": pct(ms, 0.99),
            "median_bytes": sizes[(len(sizes) - 1) // 2],
            "max_bytes": sizes[-1],
        }
    return out


def save(out_path, rows, meta):
    s = summary(rows)
    Path(out_path).write_text(json.dumps({"meta": meta, "summary": s, "rows": rows}))
    print_summary(meta.get("name", out_path), s)


def print_summary(name, s):
    print(f"{name}: zoom tiles p50_ms p99_ms median_bytes max_bytes")
    for z, r in s.items():
        print(f"  z{z} {r['tiles']} {r['p50_ms']:.3f} {r['p99_ms']:.3f} {r['median_bytes']} {r['max_bytes']}")
    sys.stdout.flush()


class Http:
    def __init__(self, template):
        u = urlsplit(template)
        self.host, self.port = u.hostname, u.port
        self.path = template[template.index(u.netloc) + len(u.netloc):]
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def get(self, z, x, y):
        path = self.path.format(z=z, x=x, y=y)
        for attempt in (0, 1):
            t = time.perf_counter()
            try:
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                body = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed the idle keep-alive connection: once more on a new one.
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
                if attempt:
                    raise
        ms = (time.perf_counter() - t) * 1e3
        if r.status not in (200, 204):
            raise SystemExit(f"GET {path}: {r.status} {body[:200]!r}")
        if r.getheader("content-encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        return ms, body


def cmd_http(template, tiles, out, per_zoom=None):
    c = Http(template)
    rows = []
    for z, x, y in read_tiles(tiles, per_zoom):
        ms, body = c.get(z, x, y)
        rows.append({"z": z, "x": x, "y": y, "ms": ms, "bytes": len(body)})
    save(out, rows, {"name": template, "kind": "http"})


def tile_sql(schema, layers):
    parts = []
    for layer in layers:
        parts.append(
            f"""coalesce((SELECT ST_AsMVT(q, '{layer}', 4096, 'geom') FROM (
                SELECT id, name_zh, name_en, status, accuracy, provinces, extra,
                       ST_AsMVTGeom(t.geom, b.e, 4096, 64, true) AS geom
                FROM {schema}.{layer} t WHERE t.geom && b.m) q WHERE q.geom IS NOT NULL), '')"""
        )
    return (
        "WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS e,"
        " ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS m) SELECT "
        + " || ".join(parts)
        + " FROM b"
    )


def pg_tile(cur, sql, z, x, y):
    t = time.perf_counter()
    cur.execute(sql, {"z": z, "x": x, "y": y}, prepare=True)
    body = bytes(cur.fetchone()[0])
    return (time.perf_counter() - t) * 1e3, body


def cmd_pg(dsn, schema, layers, tiles, out, per_zoom=None):
    import psycopg

    sql = tile_sql(schema, layers.split(","))
    rows = []
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        for z, x, y in read_tiles(tiles, per_zoom):
            ms, body = pg_tile(cur, sql, z, x, y)
            rows.append({"z": z, "x": x, "y": y, "ms": ms, "bytes": len(body)})
    save(out, rows, {"name": f"postgis {schema}", "kind": "pg"})


def features_of(path):
    """The features of a GeoJSON FeatureCollection; one feature a line is read line by line."""
    with open(path, encoding="utf-8") as f:
        head = f.readline()
        if head.strip() == '{"type":"FeatureCollection","features":[':
            for line in f:
                line = line.rstrip().rstrip(",")
                if line.startswith("{"):
                    yield json.loads(line)
            return
    yield from json.loads(Path(path).read_text(encoding="utf-8"))["features"]


def tile_props(f):
    p = f.get("properties") or {}
    prov = p.get("provinces")
    if isinstance(prov, list):
        prov = ",".join(prov)
    extra = {
        k: v
        for k, v in p.items()
        if k not in MODEL
        and k not in ("point_count", "source")
        and (isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= MAX_TEXT))
    }
    fid = f.get("id", p.get("id"))
    return [str(fid), p.get("name_zh"), p.get("name_en"), p.get("status"), p.get("accuracy"), prov, json.dumps(extra, ensure_ascii=False)]


def cmd_pgload(dsn, schema, data_dir, layers):
    import psycopg

    cat = tomllib.loads((Path(data_dir) / "layers.toml").read_text())
    files = {l["id"]: l["file"] for l in cat["layers"]}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for layer in layers.split(","):
            t0 = time.perf_counter()
            conn.execute(f"DROP TABLE IF EXISTS {schema}.{layer}")
            conn.execute(
                f"CREATE UNLOGGED TABLE {schema}.{layer}_raw (id text, name_zh text, name_en text, status text,"
                " accuracy text, provinces text, extra jsonb, g text)"
            )
            n = 0
            with conn.cursor().copy(f"COPY {schema}.{layer}_raw FROM STDIN") as cp:
                for f in features_of(Path(data_dir) / files[layer]):
                    cp.write_row(tile_props(f) + [json.dumps(f["geometry"])])
                    n += 1
            conn.execute(
                f"CREATE UNLOGGED TABLE {schema}.{layer} AS SELECT id, name_zh, name_en, status, accuracy,"
                " provinces, extra, ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326), 3857)::geometry(Geometry, 3857) AS geom"
                f" FROM {schema}.{layer}_raw"
            )
            conn.execute(f"DROP TABLE {schema}.{layer}_raw")
            conn.execute(f"CREATE INDEX ON {schema}.{layer} USING gist (geom)")
            conn.execute(f"VACUUM ANALYZE {schema}.{layer}")
            print(f"loaded {schema}.{layer}: {n} features in {time.perf_counter() - t0:.1f} s", flush=True)


def draw(tile_bytes, px=256):
    """Our own rasterisation: polygons filled and outlined, lines 1 px, points 1 px; pixel i
    holds the grid positions [i, i + 1) * extent / px (so at 256 px, the 16 grid units of the
    tile's pixel cells)."""
    import mapbox_vector_tile
    import numpy as np
    from PIL import Image, ImageDraw

    img = Image.new("1", (px, px), 0)
    d = ImageDraw.Draw(img)
    if not tile_bytes:
        return np.zeros((px, px), bool)
    layers = mapbox_vector_tile.decode(tile_bytes, default_options={"y_coord_down": True})
    for layer in layers.values():
        k = px / layer.get("extent", 4096)
        for f in layer["features"]:
            g = f["geometry"]
            typ, cs = g["type"], g["coordinates"]
            # Pixel i covers grid units [i, i + 1) / k; Pillow puts pixel i's centre at i.
            sc = lambda ring: [(x * k - 0.5, y * k - 0.5) for x, y in ring]  # noqa: E731
            if typ == "Point":
                d.point(sc([cs]), 1)
            elif typ == "MultiPoint":
                d.point(sc(cs), 1)
            elif typ in ("LineString", "MultiLineString"):
                for line in [cs] if typ == "LineString" else cs:
                    d.line(sc(line), 1, 1)
            elif typ in ("Polygon", "MultiPolygon"):
                for poly in [cs] if typ == "Polygon" else cs:
                    d.polygon(sc(poly[0]), fill=1, outline=1)
                    for hole in poly[1:]:
                        d.polygon(sc(hole), fill=0, outline=1)
    return np.array(img, dtype=bool)


def dilate(a):
    import numpy as np

    p = np.pad(a, 1)
    out = np.zeros_like(a)
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out |= p[dy:dy + a.shape[0], dx:dx + a.shape[1]]
    return out


def cmd_fidelity(template, dsn, schema, layers, tiles, out, per_zoom=None, zooms="6,8"):
    import psycopg

    zs = {int(z) for z in zooms.split(",")}
    sql = tile_sql(schema, layers.split(","))
    c = Http(template)
    rows = []
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        for z, x, y in read_tiles(tiles, per_zoom):
            if z not in zs:
                continue
            _, ours = c.get(z, x, y)
            _, ref = pg_tile(cur, sql, z, x, y)
            a, b = draw(ours), draw(ref)
            rows.append({
                "z": z, "x": x, "y": y,
                "ours_px": int(a.sum()), "ref_px": int(b.sum()),
                "ours_off": int((a & ~dilate(b)).sum()), "ref_off": int((b & ~dilate(a)).sum()),
                "ours_bytes": len(ours), "ref_bytes": len(ref),
            })
    Path(out).write_text(json.dumps(rows))
    for z in sorted(zs):
        r = [t for t in rows if t["z"] == z]
        if not r:
            continue
        print(
            f"z{z}: {len(r)} tiles; drawn px ours {sum(t['ours_px'] for t in r)}, postgis {sum(t['ref_px'] for t in r)};"
            f" ours > 1 px from postgis: {sum(t['ours_off'] for t in r)} px in {sum(t['ours_off'] > 0 for t in r)} tiles;"
            f" postgis > 1 px from ours: {sum(t['ref_off'] for t in r)} px in {sum(t['ref_off'] > 0 for t in r)} tiles;"
            f" median bytes ours {statistics.median(t['ours_bytes'] for t in r):.0f}, postgis {statistics.median(t['ref_bytes'] for t in r):.0f}"
        )


def inproc(path):
    """The per-zoom lines of `tile_bench time`."""
    out = {}
    for line in Path(path).read_text().split("\n"):
        p = line.split()
        if len(p) == 6 and p[0].startswith("z") and p[0][1:].isdigit():
            out[int(p[0][1:])] = {"tiles": int(p[1]), "p50_ms": float(p[2]), "p99_ms": float(p[3]), "median_bytes": int(p[4])}
    return out


def cmd_report(out_dir, sets):
    d = Path(out_dir)
    for name in sets:
        peers = []
        if (d / f"inproc-{name}.txt").exists():
            peers.append(("ours in-process", inproc(d / f"inproc-{name}.txt")))
        for peer, label in (("ours", "ours HTTP"), ("postgis", "PostGIS direct"), ("pgmartin", "PostGIS via martin HTTP"), ("martin", "martin GeoJSON")):
            f = d / f"{peer}-{name}.json"
            if f.exists():
                peers.append((label, {int(k): v for k, v in json.loads(f.read_text())["summary"].items()}))
        print(f"\n{name}\n")
        print("| zoom | " + " | ".join(f"{l} p50 / p99 ms" for l, _ in peers) + " | " + " | ".join(f"{l} median B" for l, _ in peers if l != "ours in-process") + " |")
        print("|---|" + "---:|" * (2 * len(peers) - 1))
        for z in ZOOMS:
            cells, sizes = [], []
            for l, s in peers:
                r = s.get(z)
                cells.append(f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f} (n={r['tiles']})" if r else "—")
                if l != "ours in-process":
                    sizes.append(f"{r['median_bytes']:,}" if r else "—")
            print(f"| z{z} | " + " | ".join(cells) + " | " + " | ".join(sizes) + " |")


def main(argv):
    per_zoom = None
    if "--per-zoom" in argv:
        i = argv.index("--per-zoom")
        per_zoom = int(argv[i + 1])
        del argv[i:i + 2]
    zooms = "6,8"
    if "--zooms" in argv:
        i = argv.index("--zooms")
        zooms = argv[i + 1]
        del argv[i:i + 2]
    cmd, args = argv[0], argv[1:]
    if cmd == "http":
        cmd_http(*args, per_zoom=per_zoom)
    elif cmd == "pg":
        cmd_pg(*args, per_zoom=per_zoom)
    elif cmd == "pgload":
        cmd_pgload(*args)
    elif cmd == "fidelity":
        cmd_fidelity(*args, per_zoom=per_zoom, zooms=zooms)
    elif cmd == "report":
        cmd_report(args[0], args[1:])
    elif cmd == "table":
        for p in args:
            d = json.loads(Path(p).read_text())
            print_summary(d["meta"]["name"], {int(k): v for k, v in d["summary"].items()})
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
