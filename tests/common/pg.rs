//! A throwaway PostgreSQL/PostGIS cluster for one test, started with `tools/pg/throwaway.sh`
//! (initdb and pg_ctl as the `postgres` user, in a temporary folder, on a loopback port).
//!
//! Outside CI a machine without Debian's `postgresql-15` and `postgresql-15-postgis-3` skips
//! the test with a printed reason; with `CI=true` their absence fails it (`make test`
//! installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

const PGBIN: &str = "/usr/lib/postgresql/15/bin";
const POSTGIS: &str = "/usr/share/postgresql/15/extension/postgis.control";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/pg/throwaway.sh")
}

/// What the PostgreSQL tests need and this machine lacks, or `None` if nothing.
pub fn missing() -> Option<String> {
    let mut missing = Vec::new();
    if !Path::new(PGBIN).join("initdb").exists() {
        missing.push("postgresql-15");
    }
    if !Path::new(POSTGIS).exists() {
        missing.push("postgresql-15-postgis-3");
    }
    (!missing.is_empty()).then(|| missing.join(", "))
}

/// `true` if the test should go on; prints why not, or panics under `CI=true`.
pub fn available(test: &str) -> bool {
    match missing() {
        None => true,
        Some(m) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped {test}: this machine has no {m} (make setup-system installs them)");
            false
        }
        Some(m) => panic!("CI needs {m} for {test}: make setup-system installs them"),
    }
}

/// A running cluster with the database `yuqian` (postgis installed); stopped and removed on drop.
pub struct Pg {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl Pg {
    /// Starts a new cluster, or `None` when the test is skipped (see [`available`]).
    pub fn start(test: &str) -> Option<Pg> {
        if !available(test) {
            return None;
        }
        let dir = tempfile::Builder::new()
            .prefix("yuqian-pg-test.")
            .tempdir()
            .expect("a temporary folder");
        let mut pg = Pg { dir, port: 0 };
        // The port is free when picked, but another test's server may take it before
        // PostgreSQL binds it: then try another (the cluster is initialised once).
        for attempt in 1..=3 {
            pg.port = free_port();
            match pg.try_run(&["start", &pg.port.to_string()]) {
                Ok(()) => return Some(pg),
                Err(e) if attempt == 3 => panic!("{e}"),
                Err(e) => eprintln!("retrying on another port: {e}"),
            }
        }
        unreachable!("the third attempt returns or panics")
    }

    fn run(&self, args: &[&str]) {
        if let Err(e) = self.try_run(args) {
            panic!("{e}");
        }
    }

    fn try_run(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec![args[0], self.dir.path().to_str().expect("UTF-8 path")];
        all.extend_from_slice(&args[1..]);
        let out = Command::new(script())
            .args(&all)
            .env("PGBIN", PGBIN)
            .output()
            .expect("bash runs tools/pg/throwaway.sh");
        let log =
            std::fs::read_to_string(self.dir.path().join("run/postgres.log")).unwrap_or_default();
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "tools/pg/throwaway.sh {all:?} failed: {}\n{}\nserver log:\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }

    /// The URL of the database `yuqian`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/yuqian", self.port)
    }

    /// Stops the server (fast shutdown: open connections are cut); the data is kept.
    pub fn stop(&self) {
        self.run(&["stop"]);
    }

    /// Starts the stopped server again on the same port.
    pub fn restart(&self) {
        self.run(&["start", &self.port.to_string()]);
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs SQL through psql and returns its unaligned, tuples-only output.
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new(Path::new(PGBIN).join("psql"))
            .args([
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
            ])
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "yuqian",
                "-c",
                sql,
            ])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("UTF-8")
            .trim()
            .to_string()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("destroy")
            .arg(self.dir.path())
            .env("PGBIN", PGBIN)
            .status();
    }
}

/// A loopback port nobody listens on now (the kernel's pick, released at once).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}
