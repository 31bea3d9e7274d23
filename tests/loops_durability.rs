//! Saved loops survive a restart and a `kill -9` in the middle of a burst of concurrent saves:
//! every loop the server acknowledged (201) is there afterwards, intact.

mod common;

use common::{Server, fixture};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_yuqian");

/// One HTTP/1.1 request on its own connection; `None` if the server is gone.
fn http(addr: &str, method: &str, path: &str, body: &str) -> Option<(u16, Value)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut raw = String::new();
    s.read_to_string(&mut raw).ok()?;
    let status: u16 = raw.split(' ').nth(1)?.parse().ok()?;
    let body = raw.split("\r\n\r\n").nth(1).unwrap_or("");
    Some((status, serde_json::from_str(body).unwrap_or(Value::Null)))
}

fn body(name: &str) -> String {
    json!({"name": name, "notes": format!("notes of {name}"), "stops": ["town-ganshui", "town-tongzi", [106.6, 29.0]], "paths": "straight"}).to_string()
}

#[test]
fn acknowledged_loops_survive_a_restart_and_a_kill_9_during_a_burst() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("var/loops.sqlite");

    // A plain restart first.
    let mut server = Server::start(&db, &[]);
    let (status, saved) =
        http(&server.addr, "POST", "/api/loops", &body("before-restart")).unwrap();
    assert_eq!(status, 201, "{saved}");
    let first = saved["id"].as_i64().unwrap();
    server.signal_and_wait("TERM");
    let mut server = Server::start(&db, &[]);
    let addr = server.addr.clone();
    let (status, got) = http(&addr, "GET", &format!("/api/loops/{first}"), "").unwrap();
    assert_eq!(
        (status, got["name"].as_str()),
        (200, Some("before-restart"))
    );

    // A burst of concurrent saves, killed in the middle.
    let acked: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let (addr, acked) = (addr.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0..10_000 {
                    let name = format!("burst-{w}-{i}");
                    match http(&addr, "POST", "/api/loops", &body(&name)) {
                        Some((201, v)) => acked
                            .lock()
                            .unwrap()
                            .push((v["id"].as_i64().unwrap(), name)),
                        Some((status, v)) => panic!("unexpected {status}: {v}"),
                        None => return, // the server is gone
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while acked.lock().unwrap().len() < 60 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the burst is too slow"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    server.signal_and_wait("KILL");
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 60);

    let server = Server::start(&db, &[]);
    let addr = server.addr.clone();
    for (id, name) in &acked {
        let (status, got) = http(&addr, "GET", &format!("/api/loops/{id}"), "").unwrap();
        assert_eq!(status, 200, "acknowledged loop {id} ({name}) is lost");
        assert_eq!(got["name"], name.as_str());
        assert_eq!(got["notes"], format!("notes of {name}"));
        assert_eq!(
            got["request"]["stops"],
            json!(["town-ganshui", "town-tongzi", [106.6, 29.0]])
        );
        assert_eq!(got["plan"]["type"], "Feature");
        assert_eq!(got["version"], 1);
    }
    let (_, list) = http(&addr, "GET", "/api/loops", "").unwrap();
    assert!(
        list["loops"].as_array().unwrap().len() > acked.len(),
        "every acknowledged loop and the first are listed"
    );
}

#[test]
fn the_server_refuses_a_public_address_with_writes_open() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0", "--data"])
        .arg(fixture("small"))
        .arg("--db")
        .arg(dir.path().join("x.sqlite"))
        .env_remove("YUQIAN_WRITE_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--write-token"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
