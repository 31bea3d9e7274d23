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
    assert!(String::from_utf8_lossy(&ok.stdout).contains("21 features, no problems"));

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
        10,
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
}
