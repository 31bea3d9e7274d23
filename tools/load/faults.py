#!/usr/bin/env python3
"""Fault runs of the operations issue, against `yuqian serve` on 127.0.0.1 (standard library
only; wrk for the background load):

  a. kill -9 under load: clients save loops concurrently (POST /api/loops), the server is
     killed with SIGKILL mid-burst and restarted on the same --db; every acknowledged (201)
     loop must read back with the same ETag (version).
  b. a reload with a corrupt file under load: the mix runs against a copy of geodata/; one
     layer file is replaced by corrupt JSON and SIGHUP sent: 0 failed requests, /health shows
     the failed reload naming the file; the file is restored and reloaded.
  c. 1,000 idle connections (no request sent): new clients are still served (100 requests to
     /health), and the idle ones are closed by the header read timeout (5 s here).

    tools/load/faults.sh        (builds --release once, then runs this)

Every loop here is bounded in count and time."""

import http.client
import json
import os
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

LOAD_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(LOAD_DIR))
BIN = os.path.join(ROOT, "target", "release", "yuqian")
OUT = os.environ.get("OUT", os.path.join(LOAD_DIR, "out"))
os.makedirs(OUT, exist_ok=True)
LOOP_BODY = {"name": "n", "stops": [[106.65, 29.03], [106.71, 28.74]]}


class Server:
    def __init__(self, log_name, *args, addr="127.0.0.1:0"):
        self.log_path = os.path.join(OUT, log_name)
        self.log = open(self.log_path, "ab")
        # Only what this start writes: a restart appends to the same log.
        self.log_from = self.log.tell()
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info"), NO_COLOR="1")
        self.proc = subprocess.Popen([BIN, "serve", "--addr", addr, *args],
                                     stdout=self.log, stderr=self.log, env=env)
        try:
            self.addr = self._wait_listening()
            self.host, port = self.addr.rsplit(":", 1)
            self.port = int(port)
            self._wait_ready()
        except BaseException:
            # A server that did not come up is not left behind.
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise

    def _wait_listening(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log_path}")
            with open(self.log_path, "rb") as f:
                f.seek(self.log_from)
                found = re.findall(rb"listening on http://([0-9.:]+)", f.read())
            if found:
                return found[-1].decode()
            time.sleep(0.1)
        raise SystemExit("the server did not listen within 60 s")

    def _wait_ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if request(self.port, "GET", "/health/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("the server was not ready within 60 s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def request(port, method, path, body=None, timeout=30):
    """(status, headers, parsed JSON or None) over a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"content-type": "application/json"} if data else {}
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed
    finally:
        conn.close()


def wrk_mix(port, seconds, connections=256):
    """Starts the load mix (tools/load/mix.lua) in the background; .result() waits for it."""
    env = dict(os.environ, LOAD_DIR=LOAD_DIR)
    proc = subprocess.Popen(
        ["timeout", str(seconds + 60), "wrk", "-t2", f"-c{connections}", f"-d{seconds}s",
         "--timeout", "10s", "--latency", "-s", os.path.join(LOAD_DIR, "mix.lua"),
         f"http://127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=LOAD_DIR)

    class Run:
        def result(self):
            out = proc.communicate(timeout=seconds + 120)[0].decode()
            line = next((l for l in out.splitlines() if l.startswith("RESULT")), None)
            if line is None:
                raise SystemExit(f"wrk gave no result:\n{out}")
            return dict(kv.split("=") for kv in line.split()[1:])
    return Run()


def kill9_under_load(tmp):
    print("== a. kill -9 under load, restart, every acknowledged loop intact")
    db = os.path.join(tmp, "loops.sqlite")
    data = ["--data", os.path.join(ROOT, "geodata"), "--web", "/nonexistent", "--db", db]
    server = Server("faults-kill9.log", *data)
    acked = {}  # id -> ETag
    lock = threading.Lock()
    stop = threading.Event()
    failures_before_kill = []
    killed_at = [None]

    def client():
        # At most 500 requests each, and none after the kill is seen.
        for _ in range(500):
            if stop.is_set():
                return
            try:
                status, headers, body = request(server.port, "POST", "/api/loops", LOOP_BODY, timeout=10)
            except OSError:
                if killed_at[0] is None:
                    failures_before_kill.append("socket error")
                return
            if status == 201:
                with lock:
                    acked[body["id"]] = headers["etag"]
            elif killed_at[0] is None:
                failures_before_kill.append(status)

    threads = [threading.Thread(target=client) for _ in range(32)]
    for t in threads:
        t.start()
    # Kill once a few hundred are saved (or after 10 s at most), mid-burst.
    deadline = time.time() + 10
    while time.time() < deadline and len(acked) < 300:
        time.sleep(0.02)
    killed_at[0] = time.time()
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=10)
    acked_at_kill = len(acked)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    server.log.close()
    print(f"  32 clients; SIGKILL after {acked_at_kill} acknowledged saves; "
          f"{len(acked)} acknowledged in all (answers in flight at the kill included)")
    server = Server("faults-kill9.log", *data, addr=f"127.0.0.1:{server.port}")
    missing, changed = [], []
    for loop_id, etag in sorted(acked.items()):
        status, headers, _ = request(server.port, "GET", f"/api/loops/{loop_id}")
        if status != 200:
            missing.append((loop_id, status))
        elif headers.get("etag") != etag:
            changed.append((loop_id, etag, headers.get("etag")))
    _, _, listing = request(server.port, "GET", "/api/loops")
    stored = len(listing["loops"]) if isinstance(listing, dict) and "loops" in listing else None
    server.stop()
    ok = not missing and not changed and not failures_before_kill
    print(f"  after restart: {len(acked) - len(missing) - len(changed)}/{len(acked)} read back "
          f"with the same ETag; missing {missing[:5]}, changed {changed[:5]}; "
          f"loops listed: {stored}; failures before the kill: {failures_before_kill[:5]}")
    print(f"  {'PASS' if ok else 'FAIL'}")
    return ok


def corrupt_reload_under_load(tmp):
    print("== b. a reload with a corrupt file under load: 0 failed requests")
    data = os.path.join(tmp, "geodata")
    shutil.copytree(os.path.join(ROOT, "geodata"), data)
    server = Server("faults-reload.log", "--data", data, "--web", os.path.join(ROOT, "web"),
                    "--db", os.path.join(tmp, "reload.sqlite"),
                    # 256 connections fit the heavy queue: no 503 from shedding (see run.sh).
                    "--heavy-queue", "512")
    victim = os.path.join(data, "towns.geojson")
    original = open(victim, "rb").read()

    def last_reload():
        return (request(server.port, "GET", "/health")[2] or {}).get("last_reload") or {}

    def wait_reload(previous, limit=60):
        deadline = time.time() + limit
        while time.time() < deadline:
            r = last_reload()
            if r.get("finished_at") and r.get("finished_at") != previous:
                return r
            time.sleep(0.05)
        raise SystemExit("no reload within 60 s")

    run = wrk_mix(server.port, 20)
    time.sleep(5)
    tmp_file = victim + ".tmp"
    with open(tmp_file, "wb") as f:
        f.write(b'{"type": "FeatureCollection", "features": [{"type": "Feat')
    os.replace(tmp_file, victim)
    server.proc.send_signal(signal.SIGHUP)
    failed = wait_reload(None)
    _, _, health = request(server.port, "GET", "/health")
    problems = failed.get("problems", [])
    names_file = any(p.get("file", "").endswith("towns.geojson") for p in problems)
    print(f"  corrupt towns.geojson + SIGHUP: outcome {failed.get('outcome')!r}, "
          f"status {health.get('status')!r}, problem: {problems[0]['message'] if problems else None!r}")
    time.sleep(3)
    with open(tmp_file, "wb") as f:
        f.write(original)
    os.replace(tmp_file, victim)
    server.proc.send_signal(signal.SIGHUP)
    restored = wait_reload(failed.get("finished_at"))
    _, _, health = request(server.port, "GET", "/health")
    # "unchanged": the restored files are the data still served, so nothing is swapped.
    print(f"  restored + SIGHUP: outcome {restored.get('outcome')!r}, status {health.get('status')!r}")
    result = run.result()
    server.stop()
    errors = int(result["non2xx"]) + int(result["socket_errors"])
    print(f"  load during both reloads (20 s, 256 connections, the mix): {result['requests']} requests, "
          f"{result['rps']} req/s, p99 {result['p99_ms']} ms, non-2xx {result['non2xx']}, "
          f"socket errors {result['socket_errors']}")
    ok = (errors == 0 and failed.get("outcome") == "failed" and names_file
          and restored.get("outcome") in ("reloaded", "unchanged")
          and health.get("status") == "ok")
    print(f"  {'PASS' if ok else 'FAIL'}")
    return ok


def idle_connections(tmp, count=1000, timeout_s=5):
    print(f"== c. {count} idle connections, header read timeout {timeout_s} s")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(want, soft), hard), hard))
    server = Server("faults-idle.log", "--data", os.path.join(ROOT, "geodata"), "--web", "/nonexistent",
                    "--db", os.path.join(tmp, "idle.sqlite"), "--header-read-timeout-s", str(timeout_s))
    idle = []
    opened_at = time.time()
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        idle.append(s)
    opened_in = time.time() - opened_at
    served, failed, worst = 0, [], 0.0
    started = time.time()
    for _ in range(100):
        t0 = time.time()
        try:
            status, _, _ = request(server.port, "GET", "/health", timeout=10)
            if status == 200:
                served += 1
            else:
                failed.append(status)
        except OSError as e:
            failed.append(repr(e))
        worst = max(worst, time.time() - t0)
    served_in = time.time() - started
    print(f"  {count} idle sockets opened in {opened_in:.2f} s; then 100 new GET /health: "
          f"{served} answered 200 in {served_in:.2f} s (slowest {worst * 1000:.1f} ms), failures {failed[:5]}")
    # The idle sockets should be closed by the server once the timeout has passed: look
    # timeout + 2 s after the last one was opened, then again every second, 10 s at most.
    last_open = opened_at + opened_in
    for s in idle:
        s.setblocking(False)
    open_socks = list(idle)
    closed_at = {}
    wait_until = last_open + timeout_s + 2
    time.sleep(max(0.0, wait_until - time.time()))
    for _ in range(11):
        still = []
        for s in open_socks:
            try:
                if s.recv(1) == b"":
                    closed_at[s] = time.time()
                    continue
            except (ConnectionResetError, BrokenPipeError):
                closed_at[s] = time.time()
                continue
            except BlockingIOError:
                pass
            still.append(s)
        open_socks = still
        print(f"  {time.time() - last_open:.1f} s after the last idle socket was opened: "
              f"{len(closed_at)}/{count} read EOF (closed by the server)")
        if not open_socks:
            break
        time.sleep(1)
    closed = len(closed_at)
    for s in idle:
        s.close()
    server.stop()
    ok = served == 100 and closed == count
    print(f"  {'PASS' if ok else 'FAIL'}")
    return ok


def main():
    results = {}
    for name in ("faults-kill9.log", "faults-reload.log", "faults-idle.log"):
        open(os.path.join(OUT, name), "wb").close()
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (("kill -9 under load", kill9_under_load),
                          ("corrupt reload under load", corrupt_reload_under_load),
                          ("1,000 idle connections", idle_connections)):
            if len(sys.argv) > 1 and not any(a in name for a in sys.argv[1:]):
                continue
            results[name] = run(tmp)
    print("== summary")
    for name, ok in results.items():
        print(f"  {name}: {'PASS' if ok else 'FAIL'}")
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
