//! The server run as an operator runs it, over a real socket: reloads (SIGHUP, `--watch`,
//! `/admin/reload`) with valid and corrupt data and under load, and heavy work that never
//! holds up cheap requests: a full queue, a spent budget.

mod common;

use common::{Server, fixture};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// (status, JSON body, headers we look at)
fn call(
    req: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> (u16, Value, Option<String>) {
    let mut resp = req.expect("the server answers");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        retry,
    )
}

fn get(addr: &str, path: &str) -> (u16, Value) {
    let (s, v, _) = call(agent().get(format!("http://{addr}{path}")).call());
    (s, v)
}

/// A copy of the small fixture that a test may change.
fn data_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for entry in std::fs::read_dir(fixture("small")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    (dir, data)
}

/// Writes the reservoirs layer with one more reservoir, `id`, atomically (as a deploy would).
fn add_reservoir(data: &Path, id: &str) {
    let path = data.join("reservoirs.geojson");
    let mut fc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    fc["features"].as_array_mut().unwrap().push(json!({
        "type": "Feature", "id": id,
        "geometry": {"type": "Point", "coordinates": [106.65, 28.66]},
        "properties": {"status": "planned", "provinces": ["chongqing"], "source": "test",
                       "accuracy": "approximate", "name_zh": "新水库", "name_en": "New Reservoir"}
    }));
    let tmp = data.join(".reservoirs.tmp");
    std::fs::write(&tmp, serde_json::to_vec(&fc).unwrap()).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
}

fn sighup(server: &Server) {
    let ok = std::process::Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Waits until `/health` shows a reload that finished after `after` (its `finished_at`).
fn wait_reload(addr: &str, previous: Option<&str>) -> Value {
    let started = Instant::now();
    loop {
        let (_, health) = get(addr, "/health");
        let finished = health["last_reload"]["finished_at"]
            .as_str()
            .map(str::to_string);
        if finished.is_some() && finished.as_deref() != previous {
            return health;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no reload: {health}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start(data: &Path, db_dir: &Path, extra: &[&str]) -> Server {
    Server::start_with_data(data, &db_dir.join("loops.sqlite"), extra)
}

#[test]
fn sighup_reloads_valid_data_and_keeps_serving_the_old_data_when_a_file_is_corrupt() {
    let (dir, data) = data_copy();
    let server = start(&data, dir.path(), &[]);
    let addr = server.addr.clone();
    let (_, before) = get(&addr, "/health");
    assert_eq!(before["status"], "ok");
    let v1 = before["data_version"].as_str().unwrap().to_string();
    assert_eq!(get(&addr, "/api/features/res-new").0, 404);

    add_reservoir(&data, "res-new");
    sighup(&server);
    let health = wait_reload(&addr, None);
    assert_eq!(health["last_reload"]["outcome"], "reloaded", "{health}");
    assert_eq!(health["last_reload"]["trigger"], "sighup");
    assert_eq!(health["status"], "ok");
    assert_ne!(health["data_version"], v1.as_str());
    assert_eq!(
        health["layers"]["reservoirs"].as_u64(),
        before["layers"]["reservoirs"].as_u64().map(|n| n + 1)
    );
    let (status, f) = get(&addr, "/api/features/res-new");
    assert_eq!(status, 200);
    assert_eq!(f["properties"]["name_en"], "New Reservoir");
    let v2 = health["data_version"].as_str().unwrap().to_string();

    std::fs::write(
        data.join("railways.geojson"),
        "{\"type\": \"FeatureCollection\", \"features\": [",
    )
    .unwrap();
    sighup(&server);
    let health = wait_reload(&addr, health["last_reload"]["finished_at"].as_str());
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["last_reload"]["outcome"], "failed");
    let problem = &health["last_reload"]["problems"][0];
    assert!(
        problem["file"]
            .as_str()
            .unwrap()
            .ends_with("railways.geojson"),
        "{problem}"
    );
    assert!(
        problem["reason"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON"),
        "{problem}"
    );
    // The old data still serves, and the process is up.
    assert_eq!(health["data_version"], v2.as_str());
    assert_eq!(get(&addr, "/api/features/res-new").0, 200);
    assert_eq!(get(&addr, "/api/features/rail-chuanqian").0, 200);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("reload problem") && l.contains("railways.geojson"))
    );
}

#[test]
fn five_reloads_while_eight_clients_query_fail_no_request() {
    let (dir, data) = data_copy();
    let server = start(&data, dir.path(), &[]);
    let addr = server.addr.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let clients: Vec<_> = (0..8)
        .map(|i| {
            let (addr, stop, answered, failures) = (
                addr.clone(),
                stop.clone(),
                answered.clone(),
                failures.clone(),
            );
            std::thread::spawn(move || {
                let paths = [
                    "/api/nearby?lon=106.7&lat=28.7&k=5",
                    "/api/features/rail-chuanqian",
                    "/api/corridor?feature=rail-chuanqian&width_m=20000",
                    "/api/layers",
                ];
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let path = paths[(i + n) % paths.len()];
                    let (status, body) = get(&addr, path);
                    if status != 200 {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{path}: {status} {body}"));
                    }
                    answered.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    let mut previous: Option<String> = None;
    for round in 0..5 {
        add_reservoir(&data, &format!("res-round-{round}"));
        sighup(&server);
        let health = wait_reload(&addr, previous.as_deref());
        assert_eq!(health["last_reload"]["outcome"], "reloaded", "{health}");
        previous = health["last_reload"]["finished_at"]
            .as_str()
            .map(str::to_string);
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    assert!(
        answered.load(Ordering::Relaxed) > 40,
        "the clients barely ran"
    );
    assert_eq!(failures.lock().unwrap().as_slice(), &[] as &[String]);
    assert_eq!(get(&addr, "/api/features/res-round-4").0, 200);
}

#[test]
fn watch_reloads_when_a_data_file_changes() {
    let (dir, data) = data_copy();
    let server = start(&data, dir.path(), &["--watch"]);
    let addr = server.addr.clone();
    add_reservoir(&data, "res-watched");
    let health = wait_reload(&addr, None);
    assert_eq!(health["last_reload"]["trigger"], "watch", "{health}");
    // Several events may settle into more than one reload; the feature is there in the end.
    let started = Instant::now();
    while get(&addr, "/api/features/res-watched").0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn admin_reload_needs_the_admin_token() {
    let (dir, data) = data_copy();
    let server = start(&data, dir.path(), &["--admin-token", "t0ken"]);
    let url = format!("http://{}/admin/reload", server.addr);
    let (status, body, _) = call(agent().post(&url).send_empty());
    assert_eq!(status, 401, "{body}");
    let (status, _, _) = call(
        agent()
            .post(&url)
            .header("Authorization", "Bearer nope")
            .send_empty(),
    );
    assert_eq!(status, 401);
    add_reservoir(&data, "res-admin");
    let (status, body, _) = call(
        agent()
            .post(&url)
            .header("Authorization", "Bearer t0ken")
            .send_empty(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "reloaded");
    // The same data again swaps nothing.
    let (status, body, _) = call(
        agent()
            .post(&url)
            .header("Authorization", "Bearer t0ken")
            .send_empty(),
    );
    assert_eq!((status, body["outcome"].as_str()), (200, Some("unchanged")));
    std::fs::write(data.join("towns.geojson"), "[]").unwrap();
    let (status, body, _) = call(
        agent()
            .post(&url)
            .header("Authorization", "Bearer t0ken")
            .send_empty(),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["outcome"], "failed");
    assert!(
        body["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("towns.geojson")
    );
    // The token never appears in the log.
    assert!(!server.log().iter().any(|l| l.contains("t0ken")));
}

/// A corridor POST at the caps: the most positions a line may have, zig-zagging over the
/// fixture, 100 km wide.
fn maximal_corridor() -> String {
    let n = yuqian::query::corridor::MAX_LINE_POSITIONS;
    let coords: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            [106.0 + t, 28.0 + if i % 2 == 0 { 0.0 } else { 0.8 }]
        })
        .collect();
    json!({"line": {"type": "LineString", "coordinates": coords}, "width_m": 100000}).to_string()
}

fn post_corridor(addr: &str, body: &str) -> (u16, Value, Option<String>) {
    call(
        agent()
            .post(format!("http://{addr}/api/corridor"))
            .header("content-type", "application/json")
            .send(body),
    )
}

#[test]
fn cheap_requests_answer_while_heavy_ones_run() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        &fixture("small"),
        dir.path(),
        &["--heavy-concurrency", "1", "--heavy-queue", "8"],
    );
    let addr = server.addr.clone();
    let body = maximal_corridor();
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let heavy: Vec<_> = (0..6)
        .map(|i| {
            let (addr, body, events) = (addr.clone(), body.clone(), events.clone());
            std::thread::spawn(move || {
                let (status, _, _) = post_corridor(&addr, &body);
                events
                    .lock()
                    .unwrap()
                    .push(format!("corridor {i}: {status}"));
            })
        })
        .collect();
    // Wait until the heavy work is running and queued, then ask the cheap questions.
    let started = Instant::now();
    loop {
        if heavy_gauge(&addr, "yuqian_heavy_running") >= 1.0
            && heavy_gauge(&addr, "yuqian_heavy_queued") >= 3.0
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the corridors never queued"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    for path in [
        "/health",
        "/api/layers",
        "/api/features/rail-chuanqian",
        "/health/ready",
    ] {
        let (status, _) = get(&addr, path);
        events.lock().unwrap().push(format!("{path}: {status}"));
    }
    for h in heavy {
        h.join().unwrap();
    }
    let events = events.lock().unwrap().clone();
    // When the cheap questions were asked, one corridor was running and at least three
    // waiting, each needing a whole corridor's work one after the other: the cheap answers all
    // came before the heavy requests had finished.
    let last_cheap = events.iter().rposition(|e| e.starts_with('/')).unwrap();
    let corridors_after = events[last_cheap..]
        .iter()
        .filter(|e| e.starts_with("corridor"))
        .count();
    assert!(
        corridors_after >= 1,
        "the cheap requests waited behind the heavy ones: {events:?}"
    );
    assert!(
        events
            .iter()
            .filter(|e| e.starts_with('/'))
            .all(|e| e.ends_with(": 200")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .filter(|e| e.starts_with("corridor"))
            .all(|e| e.ends_with(": 200")),
        "{events:?}"
    );
}

/// The heavy pool's gauges, read from `/metrics`.
fn heavy_gauge(addr: &str, name: &str) -> f64 {
    let m = agent()
        .get(format!("http://{addr}/metrics"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    common::parse_prometheus(&m)
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["value"].as_f64())
        .unwrap_or(0.0)
}

#[test]
fn a_full_queue_answers_503_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        &fixture("small"),
        dir.path(),
        &["--heavy-concurrency", "1", "--heavy-queue", "0"],
    );
    let addr = server.addr.clone();
    let body = maximal_corridor();
    // While a corridor holds the only slot, another heavy request is refused at once. The
    // corridor may finish between our seeing it run and our asking; then we try again.
    let mut refused = None;
    for _attempt in 0..20 {
        let (a2, b2) = (addr.clone(), body.clone());
        let running = std::thread::spawn(move || post_corridor(&a2, &b2).0);
        let started = Instant::now();
        while heavy_gauge(&addr, "yuqian_heavy_running") < 1.0 && !running.is_finished() {
            assert!(started.elapsed() < Duration::from_secs(60));
        }
        let answer = call(
            agent()
                .get(format!("http://{addr}/api/nearby?lon=106.7&lat=28.7&k=1"))
                .call(),
        );
        assert_eq!(running.join().unwrap(), 200);
        if answer.0 == 503 {
            refused = Some(answer);
            break;
        }
        assert_eq!(answer.0, 200, "{}", answer.1);
    }
    let (_, body, retry) = refused.expect("a heavy request was refused while the slot was busy");
    assert_eq!(body["error"], "busy", "{body}");
    assert_eq!(retry.as_deref(), Some("1"));
    // The slot is free again.
    assert_eq!(get(&addr, "/api/nearby?lon=106.7&lat=28.7&k=1").0, 200);
    assert!(heavy_gauge(&addr, "yuqian_heavy_rejected_total") >= 1.0);
}

#[test]
fn a_request_over_its_budget_stops_frees_its_slot_and_answers_503() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        &fixture("small"),
        dir.path(),
        &[
            "--heavy-concurrency",
            "1",
            "--heavy-queue",
            "0",
            "--heavy-budget-ms",
            "5",
        ],
    );
    let addr = server.addr.clone();
    let (status, body, retry) = post_corridor(&addr, &maximal_corridor());
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "over_budget");
    assert_eq!(retry.as_deref(), Some("1"));
    // Its slot is free: with a queue of 0, a busy slot would answer "busy".
    let m = agent()
        .get(format!("http://{addr}/metrics"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let samples = common::parse_prometheus(&m);
    let running = samples
        .iter()
        .find(|s| s["name"] == "yuqian_heavy_running")
        .and_then(|s| s["value"].as_f64());
    assert_eq!(running, Some(0.0), "{m}");
    let over = samples
        .iter()
        .find(|s| {
            s["name"] == "yuqian_heavy_rejected_total" && s["labels"]["reason"] == "over_budget"
        })
        .and_then(|s| s["value"].as_f64());
    assert_eq!(over, Some(1.0), "{m}");
}
