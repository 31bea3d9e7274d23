//! The binary itself: `check` exit codes, `serve` refusing bad data, and a real server that
//! answers on a socket and stops cleanly on SIGTERM.

mod common;

use common::{Server, fixture};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_yuqian");

#[test]
fn check_passes_good_data_and_fails_bad_data_listing_all_problems() {
    let ok = Command::new(BIN)
        .args(["check"])
        .arg(fixture("small"))
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("22 features, no problems"));

    let bad = Command::new(BIN)
        .args(["check"])
        .arg(fixture("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.starts_with("12 problem(s) in the data:"), "{out}");
    assert!(
        out.contains("points.geojson: feature 3 (id \"p1\"): duplicate id"),
        "{out}"
    );
}

#[test]
fn serve_refuses_to_start_on_bad_data() {
    let out = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(fixture("bad"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("12 problem(s) in the data"), "{err}");
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--addr",
        "--data",
        "--web",
        "YUQIAN_ADDR",
        "YUQIAN_DATA",
        "YUQIAN_WEB",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[test]
fn a_real_server_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dir.path().join("loops.sqlite"), &[]);
    // One summary line per layer.
    let log = server.log();
    assert_eq!(
        log.iter().filter(|l| l.contains("loaded ")).count(),
        11,
        "{log:#?}"
    );

    let addr = server.addr.clone();
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""));

    let exit = server.signal_and_wait("TERM");
    assert!(exit.success(), "{exit:?}");
    let log = server.log();
    assert!(
        log.iter().any(|l| l.contains("SIGTERM received")),
        "{log:#?}"
    );
    // Each request is logged with its path and status.
    assert!(
        log.iter()
            .any(|l| l.contains("/health") && l.contains("status=200")),
        "{log:#?}"
    );
    // ... with its request id.
    let id = response
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("an x-request-id header")
        .trim();
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("request_id={id}")) && l.contains("status=200")),
        "{id} not in {log:#?}"
    );
}

#[test]
fn serve_refuses_a_public_address_without_an_admin_token() {
    let out = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0:0", "--write-token", "w"])
        .arg("--data")
        .arg(fixture("small"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no admin token") && err.contains("--admin-token"),
        "{err}"
    );
}

#[test]
fn config_prints_the_effective_settings_with_their_sources_and_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("yuqian.toml");
    std::fs::write(
        &file,
        "heavy_queue = 9\nheavy_budget_ms = 1500\nwrite_token = \"from-file\"\n",
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["config", "--heavy-budget-ms", "2500", "--config"])
        .arg(&file)
        .env("YUQIAN_ADMIN_TOKEN", "from-env")
        .env("YUQIAN_HEAVY_QUEUE", "11")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // flag > environment > file > default
    assert!(text.contains("heavy_budget_ms = 2500  # flag"), "{text}");
    assert!(text.contains("heavy_queue = 11  # environment"), "{text}");
    assert!(
        text.contains("write_token = \"<redacted>\"  # file"),
        "{text}"
    );
    assert!(
        text.contains("admin_token = \"<redacted>\"  # environment"),
        "{text}"
    );
    assert!(
        text.contains("header_read_timeout_s = 10  # default"),
        "{text}"
    );
    assert!(
        !text.contains("from-file") && !text.contains("from-env"),
        "{text}"
    );
    // The output is itself a valid settings file.
    let printed = dir.path().join("printed.toml");
    std::fs::write(&printed, text.as_bytes()).unwrap();
    let again = Command::new(BIN)
        .args(["config", "--config"])
        .arg(&printed)
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("heavy_queue = 11  # file"));
    let bad = Command::new(BIN)
        .args(["config", "--config"])
        .arg(dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("missing.toml"));
}
