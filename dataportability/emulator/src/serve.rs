//! The HTTP/1.1 server loop, with the bounds a server owes its other clients: at most
//! [`EmulatorConfig::max_connections`] connections at a time (the others wait in the kernel's
//! backlog, costing no descriptor), and a connection that has not sent a whole request head
//! within [`EmulatorConfig::header_timeout`] closed, idle keep-alive ones included (hyper's
//! `header_read_timeout`). Request bodies are bounded in time where they are read
//! (`routes::read_body`, [`EmulatorConfig::body_timeout`]).
//!
//! `axum::serve` sets neither (it gives hyper no timer): a client that opens connections and
//! sends half a request head kept them all open for ever, and starved everyone else once the
//! process ran out of descriptors.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::EmulatorConfig;

/// Serves `app` on `listener` until `shutdown` completes, then waits for the open connections
/// to finish (idle ones are closed at once).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    config: &EmulatorConfig,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout.max(Duration::from_millis(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.map_err(io::Error::other)?,
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    pause_after(&error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away, or a head that took too long, is no error of ours.
            let _ = connection.await;
            drop(slot);
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// After a failed `accept`: nothing for an error of that one connection, a short pause for an
/// error of the process (out of descriptors), as `axum::serve` does.
async fn pause_after(error: &io::Error) {
    let of_the_connection = matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionRefused
    );
    if !of_the_connection {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
