"""The server under test (the debug binary built by `make test-rust`, on the shipped geodata/)
and a client that validates every /ogc answer against the server's own OpenAPI document."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import jsonschema
import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "yuqian"


class Server:
    def __init__(self, data: Path):
        self.tmp = tempfile.TemporaryDirectory()
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--addr", "127.0.0.1:0", "--web", "/nonexistent",
             "--data", str(data), "--db", str(Path(self.tmp.name) / "loops.sqlite")],
            stderr=subprocess.PIPE, text=True, env={**os.environ, "RUST_LOG": "info", "NO_COLOR": "1"},
        )
        self.log: list[str] = []
        found = threading.Event()
        self.url = ""

        def read():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"listening on (http://\S+)", line)
                if m and not found.is_set():
                    self.url = m.group(1)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(60):
            self.stop()
            raise RuntimeError("the server did not start:\n" + "".join(self.log))
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/health/ready", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not become ready:\n" + "".join(self.log))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.tmp.cleanup()


@pytest.fixture(scope="session")
def server():
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `cargo build` (make test does) first")
    s = Server(REPO / "geodata")
    yield s
    s.stop()


# openapi-core decodes only the media types it knows by name; these are JSON too.
MEDIA_TYPES = {
    m: (lambda value, **parameters: json.loads(value))
    for m in ("application/geo+json", "application/schema+json", "application/vnd.oai.openapi+json")
}


class Client:
    """GETs under /ogc, each answer validated against /ogc/api (openapi-core)."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        spec = self.session.get(url + "/ogc/api").json()
        self.spec = spec
        self.openapi = OpenAPI.from_dict(spec, config=Config(extra_media_type_deserializers=MEDIA_TYPES))
        self.validated = 0

    def get(self, path: str, params: dict | None = None, headers: dict | None = None,
            status: int = 200, validate_request: bool = True) -> requests.Response:
        # The landing page is `/` under the document's server URL `.../ogc`.
        r = self.session.get(self.url + "/ogc" + (path or "/"), params=params, headers=headers or {})
        assert r.status_code == status, f"{r.url}: {r.status_code} {r.text[:500]}"
        req = RequestsOpenAPIRequest(r.request)
        if validate_request and 200 <= r.status_code < 300:
            self.openapi.validate_request(req)
        if r.status_code == 404 and not self.documented(r.request.path_url):
            # An unknown collection has no path in the document (each collection has its
            # own); its answer is still the document's error body.
            jsonschema.validate(r.json(), self.spec["components"]["schemas"]["exception"])
        elif r.status_code != 304:
            self.openapi.validate_response(req, RequestsOpenAPIResponse(r))
            self.validated += 1
        return r

    def documented(self, path_url: str) -> bool:
        path = path_url.split("?")[0][len("/ogc"):] or "/"
        for p in self.spec["paths"]:
            if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)), path):
                return True
        return False

    def json(self, path: str, params: dict | None = None, **kw) -> dict:
        return self.get(path, params, **kw).json()

    def api(self, path: str, params: dict | None = None) -> dict:
        r = self.session.get(self.url + path, params=params)
        assert r.status_code == 200, f"{r.url}: {r.status_code} {r.text[:500]}"
        return r.json()

    def all_api_features(self, **params) -> list[dict]:
        """Every feature of /api/features with `params`, page by page."""
        out, offset = [], 0
        while True:
            fc = self.api("/api/features", {**params, "limit": 10000, "offset": offset})
            out += fc["features"]
            offset += len(fc["features"])
            if offset >= fc["numberMatched"] or not fc["features"]:
                return out


@pytest.fixture(scope="session")
def client(server) -> Client:
    return Client(server.url)


@pytest.fixture(scope="session")
def layers(client) -> list[dict]:
    return client.api("/api/layers")["layers"]


def follow(client: Client, first: str, params: dict) -> list[dict]:
    """Every page from `first` on, by `next` links as given."""
    fc = client.json(first, params)
    pages = [fc]
    while True:
        nxt = [l for l in fc["links"] if l["rel"] == "next"]
        if not nxt:
            return pages
        url = nxt[0]["href"]
        assert url.startswith(client.url + "/ogc"), url
        path, _, query = url[len(client.url) + 4:].partition("?")
        fc = client.json(path, dict(urllib.parse.parse_qsl(query)))
        pages.append(fc)
