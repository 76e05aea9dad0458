//! Support for the workspace tests: an HTTP server on 127.0.0.1 that records every request
//! and answers with canned responses, so a test can assert exactly what a client sent.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path, percent-encoded as sent.
    pub path: String,
    /// The raw query string, empty when there is none.
    pub query: String,
    /// The request headers.
    pub headers: HeaderMap,
    /// The request body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// A header's value as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON; panics (failing the test) when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

#[derive(Default)]
struct Shared {
    requests: Vec<RecordedRequest>,
    responses: VecDeque<(StatusCode, String)>,
}

/// A recording server listening on 127.0.0.1; it stops when dropped.
pub struct RecordingServer {
    address: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl RecordingServer {
    /// Starts a server on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let app = Router::new().fallback(record).with_state(shared.clone());
        let task = tokio::spawn(async move {
            // The server runs until the test drops it; an accept error ends it early, which
            // the test then sees as a transport error.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { address, shared, task })
    }

    /// The root URL to give a client, e.g. `http://127.0.0.1:41234/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// Queues the response to the next request: a status and a JSON (or any) body.
    pub fn respond(&self, status: u16, body: &str) {
        let status = StatusCode::from_u16(status).expect("a valid HTTP status");
        self.lock().responses.push_back((status, body.to_owned()));
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// The one request received since the last call; fails the test otherwise.
    pub fn take_single(&self) -> RecordedRequest {
        let mut shared = self.lock();
        assert_eq!(
            shared.requests.len(),
            1,
            "expected exactly one request: {:?}",
            shared.requests
        );
        shared.requests.remove(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(shared): State<Arc<Mutex<Shared>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match to_bytes(body, 64 << 20).await {
        Ok(bytes) => bytes.to_vec(),
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    let mut shared = shared.lock().unwrap_or_else(PoisonError::into_inner);
    shared.requests.push(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
    });
    let (status, body) = shared.responses.pop_front().unwrap_or((
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"error":{"message":"no response queued"}}"#.to_owned(),
    ));
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=UTF-8")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The workspace README, whose Rust examples are compiled as doctests of this crate.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
