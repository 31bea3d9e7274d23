//! Serving the application on a bound listener until a shutdown signal.
//!
//! hyper's HTTP/1 connection directly rather than `axum::serve`, for what a service needs that
//! `axum::serve` does not offer: a header read timeout (a client that opens a connection, or
//! keeps one alive, and sends no request is dropped after it, so idle and slow connections
//! cannot pile up), the peer address on every request (`ConnectInfo`, for the loopback rules
//! and the rate limit), and a bounded drain on shutdown.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How connections are served.
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// Time a client has to send a request's headers, on a new or an idle connection.
    pub header_read_timeout: Duration,
    /// Time requests in flight get to finish after the shutdown signal.
    pub drain_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes in-flight requests.
/// Taking a bound listener lets tests bind port 0.
pub async fn run(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    options: ServeOptions,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: keep
                    // serving the connections there are, and try again shortly.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(options.header_read_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(options.drain_timeout) => {
            tracing::warn!("requests still in flight after {:?}; stopping anyway", options.drain_timeout);
        }
    }
    Ok(())
}

/// Raises the soft limit of open files to the hard limit, as servers do (the usual soft limit
/// of 1024 would cap connections far below what the process can hold); returns the limit got.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// Every `every`, hands the memory glibc keeps free in its arenas back to the system. Its
/// per-thread arenas keep what a burst of large answers freed (a 10,000-feature page is
/// megabytes of JSON), and a server whose requests allocate on one thread and free on another
/// would creep up in resident memory (measured: +10 % over a 10-minute soak without this).
/// Capping the arenas instead (`M_ARENA_MAX`) was measured too: it fragments the parallel load,
/// whose resident size doubled.
pub fn trim_periodically(every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            #[cfg(all(target_os = "linux", target_env = "gnu"))]
            // SAFETY: malloc_trim only walks glibc's own arenas; it takes no pointers of ours.
            unsafe {
                libc::malloc_trim(0);
            }
        }
    });
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for ctrl-c: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// Calls `reload` on every SIGHUP, for as long as the process runs.
#[cfg(unix)]
pub fn on_sighup(reload: impl Fn() + Send + Sync + 'static) -> std::io::Result<()> {
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let reload = std::sync::Arc::new(reload);
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP received, reloading the data");
            let r = reload.clone();
            // The load is heavy blocking work: off the async workers.
            if let Err(e) = tokio::task::spawn_blocking(move || r()).await {
                tracing::error!("reload failed to run: {e}");
            }
        }
    });
    Ok(())
}
