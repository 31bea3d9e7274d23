"""Checks /api/openapi.json with a real OpenAPI validator (openapi-core, with
openapi-spec-validator), run by tests/api_openapi.rs against live servers.

1. The document in the source tree is a valid OpenAPI 3.0.3 document whose every `$ref` is
   local, and the served one is the same but for `servers`, which is the `public_url` setting.
2. Real exchanges with the servers, for every documented operation and for every status it
   documents that can be provoked from outside, are validated against the served document:
   every response must match the document; a request the server accepts must be valid by the
   document; and a request that breaks a bound or a type the document states (one past a
   maximum, a value not in an enum, a required field missing) must be invalid by the document
   too, so the document's bounds are the handlers' bounds.
3. Every documented (operation, status) is exercised, or listed in UNPROVOKED with the reason.

Usage: validate_api.py --doc FILE --main URL --public-url URL --write-token T --admin-token T
       --data-dir DIR --budget URL --limited URL
(main: the server under test with tokens; budget: one with a 1 ms time budget; limited: one
with a rate limit of 1 heavy request a minute for loopback too.) Prints a summary on success;
on failure, every mismatch, and exits 1.
"""

import argparse
import http.client
import json
import os
import sys
import urllib.parse

import xml.etree.ElementTree as ElementTree

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_spec_validator import validate as validate_spec

# (path template, method, status) that no request from outside can provoke, and why.
UNPROVOKED_REASONS = {
    500: "a healthy server gives no internal error to any request (tests/http_hygiene.rs provokes one by breaking the database under the router)",
    "not_ready": "the servers are ready before the test starts; a 503 not_ready needs a server still loading its first snapshot",
    "no_database": "the binary always opens its loop database",
    "no_source": "the binary always has a data folder to reload from",
    "forbidden": "every client of the test is on loopback, where the admin guard lets requests through",
    "busy": "this work ignores the time budget, so its only 503 is busy, which needs a full heavy queue (tests/operations.rs fills one); the body is the one over_budget answers check",
}

# Operations whose 503 is only not_ready (or, for loops reads, no_database).
NOT_READY_ONLY = {
    ("/api/layers", "get"), ("/api/features/mvt/{id}", "get"), ("/api/features/{id}", "get"),
    ("/api/style", "get"), ("/api/annotations", "get"), ("/api/loops/presets", "get"),
    ("/tiles/{layers}.json", "get"),
}
NO_DATABASE_ONLY = {
    ("/api/loops", "get"), ("/api/loops/{id}", "get"), ("/api/loops/{id}", "delete"),
    ("/api/loops/{id}.gpx", "get"), ("/api/loops/{id}.geojson", "get"),
}
BUSY_ONLY = {("/api/region", "get"), ("/api/crossings", "get")}


def unprovoked(path, method, status):
    """Why (path, method, status) is not exercised, or None if it must be."""
    if status == 500:
        return UNPROVOKED_REASONS[500]
    if path == "/health/ready" and status == 503:
        return UNPROVOKED_REASONS["not_ready"]
    if status == 503:
        if (path, method) in NOT_READY_ONLY:
            return UNPROVOKED_REASONS["not_ready"]
        if (path, method) in NO_DATABASE_ONLY:
            return UNPROVOKED_REASONS["no_database"]
        if (path, method) in BUSY_ONLY:
            return UNPROVOKED_REASONS["busy"]
    if status == 409 and path == "/admin/reload":
        return UNPROVOKED_REASONS["no_source"]
    if status == 403 and path == "/metrics":
        return UNPROVOKED_REASONS["forbidden"]
    return None


def gpx_loads(value, **parameters):
    """GPX as the text the document says it is, once it has parsed as XML."""
    ElementTree.fromstring(value)
    return value.decode(parameters.get("charset", "utf-8"))


# openapi-core deserializes only the media types it knows by name: JSON by `application/json`,
# not by a `+json` suffix. These are the other two the API sends.
MEDIA_TYPES = {
    "application/geo+json": lambda value, **parameters: json.loads(value),
    "application/gpx+xml": gpx_loads,
}


class Server:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port


class Checker:
    def __init__(self, spec, public_url):
        self.openapi = OpenAPI.from_dict(spec, config=Config(extra_media_type_deserializers=MEDIA_TYPES))
        u = urllib.parse.urlsplit(public_url)
        self.public_origin = f"{u.scheme}://{u.netloc}"
        self.public_prefix = u.path.rstrip("/")
        self.failures = []
        self.covered = set()
        self.count = 0

    def fail(self, name, message):
        self.failures.append(f"{name}: {message}")

    def send(self, server, method, path, query=(), headers=None, body=None):
        """One exchange on a new connection: (status, headers as a dict, body bytes)."""
        target = path + ("?" + urllib.parse.urlencode(list(query)) if query else "")
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        try:
            conn.request(method.upper(), target, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def check(self, name, server, op, method, path, query=(), headers=None, json_body=None,
              raw_body=None, status=200, request_valid=True):
        """Sends the request, checks the status, and validates the pair against the document.

        `op` is the documented path template the request must resolve to; `request_valid` is
        True (the document must accept the request), False (it must refuse it) or None (either:
        the server refuses what the document cannot know, such as an unknown layer id)."""
        self.count += 1
        headers = dict(headers or {})
        body = raw_body
        if json_body is not None:
            body = json.dumps(json_body).encode()
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
        got, resp_headers, data = self.send(server, method, path, query, headers, body)
        if got != status:
            self.fail(name, f"{method.upper()} {path} {list(query)} answered {got}, expected {status}: {data[:300]!r}")
            return None
        request = MockRequest(
            self.public_origin,
            method,
            self.public_prefix + path,
            args=list(query),
            headers=headers,
            data=body,
            content_type=headers.get("Content-Type", ""),
        )
        try:
            # openapi-core's own path finder (private, but the version is pinned): the request
            # must resolve to the operation the case is about. (It tries templates with the same
            # number of variables in document order, so `/api/loops/{id}.gpx` must come before
            # `/api/loops/{id}` in the document, or `1.gpx` would be taken for an id.)
            found = self.openapi.request_validator._find_path(request)
            if found.path_result.pattern != op:
                self.fail(name, f"the validator resolved {path} to {found.path_result.pattern}, not {op}")
                return None
        except Exception as e:  # noqa: BLE001 - any failure to resolve is a finding
            self.fail(name, f"the validator found no operation for {method.upper()} {path}: {e}")
            return None
        try:
            self.openapi.validate_request(request)
            request_error = None
        except Exception as e:  # noqa: BLE001
            request_error = e
        if request_valid is True and request_error is not None:
            self.fail(name, f"the server answered {got} but the document refuses the request: {describe(request_error)}")
        if request_valid is False and request_error is None:
            self.fail(name, f"the server answered {got} but the document accepts the request")
        if 200 <= got < 300 and request_error is not None and request_valid is not True:
            self.fail(name, f"the server accepted ({got}) a request the document refuses: {describe(request_error)}")
        content_type = resp_headers.get("content-type", "")
        response = MockResponse(data, status_code=got, headers=resp_headers, content_type=content_type)
        try:
            self.openapi.validate_response(request, response)
        except Exception as e:  # noqa: BLE001
            self.fail(name, f"the {got} answer does not match the document: {describe(e)}\n    body: {data[:400]!r}")
        self.covered.add((op, method.lower(), got))
        if content_type.startswith("application/json") or content_type.startswith("application/geo+json"):
            return {"status": got, "headers": resp_headers, "json": json.loads(data)}
        return {"status": got, "headers": resp_headers, "body": data}


def describe(e):
    """The exception and the schema errors under it, on one line each."""
    parts = [f"{type(e).__name__}: {e}"]
    seen = set()
    stack = [e]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        for attr in ("schema_errors", "errors"):
            for sub in getattr(x, attr, None) or []:
                parts.append(f"{type(sub).__name__}: {getattr(sub, 'message', sub)}")
                stack.append(sub)
        for attr in ("__cause__", "__context__"):
            sub = getattr(x, attr, None)
            if sub is not None:
                parts.append(f"{type(sub).__name__}: {sub}")
                stack.append(sub)
    return " | ".join(p if len(p) < 400 else p[:400] + "…" for p in parts[:8])


def local_refs_only(node, where="#"):
    bad = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and not v.startswith("#/components/"):
                bad.append(f"{where}: {v}")
            else:
                bad.extend(local_refs_only(v, f"{where}/{k}"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            bad.extend(local_refs_only(v, f"{where}/{i}"))
    return bad


def documented_statuses(spec):
    out = set()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "delete", "patch", "head", "options", "trace"):
                for status in operation["responses"]:
                    out.add((path, method, int(status)))
    return out


def main():
    ap = argparse.ArgumentParser()
    for flag in ("--doc", "--main", "--public-url", "--write-token", "--admin-token", "--data-dir", "--budget", "--limited"):
        ap.add_argument(flag, required=True)
    args = ap.parse_args()

    with open(args.doc, encoding="utf-8") as f:
        source = json.load(f)
    validate_spec(source)
    bad_refs = local_refs_only(source)
    if bad_refs:
        print("references that are not local:\n" + "\n".join(bad_refs), file=sys.stderr)
        return 1

    main_server = Server(args.main)
    c0 = Checker(source, "http://127.0.0.1:8080")
    status, headers, data = c0.send(main_server, "get", "/api/openapi.json")
    assert status == 200, (status, data)
    served = json.loads(data)
    validate_spec(served)
    failures = []
    if served["servers"] != [{"url": args.public_url}]:
        failures.append(f"servers is {served['servers']}, not the public_url {args.public_url}")
    if {k: v for k, v in served.items() if k != "servers"} != {k: v for k, v in source.items() if k != "servers"}:
        failures.append("the served document differs from src/http/openapi/api.json beyond servers")

    c = Checker(served, args.public_url)
    c.failures.extend(failures)
    run_cases(c, main_server, Server(args.budget), Server(args.limited), args)

    missing = []
    for path, method, status in sorted(documented_statuses(served)):
        if (path, method, status) in c.covered:
            continue
        if unprovoked(path, method, status) is None:
            missing.append(f"{method.upper()} {path} {status}")
    if missing:
        c.failures.append("documented answers no case exercised (add a case or a reason in UNPROVOKED_REASONS):\n    " + "\n    ".join(missing))
    undocumented = sorted(x for x in c.covered if x not in documented_statuses(served))
    if undocumented:
        c.failures.append(f"answers the document does not list: {undocumented}")

    if c.failures:
        print(f"{len(c.failures)} mismatch(es) in {c.count} exchanges:", file=sys.stderr)
        for f in c.failures:
            print(" - " + f, file=sys.stderr)
        return 1
    skipped = sorted(documented_statuses(served) - c.covered)
    print(json.dumps({
        "exchanges": c.count,
        "covered": len(c.covered),
        "unprovoked": [f"{m.upper()} {p} {s}: {unprovoked(p, m, s)}" for p, m, s in skipped],
    }, ensure_ascii=False, indent=1))
    return 0


def run_cases(c, main, budget, limited, args):
    """Every case, server by server."""
    wt = {"Authorization": f"Bearer {args.write_token}"}
    at = {"Authorization": f"Bearer {args.admin_token}"}
    evil = {"Origin": "http://evil.example"}
    line = {"type": "LineString", "coordinates": [[106.6, 29.0], [106.8, 28.3]]}
    plan = {"stops": ["town-ganshui", "town-tongzi", [106.8, 28.6]]}

    def data_read(name, op, path, query=()):
        """200 with an ETag, then 304 for If-None-Match with it; returns the 200's body."""
        r = c.check(name, main, op, "get", path, query)
        if r is None:
            return None
        tag = r["headers"].get("etag")
        if not tag:
            c.fail(name, "no ETag on a data read")
            return r
        c.check(name + " (If-None-Match)", main, op, "get", path, query, headers={"If-None-Match": tag}, status=304)
        return r

    def unknown_parameter(name, op, method, path, **kw):
        # OpenAPI cannot forbid extra query parameters, so the document accepts the request.
        c.check(name + " with an unknown parameter", main, op, method, path, [("nope", "1")],
                status=400, request_valid=None, **kw)

    # -- meta and catalogue --
    r = data_read("openapi", "/api/openapi.json", "/api/openapi.json")
    unknown_parameter("openapi", "/api/openapi.json", "get", "/api/openapi.json")
    data_read("layers", "/api/layers", "/api/layers")
    unknown_parameter("layers", "/api/layers", "get", "/api/layers")

    op = "/api/features"
    data_read("features", op, op, [("bbox", "106.5,28.5,107,29.1"), ("layers", "railways,highways"), ("status", "planned,existing"), ("province", "guizhou")])
    data_read("features, whole world", op, op, [("limit", "10000"), ("offset", "3")])
    c.check("features, limit over the maximum", main, op, "get", op, [("limit", "10001")], status=400, request_valid=False)
    c.check("features, negative offset", main, op, "get", op, [("offset", "-1")], status=400, request_valid=False)
    c.check("features, 3-number bbox", main, op, "get", op, [("bbox", "106,28,107")], status=400, request_valid=False)
    c.check("features, bbox out of range", main, op, "get", op, [("bbox", "106,28,181,29")], status=400, request_valid=False)
    c.check("features, min > max", main, op, "get", op, [("bbox", "107,28,106,29")], status=400, request_valid=None)
    c.check("features, unknown status", main, op, "get", op, [("status", "built")], status=400, request_valid=False)
    c.check("features, unknown province", main, op, "get", op, [("province", "sichuan")], status=400, request_valid=False)
    c.check("features, unknown layer", main, op, "get", op, [("layers", "canals")], status=400, request_valid=None)
    c.check("features, malformed layer id", main, op, "get", op, [("layers", "Rail-ways")], status=400, request_valid=False)
    unknown_parameter("features", op, "get", op)

    data_read("feature by id", "/api/features/{id}", "/api/features/rail-chuanqian")
    c.check("feature by id, unknown", main, "/api/features/{id}", "get", "/api/features/no-such", status=404)
    mvt_id = None
    tj = c.check("tilejson for the mvt id", main, "/tiles/{layers}.json", "get", "/tiles/railways,towns.json")
    tile = c.check("a tile", main, "/tiles/{layers}/{z}/{x}/{y}.mvt", "get", "/tiles/railways,towns/6/50/26.mvt")
    mvt_id = first_mvt_id(tile["body"]) if tile else None
    if mvt_id is None:
        c.fail("mvt id", "could not read a feature id out of the tile")
    else:
        data_read("feature by mvt id", "/api/features/mvt/{id}", f"/api/features/mvt/{mvt_id}")
    c.check("feature by mvt id, not a number", main, "/api/features/mvt/{id}", "get", "/api/features/mvt/rail", status=400, request_valid=False)
    c.check("feature by mvt id, unknown", main, "/api/features/mvt/{id}", "get", "/api/features/mvt/1", status=404)

    op = "/api/search"
    data_read("search", op, op, [("q", "綦江"), ("limit", "200"), ("layers", "towns,counties"), ("status", "existing"), ("province", "chongqing")])
    c.check("search, 100 characters", main, op, "get", op, [("q", "x" * 100)])
    c.check("search, 101 characters", main, op, "get", op, [("q", "x" * 101)], status=400, request_valid=False)
    c.check("search, no q", main, op, "get", op, status=400, request_valid=False)
    c.check("search, empty q", main, op, "get", op, [("q", "")], status=400, request_valid=False)
    c.check("search, blank q", main, op, "get", op, [("q", "   ")], status=400, request_valid=None)
    c.check("search, limit over the maximum", main, op, "get", op, [("q", "a"), ("limit", "201")], status=400, request_valid=False)
    unknown_parameter("search", op, "get", op)

    # -- drawing --
    data_read("style", "/api/style", "/api/style")
    unknown_parameter("style", "/api/style", "get", "/api/style")
    data_read("annotations", "/api/annotations", "/api/annotations")
    unknown_parameter("annotations", "/api/annotations", "get", "/api/annotations")

    # -- spatial --
    op = "/api/nearby"
    data_read("nearby, k", op, op, [("lon", "106.70"), ("lat", "28.70"), ("k", "1000")])
    data_read("nearby, radius", op, op, [("lon", "106.70"), ("lat", "28.70"), ("radius_m", "1000000"), ("layers", "towns,counties"), ("status", "existing"), ("province", "guizhou")])
    c.check("nearby, k and radius", main, op, "get", op, [("lon", "-180"), ("lat", "90"), ("k", "0"), ("radius_m", "0")])
    c.check("nearby, k over the maximum", main, op, "get", op, [("lon", "106.7"), ("lat", "28.7"), ("k", "1001")], status=400, request_valid=False)
    c.check("nearby, radius over the maximum", main, op, "get", op, [("lon", "106.7"), ("lat", "28.7"), ("radius_m", "1000000.5")], status=400, request_valid=False)
    c.check("nearby, negative radius", main, op, "get", op, [("lon", "106.7"), ("lat", "28.7"), ("radius_m", "-1")], status=400, request_valid=False)
    c.check("nearby, lon out of range", main, op, "get", op, [("lon", "180.5"), ("lat", "28.7")], status=400, request_valid=False)
    c.check("nearby, lat out of range", main, op, "get", op, [("lon", "106.7"), ("lat", "-90.5")], status=400, request_valid=False)
    c.check("nearby, no lat", main, op, "get", op, [("lon", "106.7")], status=400, request_valid=False)
    c.check("nearby, lon not a number", main, op, "get", op, [("lon", "east"), ("lat", "28.7")], status=400, request_valid=False)
    c.check("nearby, repeated parameter", main, op, "get", op, [("lon", "106.7"), ("lon", "106.8"), ("lat", "28.7")], status=400, request_valid=None)
    unknown_parameter("nearby", op, "get", op)

    op = "/api/corridor"
    data_read("corridor", op, op, [("feature", "rail-chuanqian"), ("width_m", "100000"), ("layers", "towns,railways"), ("status", "existing,planned"), ("province", "chongqing")])
    c.check("corridor, width over the maximum", main, op, "get", op, [("feature", "rail-chuanqian"), ("width_m", "100001")], status=400, request_valid=False)
    c.check("corridor, no width", main, op, "get", op, [("feature", "rail-chuanqian")], status=400, request_valid=False)
    c.check("corridor, not a line", main, op, "get", op, [("feature", "town-ganshui"), ("width_m", "100")], status=400, request_valid=None)
    c.check("corridor, unknown feature", main, op, "get", op, [("feature", "no-such"), ("width_m", "100")], status=404)
    unknown_parameter("corridor", op, "get", op)

    c.check("corridor of a line", main, op, "post", op, json_body={"line": line, "width_m": 5000, "layers": ["towns", "railways"], "status": ["existing"], "province": ["guizhou", "chongqing"]})
    c.check("corridor of a line, defaults", main, op, "post", op, json_body={"line": line, "width_m": 0})
    c.check("corridor of a line, no width", main, op, "post", op, json_body={"line": line}, status=400, request_valid=False)
    c.check("corridor of a line, width over the maximum", main, op, "post", op, json_body={"line": line, "width_m": 100000.5}, status=400, request_valid=False)
    c.check("corridor of a line, a point", main, op, "post", op, json_body={"line": {"type": "Point", "coordinates": [106.6, 29]}, "width_m": 1}, status=400, request_valid=False)
    c.check("corridor of a line, one position", main, op, "post", op, json_body={"line": {"type": "LineString", "coordinates": [[106.6, 29]]}, "width_m": 1}, status=400, request_valid=False)
    c.check("corridor of a line, three numbers a position", main, op, "post", op, json_body={"line": {"type": "LineString", "coordinates": [[106.6, 29, 1], [106.7, 29, 1]]}, "width_m": 1}, status=400, request_valid=False)
    long_line = {"type": "LineString", "coordinates": [[106.0 + i * 1e-4, 28.5] for i in range(10001)]}
    c.check("corridor of a line, 10 001 positions", main, op, "post", op, json_body={"line": long_line, "width_m": 1}, status=400, request_valid=False)
    c.check("corridor of a line, unknown field", main, op, "post", op, json_body={"line": line, "width_m": 1, "radius": 1}, status=400, request_valid=False)
    c.check("corridor of a line, status not a list", main, op, "post", op, json_body={"line": line, "width_m": 1, "status": "planned"}, status=400, request_valid=False)
    c.check("corridor of a line, empty layers", main, op, "post", op, json_body={"line": line, "width_m": 1, "layers": []}, status=400, request_valid=False)
    c.check("corridor of a line, not JSON", main, op, "post", op, raw_body=b"{line", status=400, request_valid=False)
    c.check("corridor of a line, too large", main, op, "post", op, raw_body=b" " * (2 * 1024 * 1024 + 1), status=413, request_valid=None)
    c.check("corridor of a line, from another origin", main, op, "post", op, headers=evil, json_body={"line": line, "width_m": 1}, status=403)
    unknown_parameter("corridor of a line", op, "post", op, json_body={"line": line, "width_m": 1})

    # -- tiles --
    op = "/tiles/{layers}/{z}/{x}/{y}.mvt"
    tag = tile["headers"].get("etag") if tile else None
    c.check("tile, If-None-Match", main, op, "get", "/tiles/railways,towns/6/50/26.mvt", headers={"If-None-Match": tag or ""}, status=304)
    c.check("tile, gzip", main, op, "get", "/tiles/railways/6/50/26.mvt", headers={"Accept-Encoding": "gzip"})
    c.check("tile, empty", main, op, "get", "/tiles/railways/6/0/0.mvt", status=204)
    c.check("tile, z over the maximum", main, op, "get", "/tiles/railways/23/0/0.mvt", status=400, request_valid=False)
    c.check("tile, x not a number", main, op, "get", "/tiles/railways/6/a/0.mvt", status=400, request_valid=False)
    c.check("tile, x = 2^z", main, op, "get", "/tiles/railways/2/4/0.mvt", status=400, request_valid=None)
    c.check("tile, unknown layer", main, op, "get", "/tiles/canals/6/50/26.mvt", status=404, request_valid=None)
    op = "/tiles/{layers}.json"
    data_read("tilejson", op, "/tiles/railways,towns.json")
    c.check("tilejson, empty layer", main, op, "get", "/tiles/railways,.json", status=400, request_valid=False)
    c.check("tilejson, unknown layer", main, op, "get", "/tiles/canals.json", status=404, request_valid=None)
    if tj and not tj["json"]["tiles"][0].startswith(args.public_url + "/tiles/"):
        c.fail("tilejson", f"tiles {tj['json']['tiles']} are not under {args.public_url}")

    # -- loops --
    data_read("presets", "/api/loops/presets", "/api/loops/presets")
    unknown_parameter("presets", "/api/loops/presets", "get", "/api/loops/presets")

    op = "/api/loops/plan"
    c.check("plan", main, op, "post", op, json_body=plan)
    c.check("plan, every field", main, op, "post", op, json_body={**plan, "roundtrip": False, "fixed_first": False, "fixed_last": True, "paths": "straight", "suggest_within_m": 50000, "optimise": False})
    c.check("plan, one stop", main, op, "post", op, json_body={"stops": ["town-ganshui"]}, status=400, request_valid=False)
    c.check("plan, 201 stops", main, op, "post", op, json_body={"stops": [[106.0 + i * 1e-3, 28.5] for i in range(201)]}, status=400, request_valid=False)
    c.check("plan, suggest_within_m over the maximum", main, op, "post", op, json_body={**plan, "suggest_within_m": 50001}, status=400, request_valid=False)
    c.check("plan, unknown paths", main, op, "post", op, json_body={**plan, "paths": "rail"}, status=400, request_valid=False)
    c.check("plan, roundtrip not a boolean", main, op, "post", op, json_body={**plan, "roundtrip": "yes"}, status=400, request_valid=False)
    c.check("plan, stop out of range", main, op, "post", op, json_body={"stops": ["town-ganshui", [181, 28]]}, status=400, request_valid=False)
    c.check("plan, stop a number", main, op, "post", op, json_body={"stops": ["town-ganshui", 5]}, status=400, request_valid=False)
    c.check("plan, unknown stop", main, op, "post", op, json_body={"stops": ["town-ganshui", "no-such"]}, status=400, request_valid=None)
    c.check("plan, unknown field", main, op, "post", op, json_body={**plan, "name": "x"}, status=400, request_valid=False)
    c.check("plan, not an object", main, op, "post", op, json_body=[1, 2], status=400, request_valid=False)
    c.check("plan, too large", main, op, "post", op, raw_body=b" " * (2 * 1024 * 1024 + 1), status=413, request_valid=None)
    c.check("plan, from another origin", main, op, "post", op, headers=evil, json_body=plan, status=403)
    unknown_parameter("plan", op, "post", op, json_body=plan)

    op = "/api/loops"
    saved = c.check("save", main, op, "post", op, headers=wt, json_body={**plan, "name": "红色环线", "notes": "n" * 10000}, status=201)
    c.check("save, no token", main, op, "post", op, json_body={**plan, "name": "x"}, status=401, request_valid=None)
    c.check("save, no name", main, op, "post", op, headers=wt, json_body=plan, status=400, request_valid=False)
    c.check("save, blank name", main, op, "post", op, headers=wt, json_body={**plan, "name": "  "}, status=400, request_valid=False)
    c.check("save, name of 201 characters", main, op, "post", op, headers=wt, json_body={**plan, "name": "x" * 201}, status=400, request_valid=False)
    c.check("save, notes too long", main, op, "post", op, headers=wt, json_body={**plan, "name": "x", "notes": "n" * 10001}, status=400, request_valid=False)
    c.check("save, too large", main, op, "post", op, headers=wt, raw_body=b" " * (2 * 1024 * 1024 + 1), status=413, request_valid=None)
    c.check("save, from another origin", main, op, "post", op, headers={**wt, **evil}, json_body={**plan, "name": "x"}, status=403)
    unknown_parameter("save", op, "post", op, headers=wt, json_body={**plan, "name": "x"})
    keyed = {**wt, "Idempotency-Key": "openapi-retry-1"}
    c.check("save with an Idempotency-Key", main, op, "post", op, headers=keyed, json_body={**plan, "name": "keyed"}, status=201)
    c.check("save retried with its Idempotency-Key", main, op, "post", op, headers=keyed, json_body={**plan, "name": "keyed"}, status=201)
    c.check("save, Idempotency-Key reused for another body", main, op, "post", op, headers=keyed, json_body={**plan, "name": "other"}, status=422)
    c.check("save, Idempotency-Key too long", main, op, "post", op, headers={**wt, "Idempotency-Key": "k" * 256}, json_body={**plan, "name": "x"}, status=400, request_valid=False)
    c.check("list", main, op, "get", op)
    unknown_parameter("list", op, "get", op)

    if saved is None:
        return
    loop_id = saved["json"]["id"]
    location = saved["headers"].get("location")
    if location != f"/api/loops/{loop_id}":
        c.fail("save", f"Location is {location!r}")
    op = "/api/loops/{id}"
    path = f"/api/loops/{loop_id}"
    read = c.check("read", main, op, "get", path)
    etag = read["headers"]["etag"] if read else '"v1"'
    c.check("read, unknown", main, op, "get", "/api/loops/999999", status=404)
    c.check("read, not a number", main, op, "get", "/api/loops/abc", status=404, request_valid=False)
    unknown_parameter("read", op, "get", path)
    c.check("gpx", main, "/api/loops/{id}.gpx", "get", path + ".gpx")
    c.check("gpx, unknown", main, "/api/loops/{id}.gpx", "get", "/api/loops/999999.gpx", status=404)
    unknown_parameter("gpx", "/api/loops/{id}.gpx", "get", path + ".gpx")
    c.check("geojson", main, "/api/loops/{id}.geojson", "get", path + ".geojson")
    c.check("geojson, unknown", main, "/api/loops/{id}.geojson", "get", "/api/loops/999999.geojson", status=404)
    unknown_parameter("geojson", "/api/loops/{id}.geojson", "get", path + ".geojson")

    change = {**plan, "name": "renamed", "paths": "straight"}
    c.check("update, no If-Match", main, op, "put", path, headers=wt, json_body=change, status=428, request_valid=False)
    c.check("update, If-Match not ours", main, op, "put", path, headers={**wt, "If-Match": "abc"}, json_body=change, status=400, request_valid=None)
    c.check("update, no token", main, op, "put", path, headers={"If-Match": etag}, json_body=change, status=401, request_valid=None)
    c.check("update, unknown", main, op, "put", "/api/loops/999999", headers={**wt, "If-Match": etag}, json_body=change, status=404)
    c.check("update, bad body", main, op, "put", path, headers={**wt, "If-Match": etag}, json_body={"name": "x"}, status=400, request_valid=False)
    c.check("update, too large", main, op, "put", path, headers={**wt, "If-Match": etag}, raw_body=b" " * (2 * 1024 * 1024 + 1), status=413, request_valid=None)
    c.check("update, from another origin", main, op, "put", path, headers={**wt, **evil, "If-Match": etag}, json_body=change, status=403)
    unknown_parameter("update", op, "put", path, headers={**wt, "If-Match": etag}, json_body=change)
    updated = c.check("update", main, op, "put", path, headers={**wt, "If-Match": etag}, json_body=change)
    c.check("update, stale", main, op, "put", path, headers={**wt, "If-Match": etag}, json_body=change, status=412)
    etag = updated["headers"]["etag"] if updated else etag

    c.check("delete, no If-Match", main, op, "delete", path, headers=wt, status=428, request_valid=False)
    c.check("delete, stale", main, op, "delete", path, headers={**wt, "If-Match": '"v1"'}, status=412)
    c.check("delete, no token", main, op, "delete", path, headers={"If-Match": etag}, status=401, request_valid=None)
    c.check("delete, from another origin", main, op, "delete", path, headers={**wt, **evil, "If-Match": etag}, status=403)
    unknown_parameter("delete", op, "delete", path, headers={**wt, "If-Match": etag})
    c.check("delete", main, op, "delete", path, headers={**wt, "If-Match": etag}, status=204)
    c.check("delete, gone", main, op, "delete", path, headers={**wt, "If-Match": etag}, status=404)

    # -- static maps --
    saved = c.check("a loop to draw", main, "/api/loops", "post", "/api/loops", headers=wt, json_body={**plan, "name": "static"}, status=201)
    saved_id = str(saved["json"]["id"]) if saved else "1"
    for ext in ("png", "svg"):
        op = f"/api/static.{ext}"
        box = [("bbox", "106.3,28.0,107.1,29.6"), ("width", "300"), ("height", "200")]
        r = data_read(f"static {ext}", op, op, box + [("scale", "2"), ("lang", "en"), ("layers", "railways,towns")])
        if r and not r["headers"].get("content-type", "").startswith(f"image/{ext}"):
            c.fail(f"static {ext}", f"content type {r['headers'].get('content-type')}")
        c.check(f"static {ext}, centre and zoom", main, op, "get", op, [("center", "106.7,28.8"), ("zoom", "8.5"), ("width", "200"), ("height", "200")])
        c.check(f"static {ext}, overlays", main, op, "get", op, box + [("corridor", "rail-chuanqian"), ("width_m", "5000"), ("markers", "106.7,28.8;106.8,28.3"), ("near", "106.71,28.75"), ("radius_m", "20000"), ("k", "5")])
        c.check(f"static {ext}, a saved loop", main, op, "get", op, box + [("loop", saved_id)])
        c.check(f"static {ext}, width over the maximum", main, op, "get", op, [("bbox", "106,28,107,29"), ("width", "4097")], status=400, request_valid=False)
        c.check(f"static {ext}, scale 4", main, op, "get", op, [("bbox", "106,28,107,29"), ("scale", "4")], status=400, request_valid=False)
        c.check(f"static {ext}, unknown language", main, op, "get", op, [("bbox", "106,28,107,29"), ("lang", "fr")], status=400, request_valid=False)
        c.check(f"static {ext}, over the pixel budget", main, op, "get", op, [("bbox", "106,28,107,29"), ("width", "4096"), ("height", "4096"), ("scale", "2")], status=400, request_valid=None)
        c.check(f"static {ext}, inverted bbox", main, op, "get", op, [("bbox", "107,28,106,29")], status=400, request_valid=None)
        c.check(f"static {ext}, neither bbox nor center", main, op, "get", op, [("width", "300")], status=400, request_valid=None)
        c.check(f"static {ext}, unknown layer", main, op, "get", op, [("bbox", "106,28,107,29"), ("layers", "canals")], status=400, request_valid=None)
        c.check(f"static {ext}, unknown corridor feature", main, op, "get", op, [("bbox", "106,28,107,29"), ("corridor", "nope"), ("width_m", "10")], status=404)
        c.check(f"static {ext}, no such loop", main, op, "get", op, [("bbox", "106,28,107,29"), ("loop", "99999")], status=404)
        c.check(f"static {ext} with an unknown parameter", main, op, "get", op, [("bbox", "106,28,107,29"), ("nope", "1")], status=400, request_valid=None)
        body = {"bbox": [106.3, 28.0, 107.1, 29.6], "width": 300, "height": 200}
        c.check(f"static {ext} posted", main, op, "post", op, json_body=body)
        c.check(f"static {ext} posted, a drawn line", main, op, "post", op, json_body={**body, "line": line, "width_m": 3000})
        c.check(f"static {ext} posted, an unsaved loop", main, op, "post", op, json_body={**body, "loop": plan, "markers": [[106.7, 28.8]]})
        c.check(f"static {ext} posted, width over the maximum", main, op, "post", op, json_body={**body, "width": 4097}, status=400, request_valid=False)
        c.check(f"static {ext} posted, unknown field", main, op, "post", op, json_body={**body, "colour": "red"}, status=400, request_valid=False)
        c.check(f"static {ext} posted, unknown corridor feature", main, op, "post", op, json_body={**body, "corridor": "nope", "width_m": 10}, status=404)
        c.check(f"static {ext} posted, not JSON", main, op, "post", op, raw_body=b"{bbox", status=400, request_valid=False)
        c.check(f"static {ext} posted, too large", main, op, "post", op, raw_body=b" " * (2 * 1024 * 1024 + 1), status=413, request_valid=None)
        c.check(f"static {ext} posted, from another origin", main, op, "post", op, headers=evil, json_body=body, status=403)

    op = "/api/region"
    data_read("region", op, op, [("lon", "106.7"), ("lat", "28.9")])
    c.check("region, a county of a prefecture", main, op, "get", op, [("lon", "106.8"), ("lat", "28.2")])
    c.check("region, no county", main, op, "get", op, [("lon", "108.0"), ("lat", "27.0")])
    c.check("region, outside", main, op, "get", op, [("lon", "116.4"), ("lat", "39.9")], status=404)
    c.check("region, lat out of range", main, op, "get", op, [("lon", "106.7"), ("lat", "91")], status=400, request_valid=False)
    unknown_parameter("region", op, "get", op)

    op = "/api/crossings"
    data_read("crossings", op, op)
    data_read("crossings of layers", op, op, [("layers", "railways,highways")])
    c.check("crossings, a layer of points", main, op, "get", op, [("layers", "towns")], status=400, request_valid=None)
    unknown_parameter("crossings", op, "get", op)
    # 404 (no border) needs data without both provinces: see the "no provinces" server below.

    # -- operations --
    c.check("health", main, "/health", "get", "/health")
    unknown_parameter("health", "/health", "get", "/health")
    c.check("live", main, "/health/live", "get", "/health/live")
    c.check("ready", main, "/health/ready", "get", "/health/ready")
    c.check("metrics", main, "/metrics", "get", "/metrics", headers=at)
    c.check("metrics, no token", main, "/metrics", "get", "/metrics", status=401, request_valid=None)
    op = "/admin/reload"
    c.check("reload, unchanged", main, op, "post", op, headers=at)
    c.check("reload, no token", main, op, "post", op, status=401, request_valid=None)
    c.check("reload, from another origin", main, op, "post", op, headers={**at, **evil}, status=403)
    unknown_parameter("reload", op, "post", op, headers=at)
    towns = os.path.join(args.data_dir, "towns.geojson")
    with open(towns, "rb") as f:
        good = f.read()
    try:
        with open(towns, "wb") as f:
            f.write(b'{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
        failed = c.check("reload, broken data", main, op, "post", op, headers=at, status=422)
        if failed and not failed["json"]["problems"]:
            c.fail("reload, broken data", "no problems listed")
        c.check("health after a failed reload", main, "/health", "get", "/health")
    finally:
        with open(towns, "wb") as f:
            f.write(good)
    c.check("reload, repaired", main, op, "post", op, headers=at)

    # -- the time budget (1 ms) on data without provinces and with 20 000 extra points: the
    # work stops and the answer is 503 over_budget --
    c.check("crossings without a border", budget, "/api/crossings", "get", "/api/crossings", status=404)
    for name, op, path, query in [
        # A box that holds most of the points but not all (a box holding a whole layer, or no
        # box, is answered by arithmetic on the layer ranges, with no work to stop).
        ("features", "/api/features", "/api/features", [("bbox", "106.0,28.0,106.9,28.9"), ("limit", "10000")]),
        ("search", "/api/search", "/api/search", [("q", "bulk")]),
        ("nearby", "/api/nearby", "/api/nearby", [("lon", "106.7"), ("lat", "28.7"), ("radius_m", "1000000")]),
        ("corridor", "/api/corridor", "/api/corridor", [("feature", "rail-chuanqian"), ("width_m", "100000")]),
        ("tile", "/tiles/{layers}/{z}/{x}/{y}.mvt", "/tiles/bulk/0/0/0.mvt", []),
        ("static png", "/api/static.png", "/api/static.png", [("bbox", "106.0,28.0,106.9,28.9"), ("layers", "bulk")]),
        ("static svg", "/api/static.svg", "/api/static.svg", [("bbox", "106.0,28.0,106.9,28.9"), ("layers", "bulk")]),
    ]:
        c.check(f"{name} over budget", budget, op, "get", path, query, status=503)
    many = {"stops": [[106.0 + (i % 20) * 0.05, 28.0 + (i // 20) * 0.1] for i in range(200)], "suggest_within_m": 50000}
    c.check("plan over budget", budget, "/api/loops/plan", "post", "/api/loops/plan", json_body=many, status=503)
    c.check("save over budget", budget, "/api/loops", "post", "/api/loops", json_body={**many, "name": "x"}, status=503)
    c.check("update over budget", budget, "/api/loops/{id}", "put", "/api/loops/1", headers={"If-Match": '"v1"'}, json_body={**many, "name": "x"}, status=503)
    for ext in ("png", "svg"):
        c.check(f"static {ext} posted over budget", budget, f"/api/static.{ext}", "post", f"/api/static.{ext}", json_body={"bbox": [106.0, 28.0, 106.9, 28.9], "layers": ["bulk"]}, status=503)
    c.check("corridor of a line over budget", budget, "/api/corridor", "post", "/api/corridor", json_body={"line": {"type": "LineString", "coordinates": [[106.0 + i * 1e-4, 28.5 + (i % 2) * 1e-3] for i in range(10000)]}, "width_m": 100000}, status=503)

    # -- the rate limit (1 a minute, loopback included): the first heavy request passes --
    c.check("first heavy request", limited, "/api/region", "get", "/api/region", [("lon", "106.7"), ("lat", "28.9")])
    for name, op, method, path, query, body, headers in [
        ("features", "/api/features", "get", "/api/features", [], None, {}),
        ("search", "/api/search", "get", "/api/search", [("q", "a")], None, {}),
        ("nearby", "/api/nearby", "get", "/api/nearby", [("lon", "106.7"), ("lat", "28.7")], None, {}),
        ("corridor", "/api/corridor", "get", "/api/corridor", [("feature", "rail-chuanqian"), ("width_m", "1")], None, {}),
        ("corridor of a line", "/api/corridor", "post", "/api/corridor", [], {"line": line, "width_m": 1}, {}),
        ("region", "/api/region", "get", "/api/region", [("lon", "106.7"), ("lat", "28.9")], None, {}),
        ("crossings", "/api/crossings", "get", "/api/crossings", [], None, {}),
        ("plan", "/api/loops/plan", "post", "/api/loops/plan", [], plan, {}),
        ("save", "/api/loops", "post", "/api/loops", [], {**plan, "name": "x"}, {}),
        ("update", "/api/loops/{id}", "put", "/api/loops/1", [], {**plan, "name": "x"}, {"If-Match": '"v1"'}),
        ("static png", "/api/static.png", "get", "/api/static.png", [("bbox", "106,28,107,29")], None, {}),
        ("static svg", "/api/static.svg", "get", "/api/static.svg", [("bbox", "106,28,107,29")], None, {}),
        ("static png posted", "/api/static.png", "post", "/api/static.png", [], {"bbox": [106, 28, 107, 29]}, {}),
        ("static svg posted", "/api/static.svg", "post", "/api/static.svg", [], {"bbox": [106, 28, 107, 29]}, {}),
    ]:
        r = c.check(f"{name}, rate limited", limited, op, method, path, query, headers=headers, json_body=body, status=429)
        if r and not r["headers"].get("retry-after", "").isdigit():
            c.fail(f"{name}, rate limited", "no Retry-After in seconds")


def first_mvt_id(tile):
    """The id of the first feature of an MVT tile, read from its protobuf by mapbox-vector-tile."""
    import mapbox_vector_tile

    decoded = mapbox_vector_tile.decode(tile)
    for layer in decoded.values():
        for feature in layer["features"]:
            if feature.get("id") is not None:
                return feature["id"]
    return None


if __name__ == "__main__":
    sys.exit(main())
