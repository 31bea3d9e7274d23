"""A three-replica cluster on loopback (tools/cluster/up.sh): PostgreSQL/PostGIS, `yuqian serve`
replicas reading their data and keeping their loops there, HAProxy in front."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "cluster"
NEEDED = {
    "haproxy": "haproxy",
    "wrk": "wrk",
    "/usr/lib/postgresql/15/bin/initdb": "postgresql-15",
    "/usr/share/postgresql/15/extension/postgis.control": "postgresql-15-postgis-3",
}


def binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return Path(os.environ.get("YUQIAN_BIN", target / "debug" / "yuqian"))


def missing() -> list[str]:
    out = [pkg for what, pkg in NEEDED.items() if not (Path(what).exists() if what.startswith("/") else shutil.which(what))]
    if not binary().exists():
        out.append(f"the yuqian binary at {binary()} (cargo build)")
    return out


class Cluster:
    def __init__(self, dir: Path, ports: dict[str, int]):
        self.dir = dir
        self.ports = ports
        self.env = {**os.environ, "YUQIAN": str(binary()), **{k: str(v) for k, v in ports.items()}}
        self.url = f"http://127.0.0.1:{ports['LB_PORT']}"

    def run(self, script: str, *args: str, **kw) -> str:
        done = subprocess.run([str(TOOLS / script), *args], env=self.env, capture_output=True, text=True, timeout=180, **kw)
        if done.returncode != 0:
            raise AssertionError(f"{script} {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{self.logs()}")
        return done.stdout.strip()

    def replica(self, action: str, n: int) -> None:
        self.run("replica.sh", action, str(n), str(self.dir))

    def replica_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.ports['BASE_PORT'] + n}"

    @property
    def db_url(self) -> str:
        return (self.dir / "db.url").read_text().strip()

    def postgres(self, action: str) -> None:
        args = [action, str(self.dir / "db")] + ([str(self.ports["PG_PORT"])] if action == "start" else [])
        done = subprocess.run([str(ROOT / "tools" / "pg" / "throwaway.sh"), *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    def logs(self) -> str:
        out = []
        for log in sorted(self.dir.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            out.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(out)


def request(url: str, method: str = "GET", body=None, headers=None, timeout: float = 30):
    """(status, headers, parsed JSON body or text)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            status, hdrs = r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, dict(e.headers)
    try:
        return status, hdrs, json.loads(raw)
    except ValueError:
        return status, hdrs, raw.decode(errors="replace")


def wait_for(what: str, check, timeout: float = 30, every: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (OSError, urllib.error.URLError) as e:
            last = e
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")


@pytest.fixture(scope="module")
def cluster():
    lacking = missing()
    if lacking:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {', '.join(lacking)} for the cluster tests (make setup-system, cargo build)")
        pytest.skip(f"this machine has no {', '.join(lacking)}")
    base = 20000 + (os.getpid() % 400) * 10
    ports = {"LB_PORT": base, "BASE_PORT": base + 2, "PG_PORT": base + 9, "REPLICAS": 3}
    # Not under pytest's own temporary folder: that is private (0700) and PostgreSQL runs as
    # the `postgres` user, which must reach its data folder.
    dir = Path(tempfile.mkdtemp(prefix="yuqian-cluster."))
    dir.chmod(0o755)
    c = Cluster(dir, ports)
    try:
        c.run("up.sh", str(dir))
        yield c
    finally:
        subprocess.run([str(TOOLS / "down.sh"), str(dir)], env=c.env, capture_output=True, timeout=120)
        shutil.rmtree(dir, ignore_errors=True)
