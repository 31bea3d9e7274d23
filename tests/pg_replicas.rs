//! Replicas over PostgreSQL (issue 15): a throwaway PostgreSQL/PostGIS cluster per test
//! (tools/pg/throwaway.sh), saved loops shared by two servers on one database, idempotent
//! saves, `db copy-loops`, and a database outage.
//!
//! Outside CI a machine without Debian's postgresql-15 / postgresql-15-postgis-3 skips these
//! tests with a printed reason; with `CI=true` that fails them.

mod common;

use common::Server;
use common::pg::Pg;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use yuqian::store::{Idempotency, LoopStore, NewLoop, Saved};

#[test]
fn the_throwaway_cluster_has_postgis_and_comes_back_after_a_stop() {
    if std::env::var_os("CI").is_some() {
        // The cluster tests of issue 15 put HAProxy in front of the replicas.
        assert!(
            std::path::Path::new("/usr/sbin/haproxy").exists(),
            "CI needs haproxy: make setup-system installs it"
        );
    }
    let Some(pg) = Pg::start("the_throwaway_cluster_has_postgis") else {
        return;
    };
    assert!(pg.psql("SELECT postgis_version()").starts_with('3'));
    pg.psql("CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)");
    pg.stop();
    pg.restart();
    assert_eq!(pg.psql("SELECT x FROM kept"), "7");
}

/// An HTTP answer: status, the headers we look at, the JSON body.
#[derive(Debug)]
struct Answer {
    status: u16,
    etag: Option<String>,
    replayed: bool,
    body: Value,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn call(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let url = format!("http://{}{path}", server.addr);
    let mut b = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let resp = match body {
        Some(json) => agent().run(
            b.header("content-type", "application/json")
                .body(json.to_string())
                .unwrap(),
        ),
        None => agent().run(b.body(()).unwrap()),
    };
    let mut resp = resp.expect("the server answers");
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header("etag");
    let replayed = header("idempotent-replayed").is_some();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        etag,
        replayed,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// The body of `GET path`, byte for byte.
fn raw(server: &Server, path: &str) -> (u16, Vec<u8>) {
    let mut resp = agent()
        .get(format!("http://{}{path}", server.addr))
        .call()
        .expect("the server answers");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_vec().unwrap())
}

/// Calls `probe` every 50 ms until it gives something; fails after 60 s (a bound, not a
/// timing assertion: each wait ends as soon as the state is reached).
fn poll<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the state was not reached within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `yuqian load DIR --into URL`; its output, asserting success.
fn load(dir: &Path, url: &str) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
        .arg("load")
        .arg(dir)
        .args(["--into", url])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The small fixture in a folder of its own, with one more reservoir named `name_zh`.
fn fixture_with_extra_reservoir(into: &Path, id: &str, name_zh: &str) {
    std::fs::create_dir_all(into).unwrap();
    for entry in std::fs::read_dir(common::fixture("small")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), into.join(entry.file_name())).unwrap();
    }
    let path = into.join("reservoirs.geojson");
    let mut fc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    fc["features"].as_array_mut().unwrap().push(json!({
        "type": "Feature", "id": id,
        "geometry": {"type": "Point", "coordinates": [106.7, 28.7]},
        "properties": {"status": "planned", "provinces": ["chongqing"], "source": "test",
                       "accuracy": "approximate", "name_zh": name_zh, "name_en": "New",
                       "zeta": 1, "alpha": {"b": 2, "a": 1}}
    }));
    std::fs::write(&path, fc.to_string()).unwrap();
}

fn save_body(name: &str) -> Value {
    json!({"name": name, "notes": "备注 & <notes>", "stops": ["town-ganshui", "town-tongzi", "res-zaodu"]})
}

/// A replica: `yuqian serve` on the small fixture with its loops in `pg`'s database.
fn replica(pg: &Pg) -> Server {
    Server::start(Path::new(&pg.url()), &[])
}

#[test]
fn migrations_are_applied_once_when_two_replicas_open_the_database_at_once() {
    let Some(pg) = Pg::start("migrations_are_applied_once") else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = pg.url();
        let (a, b) = tokio::join!(LoopStore::connect(&url), LoopStore::connect(&url));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.count().await.unwrap(), 0);
        assert_eq!(b.count().await.unwrap(), 0);
        // A third, later start finds nothing to do.
        LoopStore::connect(&url).await.unwrap();

        // Two saves with one key racing on two pools: one loop, and both answer it.
        let new = NewLoop {
            name: "并发".into(),
            notes: String::new(),
            request: json!({"stops": []}),
            plan: json!({"type": "Feature"}),
        };
        let key = Idempotency {
            key: "k".into(),
            fingerprint: "f".into(),
        };
        let (x, y) = tokio::join!(
            a.insert(new.clone(), Some(key.clone())),
            b.insert(new.clone(), Some(key.clone()))
        );
        let id = |s: Saved| match s {
            Saved::Created(l) => (true, l.id),
            Saved::Earlier(e) => (false, e.first.id),
        };
        let (x, y) = (id(x.unwrap()), id(y.unwrap()));
        assert_eq!(x.1, y.1);
        assert!(x.0 ^ y.0, "exactly one of them created the loop");
        assert_eq!(a.count().await.unwrap(), 1);
    });
    assert_eq!(
        pg.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"),
        "1"
    );
}

#[test]
fn a_loop_saved_through_one_replica_is_read_updated_and_etag_guarded_through_another() {
    let Some(pg) = Pg::start("a_loop_saved_through_one_replica") else {
        return;
    };
    let (a, b) = (replica(&pg), replica(&pg));
    let saved = call(&a, "POST", "/api/loops", &[], Some(&save_body("红色环线")));
    assert_eq!(saved.status, 201, "{:?}", saved.body);
    assert_eq!(saved.etag.as_deref(), Some("\"v1\""));
    let id = saved.body["id"].as_i64().unwrap();
    let path = format!("/api/loops/{id}");

    let read = call(&b, "GET", &path, &[], None);
    assert_eq!(read.status, 200);
    assert_eq!(read.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        read.body, saved.body,
        "the other replica reads the same loop"
    );
    let listed = call(&b, "GET", "/api/loops", &[], None);
    assert_eq!(listed.body["loops"][0]["id"], id);

    let renamed = save_body("改名");
    let updated = call(&b, "PUT", &path, &[("if-match", "\"v1\"")], Some(&renamed));
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.etag.as_deref(), Some("\"v2\""));
    // The first replica still holds v1 from its save: its change is refused.
    let stale = call(&a, "PUT", &path, &[("if-match", "\"v1\"")], Some(&renamed));
    assert_eq!(stale.status, 412, "{:?}", stale.body);
    assert_eq!(stale.body["parameter"], "If-Match");
    let stale = call(&a, "DELETE", &path, &[("if-match", "\"v1\"")], None);
    assert_eq!(stale.status, 412);
    let now = call(&a, "GET", &path, &[], None);
    assert_eq!(now.body["name"], "改名");
    assert_eq!(now.etag.as_deref(), Some("\"v2\""));
    assert_eq!(now.body["created_at"], saved.body["created_at"]);
    assert_eq!(
        call(&a, "DELETE", &path, &[("if-match", "\"v2\"")], None).status,
        204
    );
    assert_eq!(call(&b, "GET", &path, &[], None).status, 404);
}

#[test]
fn a_retried_save_with_its_idempotency_key_answers_the_first_save_on_any_replica() {
    let Some(pg) = Pg::start("a_retried_save_with_its_idempotency_key") else {
        return;
    };
    let (a, b) = (replica(&pg), replica(&pg));
    let key = [("idempotency-key", "4f1c2b7e-retry-1")];
    let body = save_body("重试");
    let first = call(&a, "POST", "/api/loops", &key, Some(&body));
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert!(!first.replayed);
    for replica in [&a, &b] {
        let again = call(replica, "POST", "/api/loops", &key, Some(&body));
        assert_eq!(again.status, 201, "{:?}", again.body);
        assert!(again.replayed);
        assert_eq!(again.body, first.body, "the first save's answer");
        assert_eq!(again.etag, first.etag);
    }
    let other = call(&b, "POST", "/api/loops", &key, Some(&save_body("另一个")));
    assert_eq!(other.status, 422, "{:?}", other.body);
    assert_eq!(other.body["parameter"], "Idempotency-Key");

    // Saves racing with one key on both replicas at once: one loop.
    let race = [("idempotency-key", "race-2")];
    let (x, y) = std::thread::scope(|s| {
        let x = s.spawn(|| call(&a, "POST", "/api/loops", &race, Some(&body)));
        let y = s.spawn(|| call(&b, "POST", "/api/loops", &race, Some(&body)));
        (x.join().unwrap(), y.join().unwrap())
    });
    assert_eq!(
        (x.status, y.status),
        (201, 201),
        "{:?} {:?}",
        x.body,
        y.body
    );
    assert_eq!(x.body["id"], y.body["id"]);
    assert_eq!(pg.psql("SELECT count(*) FROM loops"), "2");
    let bad = call(
        &a,
        "POST",
        "/api/loops",
        &[("idempotency-key", "")],
        Some(&body),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["parameter"], "Idempotency-Key");
}

#[test]
fn while_the_database_is_down_loop_writes_get_503_data_reads_work_and_then_writes_recover() {
    let Some(pg) = Pg::start("while_the_database_is_down") else {
        return;
    };
    // Trust authentication ignores the password; it is there to be kept out of the log.
    let url = pg.url().replace("postgres@", "postgres:s3cret@");
    load(&common::fixture("small"), &url);
    // Loops and data both in the database.
    let a = Server::start_with_data(Path::new(&url), Path::new(&url), &[]);
    assert_eq!(call(&a, "GET", "/health", &[], None).body["status"], "ok");
    let saved = call(&a, "POST", "/api/loops", &[], Some(&save_body("before")));
    assert_eq!(saved.status, 201);
    pg.stop();

    let write = call(&a, "POST", "/api/loops", &[], Some(&save_body("during")));
    assert_eq!(write.status, 503, "{:?}", write.body);
    assert_eq!(write.body["error"], "database_unavailable");
    let id = saved.body["id"].as_i64().unwrap();
    let change = call(
        &a,
        "PUT",
        &format!("/api/loops/{id}"),
        &[("if-match", "\"v1\"")],
        Some(&save_body("x")),
    );
    assert_eq!(change.status, 503);
    assert_eq!(
        call(&a, "GET", &format!("/api/loops/{id}"), &[], None).status,
        503
    );
    let nearby = call(&a, "GET", "/api/nearby?lon=106.70&lat=28.70&k=3", &[], None);
    assert_eq!(nearby.status, 200, "data reads come from the snapshot");
    assert_eq!(nearby.body["features"].as_array().unwrap().len(), 3);
    let plan = call(
        &a,
        "POST",
        "/api/loops/plan",
        &[],
        Some(&json!({"stops": ["town-ganshui", "town-tongzi"]})),
    );
    assert_eq!(plan.status, 200, "planning needs no database");
    // The replica notices that its data database is gone: still 200, but degraded.
    let health = poll(|| {
        let h = call(&a, "GET", "/health", &[], None);
        (h.body["status"] == "degraded").then_some(h)
    });
    assert_eq!(health.status, 200);
    assert_eq!(health.body["source_reachable"], false);
    let ready = call(&a, "GET", "/health/ready", &[], None);
    assert_eq!((ready.status, &ready.body["degraded"]), (200, &json!(true)));

    pg.restart();
    // The pool reconnects by itself (after its backoff): poll, no restart of the replica.
    let started = Instant::now();
    let after = loop {
        let r = call(&a, "POST", "/api/loops", &[], Some(&save_body("after")));
        if r.status != 503 || started.elapsed() > Duration::from_secs(60) {
            break r;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        after.status,
        201,
        "{:?}\n{}",
        after.body,
        a.log().join("\n")
    );
    assert_eq!(
        call(&a, "GET", &format!("/api/loops/{id}"), &[], None).body["name"],
        "before"
    );
    poll(|| (call(&a, "GET", "/health", &[], None).body["status"] == "ok").then_some(()));
    let log = a.log().join("\n");
    assert!(!log.contains("s3cret"), "no credentials in the log:\n{log}");
    assert!(log.contains("postgres:<redacted>@127.0.0.1"), "{log}");
}

#[test]
fn copy_loops_moves_every_loop_intact_and_refuses_to_copy_over_the_same_ids() {
    let Some(pg) = Pg::start("copy_loops_moves_every_loop_intact") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("yuqian.sqlite");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let before = rt.block_on(async {
        let store = LoopStore::open(&sqlite).unwrap();
        let new = |name: &str, notes: &str| NewLoop {
            name: name.into(),
            notes: notes.into(),
            request: json!({"stops": ["town-ganshui", [106.6, 29.0]], "roundtrip": false}),
            plan: json!({"type": "Feature", "properties": {"distance_m": 1234.5, "z": 1, "a": 2}}),
        };
        let key = Idempotency {
            key: "copied-key".into(),
            fingerprint: "abc".into(),
        };
        let mut ids = Vec::new();
        for (i, notes) in ["", "备注 <b>&</b>", "\"quoted\"\nnew line"]
            .iter()
            .enumerate()
        {
            let k = (i == 0).then(|| key.clone());
            match store
                .insert(new(&format!("环线 {i}"), notes), k)
                .await
                .unwrap()
            {
                Saved::Created(l) => ids.push(l.id),
                Saved::Earlier(_) => unreachable!("a new key"),
            }
        }
        // A loop changed twice (version 3) and one deleted (a gap in the ids).
        store.update(ids[1], 1, new("改名", "v2")).await.unwrap();
        store.update(ids[1], 2, new("再改", "v3")).await.unwrap();
        store.delete(ids[0], 1).await.unwrap();
        store.list().await.unwrap()
    });
    assert_eq!(before.len(), 2);

    let copy = |into: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
            .args(["db", "copy-loops", "--from"])
            .arg(&sqlite)
            .args(["--into", into])
            .output()
            .unwrap()
    };
    let url = pg.url().replace("postgres@", "postgres:s3cret@");
    let out = copy(&url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("copied 2 loops (ids 2 to 3) and 1 idempotency keys"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("s3cret") && stdout.contains("<redacted>"),
        "{stdout}"
    );

    rt.block_on(async {
        let target = LoopStore::connect(&pg.url()).await.unwrap();
        assert_eq!(
            target.list().await.unwrap(),
            before,
            "ids, versions, times, notes, JSON"
        );
        let changed = before.iter().find(|l| l.name == "再改").unwrap();
        assert_eq!(target.get(changed.id).await.unwrap().unwrap().version, 3);
        let keyed = target.keyed("copied-key").await.unwrap().unwrap();
        assert_eq!(
            keyed.first.id, 1,
            "the key still answers its (deleted) first save"
        );
        // The id sequence continues past the copied ids.
        let next = match target
            .insert(
                NewLoop {
                    name: "新".into(),
                    notes: String::new(),
                    request: json!({}),
                    plan: json!({}),
                },
                None,
            )
            .await
            .unwrap()
        {
            Saved::Created(l) => l.id,
            Saved::Earlier(_) => unreachable!(),
        };
        assert_eq!(next, 4);
    });

    let again = copy(&pg.url());
    assert!(!again.status.success(), "a second copy is refused");
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("already holds loops with the ids 2, 3"),
        "{err}"
    );
    assert_eq!(
        pg.psql("SELECT count(*) FROM loops"),
        "3",
        "nothing copied twice"
    );
}

#[test]
fn replicas_on_a_loaded_database_answer_byte_for_byte_as_a_replica_on_the_folder() {
    let Some(pg) = Pg::start("replicas_on_a_loaded_database_answer") else {
        return;
    };
    let out = load(&common::fixture("small"), &pg.url());
    assert!(out.contains("22 features written"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let url = pg.url();
    let on_db = [
        Server::start_with_data(Path::new(&url), &dir.path().join("a.sqlite"), &[]),
        Server::start_with_data(Path::new(&url), &dir.path().join("b.sqlite"), &[]),
    ];
    let on_folder = Server::start(&dir.path().join("c.sqlite"), &[]);
    for path in [
        "/api/nearby?lon=106.70&lat=28.70&k=8",
        "/api/nearby?lon=106.70&lat=28.70&radius_m=8000",
        "/api/corridor?feature=rail-chuanqian&width_m=5000",
        "/api/features?bbox=106.6,28.5,106.8,28.8&layers=railways,reservoirs,railway_stations",
        "/api/features/rail-chuanqian",
        "/api/region?lon=106.7&lat=28.9",
        "/api/crossings",
        "/api/layers",
        "/tiles/railways,counties/8/203/106.mvt",
    ] {
        let want = raw(&on_folder, path);
        assert_eq!(want.0, 200, "{path}");
        assert!(!want.1.is_empty(), "{path}");
        for replica in &on_db {
            assert_eq!(raw(replica, path), want, "{path}");
        }
    }
    let version = |s: &Server| call(s, "GET", "/health", &[], None).body["data_version"].clone();
    assert_eq!(version(&on_db[0]), version(&on_folder));
    let health = call(&on_db[1], "GET", "/health", &[], None).body;
    assert_eq!(health["source"], url.as_str());
    // Properties keep their order through the database (json, not jsonb).
    let stored = pg.psql("SELECT properties FROM data_features WHERE id = 'rail-chuanqian'");
    assert!(
        stored.starts_with(r#"{"name_zh":"川黔铁路","name_en":"#),
        "{stored}"
    );
}

#[test]
fn a_new_load_reaches_every_replica_without_a_restart_and_no_read_fails_meanwhile() {
    let Some(pg) = Pg::start("a_new_load_reaches_every_replica") else {
        return;
    };
    load(&common::fixture("small"), &pg.url());
    let url = pg.url();
    let replicas = [
        Server::start_with_data(Path::new(&url), Path::new(&url), &[]),
        Server::start_with_data(Path::new(&url), Path::new(&url), &[]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let next = dir.path().join("next");
    fixture_with_extra_reservoir(&next, "res-new", "新水库");
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
        .arg("check")
        .arg(&next)
        .output()
        .unwrap();
    let check = String::from_utf8_lossy(&check.stdout).to_string();
    let expected = check
        .lines()
        .find_map(|l| l.strip_prefix("data version "))
        .expect("check prints the data version")
        .to_string();

    let stop = std::sync::atomic::AtomicBool::new(false);
    let failures = std::thread::scope(|scope| {
        let readers: Vec<_> = replicas
            .iter()
            .map(|r| {
                let stop = &stop;
                scope.spawn(move || {
                    let (mut reads, mut failed) = (0, Vec::new());
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) || reads == 0 {
                        let (status, _) = raw(r, "/api/nearby?lon=106.70&lat=28.70&k=3");
                        reads += 1;
                        if status != 200 {
                            failed.push(status);
                        }
                    }
                    failed
                })
            })
            .collect();
        let out = load(&next, &url);
        assert!(out.contains("23 features written"), "{out}");
        for r in &replicas {
            poll(|| {
                (call(r, "GET", "/health", &[], None).body["data_version"] == expected.as_str())
                    .then_some(())
            });
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        readers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert!(
        failures.is_empty(),
        "failed reads during the reload: {failures:?}"
    );
    for r in &replicas {
        let f = call(r, "GET", "/api/features/res-new", &[], None);
        assert_eq!(f.status, 200);
        assert_eq!(
            f.body["properties"]["alpha"].to_string(),
            r#"{"b":2,"a":1}"#,
            "nested key order kept"
        );
        let health = call(r, "GET", "/health", &[], None).body;
        assert_eq!(health["last_reload"]["trigger"], "notify");
    }
}

#[test]
fn load_writes_nothing_for_invalid_data_keeps_the_newest_versions_and_check_refuses_a_url() {
    let Some(pg) = Pg::start("load_writes_nothing_for_invalid_data") else {
        return;
    };
    let yuqian = || std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"));
    let out = yuqian()
        .arg("load")
        .arg(common::fixture("bad"))
        .args(["--into", &pg.url()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("problem(s) in the data") && stdout.contains("nothing was written"),
        "{stdout}"
    );
    assert_eq!(
        pg.psql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'data_%'"),
        "0",
        "not even a table"
    );

    let dir = tempfile::tempdir().unwrap();
    let empty = yuqian()
        .args(["serve", "--addr", "127.0.0.1:0", "--web", "/nonexistent"])
        .args(["--data", &pg.url(), "--db"])
        .arg(dir.path().join("e.sqlite"))
        .output()
        .unwrap();
    assert!(!empty.status.success(), "nothing to serve");
    let err = String::from_utf8_lossy(&empty.stderr);
    assert!(err.contains("holds no data version yet"), "{err}");
    for i in 0..5 {
        let d = dir.path().join(format!("v{i}"));
        fixture_with_extra_reservoir(&d, "res-new", &format!("第{i}版"));
        load(&d, &pg.url());
    }
    // The same content again is not a new version.
    let again = load(&dir.path().join("v4"), &pg.url());
    assert!(again.contains("unchanged"), "{again}");
    assert_eq!(
        pg.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM data_versions"),
        "3,4,5",
        "the newest three versions are kept"
    );
    assert_eq!(
        pg.psql("SELECT count(DISTINCT version_id) FROM data_features"),
        "3",
        "the features of pruned versions are gone"
    );
    assert_eq!(
        pg.psql(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'data_features_geom' AND indexdef LIKE '%gist%'"
        ),
        "1"
    );

    let refused = yuqian().args(["check", &pg.url()]).output().unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("yuqian load DIR --into URL"), "{err}");
    let watch = yuqian()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--web",
            "/nonexistent",
            "--watch",
        ])
        .args(["--data", &pg.url(), "--db"])
        .arg(dir.path().join("w.sqlite"))
        .output()
        .unwrap();
    assert!(!watch.status.success());
    let err = String::from_utf8_lossy(&watch.stderr);
    assert!(err.contains("--watch needs a data folder"), "{err}");
}

#[test]
fn a_version_changed_behind_loads_back_is_refused_naming_its_feature_and_the_old_snapshot_serves() {
    let Some(pg) = Pg::start("a_version_changed_behind_loads_back_is_refused") else {
        return;
    };
    load(&common::fixture("small"), &pg.url());
    let dir = tempfile::tempdir().unwrap();
    let url = pg.url();
    let replica = Server::start_with_data(Path::new(&url), &dir.path().join("a.sqlite"), &[]);
    let before = call(&replica, "GET", "/health", &[], None).body["data_version"].clone();
    // Someone edits the stored version by SQL: a status outside the schema.
    pg.psql(
        "UPDATE data_features SET properties = jsonb_set(properties::jsonb, '{status}', '\"finished\"')::json WHERE id = 'rail-chuanqian'",
    );
    let reload = call(&replica, "POST", "/admin/reload", &[], None);
    assert_eq!(reload.status, 422, "{:?}", reload.body);
    let problems = reload.body["problems"].to_string();
    assert!(
        problems.contains("data version 1, layer railways: feature 0 (id \\\"rail-chuanqian\\\")")
            && problems.contains("status"),
        "{problems}"
    );
    assert!(
        !problems.contains("yuqian-data-"),
        "no temporary file is named: {problems}"
    );
    let health = call(&replica, "GET", "/health", &[], None).body;
    assert_eq!(
        health["data_version"], before,
        "the old snapshot still serves"
    );
    assert_eq!(health["last_reload"]["outcome"], "failed");
    assert_eq!(
        call(&replica, "GET", "/api/features/rail-chuanqian", &[], None).status,
        200
    );
}
