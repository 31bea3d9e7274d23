"""The cluster of tools/cluster/up.sh under failure: a replica killed and restarted under a read
load, saves while a replica dies, and a database outage; a new data version reaching every
replica. Through HAProxy, as clients would see it."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import uuid
from pathlib import Path

from conftest import ROOT, binary, request, wait_for

HERE = Path(__file__).parent


def wrk(url: str, seconds: int) -> subprocess.Popen:
    return subprocess.Popen(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "-s", str(HERE / "reads.lua"), url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def failures(report: str) -> list[str]:
    """What wrk counted as failed: non-2xx/3xx answers and socket errors."""
    out = [line.strip() for line in report.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    assert re.search(r"\d+ requests in", report), report
    return out


def save_body(name: str) -> dict:
    return {"name": name, "notes": "cluster test", "stops": ["town-ganshui", "seat-tongzi", "town-songkan"]}


def test_every_replica_serves_the_same_data_version_and_the_balancer_spreads_requests(cluster):
    versions = {request(cluster.replica_url(n) + "/health")[2]["data_version"] for n in (1, 2, 3)}
    assert len(versions) == 1 and None not in versions, versions
    status, _, body = request(cluster.url + "/health")
    assert status == 200 and body["data_version"] in versions
    assert body["source"].startswith("postgres://"), body["source"]


def test_a_replica_killed_and_started_again_under_a_read_load_fails_no_request(cluster):
    load = wrk(cluster.url, 14)
    time.sleep(3)
    cluster.replica("kill", 2)
    time.sleep(4)
    cluster.replica("start", 2)
    cluster.replica("wait", 2)
    report, _ = load.communicate(timeout=60)
    assert load.returncode == 0, report
    assert failures(report) == [], report
    # It is back in the balancer's rotation: the statistics page shows it UP.
    def back():
        status, _, csv = request(f"http://127.0.0.1:{cluster.ports['LB_PORT'] + 1}/stats;csv")
        return status == 200 and any(row.startswith("replicas,r2,") and ",UP," in row for row in csv.splitlines())
    wait_for("replica 2 back in rotation", back, timeout=20)


def test_saves_while_a_replica_dies_are_all_kept_once(cluster):
    run = uuid.uuid4().hex[:8]
    acknowledged: dict[str, int] = {}
    errors: list[str] = []

    def save(i: int):
        key = f"{run}-{i}"
        # A client retries a failed save with the same key: never a second loop.
        for _attempt in range(5):
            try:
                status, _, body = request(cluster.url + "/api/loops", "POST", save_body(f"{run} #{i}"), {"Idempotency-Key": key})
            except OSError as e:
                errors.append(f"{key}: {e}")
                continue
            if status in (200, 201):
                acknowledged[key] = body["id"]
                return
            errors.append(f"{key}: {status} {body}")
            time.sleep(0.2)

    def saves():
        for i in range(40):
            save(i)

    worker = threading.Thread(target=saves)
    worker.start()
    time.sleep(1.0)
    cluster.replica("kill", 3)
    worker.join(timeout=120)
    cluster.replica("start", 3)
    cluster.replica("wait", 3)
    assert len(acknowledged) == 40, f"acknowledged {len(acknowledged)} of 40; errors: {errors}"
    # The balancer's retries (idempotent requests and keyed saves only) hid the dead replica.
    assert errors == [], errors
    # Every acknowledged loop is there, through every replica, and none twice.
    for n in (1, 2, 3):
        status, _, listed = request(cluster.replica_url(n) + "/api/loops")
        assert status == 200, listed
        items = listed["loops"] if isinstance(listed, dict) else listed
        ours = [l for l in items if str(l.get("name", "")).startswith(f"{run} #")]
        assert sorted(l["id"] for l in ours) == sorted(acknowledged.values()), (n, ours)
    # A retried save with its key answers the first save.
    status, _, again = request(cluster.url + "/api/loops", "POST", save_body(f"{run} #0"), {"Idempotency-Key": f"{run}-0"})
    assert status in (200, 201)
    assert again["id"] == acknowledged[f"{run}-0"]


def test_a_database_outage_keeps_reads_and_refuses_writes_until_it_is_back(cluster):
    cluster.postgres("stop")
    try:
        status, _, body = request(cluster.url + "/api/nearby?lon=106.651&lat=28.962&k=3")
        assert status == 200, body
        status, _, body = request(cluster.url + "/api/loops", "POST", save_body("during the outage"))
        assert status == 503, body
        health = wait_for("a replica saying degraded", lambda: (lambda b: b if b.get("status") == "degraded" else None)(request(cluster.replica_url(1) + "/health")[2]))
        assert health["ready"] is True
        assert request(cluster.url + "/health/ready")[0] == 200
    finally:
        cluster.postgres("start")
    saved = wait_for("a save once the database is back",
                     lambda: (lambda r: r if r[0] in (200, 201) else None)(request(cluster.url + "/api/loops", "POST", save_body("after the outage"))),
                     timeout=60, every=0.5)
    assert saved[0] in (200, 201)


def test_a_new_data_version_reaches_every_replica_with_no_failed_request(cluster, tmp_path):
    data = tmp_path / "data"
    subprocess.run(["cp", "-r", str(ROOT / "geodata"), str(data)], check=True)
    towns = data / "towns.geojson"
    text = towns.read_text()
    added = ('{"type":"Feature","id":"town-cluster-test","geometry":{"type":"Point","coordinates":[106.7,28.8]},'
             '"properties":{"name_zh":"集群测试镇","name_en":"Cluster test","status":"existing","provinces":["chongqing"],'
             '"source":"tests/cluster","accuracy":"real","location_known":true,"uncertainty_km":0.1}},\n')
    towns.write_text(text.replace('"features":[\n', '"features":[\n' + added, 1))
    before = request(cluster.url + "/health")[2]["data_version"]
    load = wrk(cluster.url, 8)
    time.sleep(1)
    done = subprocess.run([str(binary()), "load", str(data), "--into", cluster.db_url], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    started = time.monotonic()
    for n in (1, 2, 3):
        wait_for(f"replica {n} serving the new version",
                 lambda: (lambda v: v if v not in (None, before) else None)(request(cluster.replica_url(n) + "/health")[2]["data_version"]),
                 timeout=30)
    reached = time.monotonic() - started
    versions = {request(cluster.replica_url(n) + "/health")[2]["data_version"] for n in (1, 2, 3)}
    assert len(versions) == 1, versions
    for n in (1, 2, 3):
        status, _, f = request(cluster.replica_url(n) + "/api/features/town-cluster-test")
        assert status == 200 and f["properties"]["name_zh"] == "集群测试镇", f
    report, _ = load.communicate(timeout=60)
    assert failures(report) == [], report
    print(f"new data version on all three replicas {reached:.1f} s after `load` returned")
