//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod pg;
pub mod tiles;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use tower::ServiceExt;
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn small() -> Dataset {
    Dataset::load(&fixture("small")).expect("the small fixture is valid")
}

pub fn router() -> axum::Router {
    app(AppState::new(small()), None)
}

/// Sends one request through the production router, without a socket.
pub async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .expect("the router is infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
}

pub async fn get(router: &axum::Router, uri: &str) -> (StatusCode, Value) {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_json(
    router: &axum::Router,
    uri: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    send(
        router,
        Request::post(uri)
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap(),
    )
    .await
}

pub fn ids(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

/// A `yuqian serve` process on a free loopback port, its log collected as it comes.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the built binary with the small fixture, no web folder, the database `db` and
    /// any `extra` flags; returns once it listens.
    pub fn start(db: &std::path::Path, extra: &[&str]) -> Server {
        Server::start_with_data(&fixture("small"), db, extra)
    }

    /// Like [`Server::start`] with the data folder `data`.
    pub fn start_with_data(data: &std::path::Path, db: &std::path::Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--web",
                "/nonexistent",
                "--data",
            ])
            .arg(data)
            .arg("--db")
            .arg(db)
            .args(extra)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the server binary runs");
        let log: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("piped");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.trim().to_string());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| {
                panic!(
                    "the server did not start listening:\n{}",
                    log.lock().unwrap().join("\n")
                )
            });
        let server = Server { child, addr, log };
        server.wait_ready();
        server
    }

    /// Polls `/health/ready` until the first snapshot is in (the server listens while it loads).
    pub fn wait_ready(&self) {
        let started = std::time::Instant::now();
        loop {
            if http_status(&self.addr, "/health/ready") == Some(200) {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the server did not become ready:\n{}",
                self.log().join("\n")
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Sends a signal (`TERM`, `KILL`) and waits for the process to end.
    pub fn signal_and_wait(&mut self, signal: &str) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), pid.as_str()])
            .status()
            .unwrap();
        assert!(sent.success());
        let started = std::time::Instant::now();
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                // Let the log reader catch the last lines.
                std::thread::sleep(std::time::Duration::from_millis(100));
                return exit;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the server did not stop on SIG{signal}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// The status of `GET path` on a raw connection, or `None` if the server did not answer.
pub fn http_status(addr: &str, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split(' ').nth(1)?.parse().ok()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses a Prometheus text exposition with the reference client's own parser
/// (`prometheus_client`, in the test venv that `make test` sets as `YUQIAN_PYTHON`); returns
/// every sample as `{"name", "labels", "value"}`.
pub fn parse_prometheus(text: &str) -> Vec<Value> {
    use std::io::Write;
    let python = std::env::var("YUQIAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import sys, json\nfrom prometheus_client.parser import text_string_to_metric_families\nout = []\nfor fam in text_string_to_metric_families(sys.stdin.read()):\n    for s in fam.samples:\n        out.append({'name': s.name, 'labels': s.labels, 'value': s.value})\nprint(json.dumps(out))";
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python with prometheus_client (make test sets YUQIAN_PYTHON)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not valid Prometheus text: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}
