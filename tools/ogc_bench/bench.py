#!/usr/bin/env python3
"""OGC API – Features benchmark client (tools/ogc_bench/run.sh drives it). Works against any
server of OGC API – Features Part 1: it only asks `{BASE}/collections/{id}/items`.

  bench.py boxes DATA_DIR OUT.json [--n N] [--seed S] [--size DEG]
      the set's extent (union of its layer files, read from DATA_DIR/layers.toml) and two seeded
      lists of N boxes of DEG x DEG degrees (0.05) inside it: "uniform" (the lower-left corner
      uniform over the extent) and "on-data" (centred on a random position of a random feature)
  bench.py pygeoapi-config DATA_DIR PORT OUT.yml [BOXES.json]
      pygeoapi's configuration: one collection per layer file (its GeoJSON provider, id_field id),
      limits default 10 / max 10000, logging ERROR, server.url http://127.0.0.1:PORT
  bench.py bbox BASE BOXES.json OUT.json --collections A,B,C [--kinds uniform,on-data] [--n N]
               [--limit 100] [--timeout S] [--name NAME]
      for each kind, box and collection: GET BASE/collections/C/items?bbox=...&limit=L, one
      request at a time on one keep-alive connection; records time, status, content type,
      numberMatched, numberReturned and features; a request slower than S seconds is a time-out
  bench.py pages BASE COLLECTION OUT.json [--reps R] [--chain K] [--limit 100] [--name NAME]
      the first page (offset 0) against the last (offset numberMatched - limit), R times each,
      interleaved; then K pages followed by their `next` links from offset numberMatched - K*limit
  bench.py paths BOXES.json COLLECTIONS PREFIX OUT.txt [--kinds ...] [--limit 100]
      the bbox requests as paths, one a line, for wrk (tools/tiles_bench/tiles.lua)
  bench.py report RAW_DIR [SUMMARY_DIR]
      markdown tables of the result files in RAW_DIR (ours beside pygeoapi, the ratio of p50s,
      whether numberMatched agrees); writes their summaries, without the rows, to SUMMARY_DIR

Times are wall-clock around the request (first byte sent to last body byte read), in ms. The
request asks `Accept: application/geo+json` and no compression.
"""
import http.client
import json
import random
import socket
import statistics
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import urlencode, urlsplit

HEADERS = {"Accept": "application/geo+json", "Accept-Encoding": "identity"}


def pct(v, p):
    s = sorted(v)
    return s[round((len(s) - 1) * p)] if s else None


def stats(ms):
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p95_ms": pct(ms, 0.95), "mean_ms": statistics.fmean(ms), "max_ms": max(ms)}


def args_opt(argv, name, default=None, cast=str):
    if name in argv:
        i = argv.index(name)
        v = argv[i + 1]
        del argv[i:i + 2]
        return cast(v)
    return default


# ---- data -----------------------------------------------------------------------------------
def layer_files(data_dir):
    cat = tomllib.loads((Path(data_dir) / "layers.toml").read_text())
    return [(l["id"], Path(data_dir) / l["file"]) for l in cat["layers"]]


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


def positions(g):
    t, c = g["type"], g["coordinates"]
    if t == "Point":
        return [c]
    if t in ("MultiPoint", "LineString"):
        return c
    if t in ("MultiLineString", "Polygon"):
        return [p for part in c for p in part]
    if t == "MultiPolygon":
        return [p for poly in c for ring in poly for p in ring]
    raise ValueError(f"geometry type {t} not handled")


def cmd_boxes(data_dir, out, n=200, seed=12, size=0.05):
    rng = random.Random(seed)
    xmin = ymin = float("inf")
    xmax = ymax = float("-inf")
    # One position per feature, drawn as the file is read (the file order is fixed, so the draw is).
    picks = []
    counts = {}
    for layer, path in layer_files(data_dir):
        k = 0
        for f in features_of(path):
            ps = positions(f["geometry"])
            for x, y in ps:
                xmin, xmax, ymin, ymax = min(xmin, x), max(xmax, x), min(ymin, y), max(ymax, y)
            picks.append(tuple(ps[rng.randrange(len(ps))]))
            k += 1
        counts[layer] = k
    r6 = lambda v: round(v, 6)  # noqa: E731
    uniform, on_data = [], []
    for _ in range(n):
        x = rng.uniform(xmin, xmax - size)
        y = rng.uniform(ymin, ymax - size)
        uniform.append([r6(x), r6(y), r6(x + size), r6(y + size)])
    for _ in range(n):
        cx, cy = picks[rng.randrange(len(picks))]
        x = min(max(cx - size / 2, xmin), xmax - size)
        y = min(max(cy - size / 2, ymin), ymax - size)
        on_data.append([r6(x), r6(y), r6(x + size), r6(y + size)])
    doc = {
        "data": str(data_dir),
        "features": counts,
        "extent": [xmin, ymin, xmax, ymax],
        "seed": seed,
        "size_deg": size,
        "boxes": {"uniform": uniform, "on-data": on_data},
    }
    Path(out).write_text(json.dumps(doc, indent=1))
    print(f"{data_dir}: {sum(counts.values())} features {counts}, extent {doc['extent']}, {n} + {n} boxes of {size} deg")


def cmd_pygeoapi_config(data_dir, port, out, boxes=None):
    import yaml  # pygeoapi's own dependency

    # The collections' advertised extent: the set's, from the boxes file, else the world.
    xmin, ymin, xmax, ymax = json.loads(Path(boxes).read_text())["extent"] if boxes else (-180, -90, 180, 90)
    resources = {}
    for layer, path in layer_files(data_dir):
        resources[layer] = {
            "type": "collection",
            "title": layer,
            "description": f"{layer} ({path.name})",
            "keywords": ["synthetic"],
            "extents": {"spatial": {"bbox": [xmin, ymin, xmax, ymax], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": "GeoJSON", "data": str(path.resolve()), "id_field": "id"}],
        }
    cfg = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": int(port)},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "language": "en-US",
            "pretty_print": False,
            # The defaults are 10 / 10: limit=100 would silently be cut to 10.
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "ogc_bench peer", "description": "pygeoapi on the synthetic sets", "keywords": ["benchmark"], "keywords_type": "theme", "terms_of_service": "none", "url": "http://127.0.0.1"},
            # The OpenAPI generator reads these urls although the schema does not require them.
            "license": {"name": "CC0-1.0", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
            "provider": {"name": "Yuqian Map benchmarks", "url": "http://127.0.0.1"},
            "contact": {"name": "Yuqian Map benchmarks", "url": "http://127.0.0.1"},
        },
        "resources": resources,
    }
    Path(out).write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))


# ---- the client -----------------------------------------------------------------------------
class Client:
    def __init__(self, base, timeout):
        u = urlsplit(base)
        self.host, self.port, self.prefix = u.hostname, u.port, u.path.rstrip("/")
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"{base}: only loopback servers are benchmarked")
        self.timeout = timeout
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def get(self, path):
        """(ms, status, headers, body) or (ms, None, None, error text)."""
        if self.conn is None:
            self._connect()
        for attempt in (0, 1):
            t = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=HEADERS)
                r = self.conn.getresponse()
                body = r.read()
                ms = (time.perf_counter() - t) * 1e3
                if r.getheader("connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return ms, r.status, r, body
            except (socket.timeout, TimeoutError):
                ms = (time.perf_counter() - t) * 1e3
                self.conn.close()
                self.conn = None
                return ms, None, None, f"time-out after {self.timeout:.0f} s"
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.IncompleteRead) as e:
                ms = (time.perf_counter() - t) * 1e3
                self.conn.close()
                self._connect()
                # Once more on a new connection: the server may have closed an idle keep-alive one.
                # A second failure is the server's (a worker killed, out of memory, ...).
                if attempt:
                    self.conn = None
                    return ms, None, None, f"{type(e).__name__}: {e}"


def items_path(prefix, collection, params):
    return f"{prefix}/collections/{collection}/items?{urlencode(params, safe=',')}"


def parse_page(status, resp, body):
    row = {"status": status, "bytes": len(body)}
    if resp is not None:
        row["content_type"] = resp.getheader("content-type")
    if status == 200:
        try:
            doc = json.loads(body)
            row["numberMatched"] = doc.get("numberMatched")
            row["numberReturned"] = doc.get("numberReturned")
            row["features"] = len(doc.get("features") or [])
            nxt = [l["href"] for l in doc.get("links", []) if l.get("rel") == "next"]
            row["next"] = nxt[0] if nxt else None
        except ValueError as e:
            row["error"] = f"not JSON: {e}"
    else:
        row["error"] = body[:300].decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return row


def cmd_bbox(base, boxes, out, collections, kinds="uniform,on-data", n=None, limit=100, timeout=120.0, name=None):
    doc = json.loads(Path(boxes).read_text())
    c = Client(base, timeout)
    rows = []
    t_start = time.time()
    for kind in kinds.split(","):
        for i, b in enumerate(doc["boxes"][kind][:n]):
            for coll in collections.split(","):
                bbox = ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in b)
                ms, status, resp, body = c.get(items_path(c.prefix, coll, {"bbox": bbox, "limit": limit}))
                row = {"kind": kind, "box": i, "collection": coll, "ms": ms}
                row.update(parse_page(status, resp, body))
                row.pop("next", None)
                rows.append(row)
                if status != 200:
                    print(f"  {coll} box {kind}#{i}: {row.get('status')} {row.get('error', '')[:120]} ({ms:.0f} ms)", file=sys.stderr, flush=True)
    meta = {"name": name or base, "base": base, "boxes": str(boxes), "limit": limit, "timeout_s": timeout,
            "n": n, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t_start)), "wall_s": time.time() - t_start}
    s = summarise_bbox(rows)
    Path(out).write_text(json.dumps({"meta": meta, "summary": s, "rows": rows}))
    print_bbox(meta["name"], s)


def summarise_bbox(rows):
    out = {}
    groups = {}
    for r in rows:
        for key in (f"{r['kind']}/{r['collection']}", f"{r['kind']}/all"):
            groups.setdefault(key, []).append(r)
    for key, rs in groups.items():
        ok = [r for r in rs if r["status"] == 200]
        s = stats([r["ms"] for r in ok])
        s["requests"] = len(rs)
        s["errors"] = len(rs) - len(ok)
        s["error_kinds"] = sorted({(str(r.get("status")) + " " + r.get("error", "")[:80]) for r in rs if r["status"] != 200})
        s["content_types"] = sorted({r.get("content_type") or "-" for r in ok})
        if ok:
            s["mean_matched"] = statistics.fmean(r.get("numberMatched") or 0 for r in ok)
            s["mean_returned"] = statistics.fmean(r["features"] for r in ok)
            s["full_pages"] = sum(r["features"] >= 100 for r in ok)
            s["median_bytes"] = pct([r["bytes"] for r in ok], 0.5)
        out[key] = s
    return out


def print_bbox(name, s):
    print(f"{name}: kind/collection requests errors p50_ms p95_ms mean_ms mean_returned")
    for key, r in s.items():
        if r["n"]:
            print(f"  {key} {r['requests']} {r['errors']} {r['p50_ms']:.2f} {r['p95_ms']:.2f} {r['mean_ms']:.2f} {r['mean_returned']:.1f}")
        else:
            print(f"  {key} {r['requests']} {r['errors']} - - - -  {r['error_kinds']}")
    sys.stdout.flush()


def cmd_pages(base, collection, out, reps=50, chain=20, limit=100, timeout=120.0, name=None):
    c = Client(base, timeout)
    ms, status, resp, body = c.get(items_path(c.prefix, collection, {"limit": limit}))
    first = parse_page(status, resp, body)
    if status != 200 or first.get("numberMatched") is None:
        raise SystemExit(f"{base} {collection}: first page {status}, numberMatched {first.get('numberMatched')}: {first.get('error', '')}")
    matched = first["numberMatched"]
    last_offset = max(0, matched - limit)
    rows = []
    for _ in range(reps):
        for which, offset in (("first", 0), ("last", last_offset)):
            ms, status, resp, body = c.get(items_path(c.prefix, collection, {"limit": limit, "offset": offset}))
            r = parse_page(status, resp, body)
            r.update({"which": which, "offset": offset, "ms": ms})
            rows.append(r)
    # Follow `next` from K pages before the end: each href as the server wrote it.
    start = max(0, matched - chain * limit)
    path = items_path(c.prefix, collection, {"limit": limit, "offset": start})
    hops = []
    for k in range(chain + 1):
        ms, status, resp, body = c.get(path)
        r = parse_page(status, resp, body)
        r.update({"which": "next", "hop": k, "path": path, "ms": ms})
        hops.append(r)
        if status != 200 or not r.get("next"):
            break
        u = urlsplit(r["next"])
        path = u.path + ("?" + u.query if u.query else "")
    rows += hops
    last = [r for r in rows if r["which"] == "last"]
    summary = {
        "numberMatched": matched,
        "last_offset": last_offset,
        "first": stats([r["ms"] for r in rows if r["which"] == "first" and r["status"] == 200]),
        "last": stats([r["ms"] for r in last if r["status"] == 200]),
        "next": stats([r["ms"] for r in hops if r["hop"] > 0 and r["status"] == 200]),
        "last_returned": sorted({r.get("numberReturned") for r in last}, key=str),
        "last_has_next": any(r.get("next") for r in last),
        "next_hops": len(hops) - 1,
        "next_chain_ended_without_next": bool(hops) and hops[-1]["status"] == 200 and not hops[-1].get("next"),
        "next_chain_returned": [r.get("numberReturned") for r in hops],
        "errors": sum(r["status"] != 200 for r in rows),
        "first_next_href": first.get("next"),
    }
    meta = {"name": name or base, "base": base, "collection": collection, "limit": limit, "reps": reps, "chain": chain,
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    Path(out).write_text(json.dumps({"meta": meta, "summary": summary, "rows": rows}))
    print(f"{meta['name']} {collection}: numberMatched {matched}")
    for k in ("first", "last", "next"):
        s = summary[k]
        if s["n"]:
            print(f"  {k:5} n={s['n']} p50 {s['p50_ms']:.2f} p95 {s['p95_ms']:.2f} mean {s['mean_ms']:.2f} ms")
    print(f"  last page returned {summary['last_returned']}, has next: {summary['last_has_next']}; next chain {summary['next_hops']} hops, ended without next: {summary['next_chain_ended_without_next']}; errors {summary['errors']}")


def cmd_paths(boxes, collections, prefix, out, kinds="uniform,on-data", limit=100):
    doc = json.loads(Path(boxes).read_text())
    lines = []
    for kind in kinds.split(","):
        for b in doc["boxes"][kind]:
            bbox = ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in b)
            for coll in collections.split(","):
                lines.append(items_path(prefix.rstrip("/"), coll, {"bbox": bbox, "limit": limit}))
    Path(out).write_text("\n".join(lines) + "\n")


# ---- report ---------------------------------------------------------------------------------
def fmt(v, d=2):
    return "—" if v is None else (f"{v:,.0f}" if v >= 1000 else f"{v:.{d}f}")


def load_bbox(d, n, peer):
    f = Path(d) / f"bbox-synth-{n}-{peer}.json"
    return json.loads(f.read_text()) if f.exists() else None


def matched_agreement(a, b):
    """Boxes asked of both servers: how many got the same numberMatched (and the others)."""
    ma = {(r["kind"], r["box"], r["collection"]): r.get("numberMatched") for r in a["rows"] if r["status"] == 200}
    same, diff = 0, []
    for r in b["rows"]:
        k = (r["kind"], r["box"], r["collection"])
        if r["status"] == 200 and k in ma:
            if ma[k] == r.get("numberMatched"):
                same += 1
            else:
                diff.append((k, ma[k], r.get("numberMatched")))
    return same, diff


def cmd_report(raw_dir, summary_dir=None):
    d = Path(raw_dir)
    sizes = sorted({int(f.name.split("-")[2]) for f in d.glob("bbox-synth-*-*.json")})
    for n in sizes:
        ours, peer = load_bbox(d, n, "ours"), load_bbox(d, n, "pygeoapi")
        print(f"\n### synth-{n}: items?bbox=(0.05 x 0.05 deg)&limit=100, one request at a time\n")
        # Ours again on the boxes pygeoapi got (the first of each list): the ratio is taken there.
        same = None
        if ours and peer:
            asked = {(r["kind"], r["box"], r["collection"]) for r in peer["rows"]}
            same = summarise_bbox([r for r in ours["rows"] if (r["kind"], r["box"], r["collection"]) in asked])
        print("| boxes / collection | ours n | ours p50 / p95 / mean ms | ours on pygeoapi's boxes: n, p50 ms | pygeoapi n (errors) | pygeoapi p50 / p95 / mean ms | p50 ratio pygeoapi / ours, same boxes | features returned (mean): ours / pygeoapi, same boxes |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        keys = list((ours or peer)["summary"].keys())
        keys.sort(key=lambda k: (k.split("/")[0] != "uniform", k.endswith("/all"), k))
        for key in keys:
            o = ours["summary"].get(key) if ours else None
            p = peer["summary"].get(key) if peer else None
            q = same.get(key) if same else None
            cell = lambda s: f"{fmt(s.get('p50_ms'))} / {fmt(s.get('p95_ms'))} / {fmt(s.get('mean_ms'))}" if s and s["n"] else "to be measured" if s is None else "—"  # noqa: E731
            ratio = f"{p['p50_ms'] / q['p50_ms']:,.0f}x" if q and p and q["n"] and p["n"] else "—"
            qcell = f"{q['n']}, {fmt(q['p50_ms'])}" if q and q["n"] else "—"
            ret = " / ".join(fmt(s.get("mean_returned"), 1) for s in (q, p) if s and s["n"])
            print(f"| {key} | {o['requests'] if o else '—'} | {cell(o)} | {qcell} | {p['requests'] if p else '—'} ({p['errors'] if p else '—'}) | {cell(p)} | {ratio} | {ret} |")
        for name, doc in (("ours", ours), ("pygeoapi", peer)):
            if doc:
                s = doc["summary"]
                cts = sorted({c for v in s.values() for c in v["content_types"]})
                errs = sorted({e for v in s.values() for e in v["error_kinds"]})
                print(f"\n{name}: {doc['meta']['started']}, {doc['meta']['wall_s']:.0f} s; content types {cts}; errors {errs or 'none'}")
        if ours and peer:
            same, diff = matched_agreement(peer, ours)
            print(f"numberMatched equal on {same} of {same + len(diff)} requests asked of both" + (f"; differing (box, pygeoapi, ours): {diff[:10]}" if diff else ""))
    for f in sorted(d.glob("pages-*.json")):
        doc = json.loads(f.read_text())
        s = doc["summary"]
        print(f"\n### {doc['meta']['name']}: first and last page of {doc['meta']['collection']} (numberMatched {s['numberMatched']:,}, limit {doc['meta']['limit']})\n")
        print("| page | n | p50 ms | p95 ms | mean ms |")
        print("|---|---:|---:|---:|---:|")
        for k, label in (("first", "offset 0"), ("last", f"offset {s['last_offset']:,}"), ("next", f"`next` links followed from offset {max(0, s['numberMatched'] - doc['meta']['chain'] * doc['meta']['limit']):,}")):
            r = s[k]
            print(f"| {label} | {r['n']} | {fmt(r.get('p50_ms'))} | {fmt(r.get('p95_ms'))} | {fmt(r.get('mean_ms'))} |")
        print(f"\nlast page returned {s['last_returned']} features, has a next link: {s['last_has_next']}; the next chain took {s['next_hops']} hops and ended without a next link: {s['next_chain_ended_without_next']}; errors {s['errors']}; first page's next: {s['first_next_href']}")
    if summary_dir:
        # The committed copies: everything but the per-request rows.
        for f in list(d.glob("bbox-*.json")) + list(d.glob("pages-*.json")):
            doc = json.loads(f.read_text())
            doc.pop("rows", None)
            if f.name.startswith("pages-"):
                doc["summary"].pop("next_chain_returned", None)
            (Path(summary_dir) / f.name).write_text(json.dumps(doc, indent=1) + "\n")


def main(argv):
    cmd, argv = argv[0], argv[1:]
    if cmd == "boxes":
        n = args_opt(argv, "--n", 200, int)
        seed = args_opt(argv, "--seed", 12, int)
        size = args_opt(argv, "--size", 0.05, float)
        cmd_boxes(*argv, n=n, seed=seed, size=size)
    elif cmd == "pygeoapi-config":
        cmd_pygeoapi_config(*argv)
    elif cmd == "bbox":
        kw = dict(
            collections=args_opt(argv, "--collections"),
            kinds=args_opt(argv, "--kinds", "uniform,on-data"),
            n=args_opt(argv, "--n", None, int),
            limit=args_opt(argv, "--limit", 100, int),
            timeout=args_opt(argv, "--timeout", 120.0, float),
            name=args_opt(argv, "--name"),
        )
        cmd_bbox(*argv, **kw)
    elif cmd == "pages":
        kw = dict(
            reps=args_opt(argv, "--reps", 50, int),
            chain=args_opt(argv, "--chain", 20, int),
            limit=args_opt(argv, "--limit", 100, int),
            timeout=args_opt(argv, "--timeout", 120.0, float),
            name=args_opt(argv, "--name"),
        )
        cmd_pages(*argv, **kw)
    elif cmd == "paths":
        kinds = args_opt(argv, "--kinds", "uniform,on-data")
        limit = args_opt(argv, "--limit", 100, int)
        cmd_paths(*argv, kinds=kinds, limit=limit)
    elif cmd == "report":
        cmd_report(*argv)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1:])
