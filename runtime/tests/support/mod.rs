//! A scripted HTTP/1.1 server on 127.0.0.1 for the integration tests, and shared fixtures.
//!
//! The server runs on its own thread with its own tokio runtime, so it keeps real time even
//! when a test pauses its own clock (`start_paused`), and a test's paused clock only ever
//! advances to the client's own timers.

#![allow(dead_code)]

pub mod trace;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use discovery_runtime::__private::{ApiInfo, HttpMethod, MethodInfo, PathParam};
use discovery_runtime::{Client, ClientBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub static API: ApiInfo = ApiInfo::new("test-api", "1.2.3", "https://unused.example.com/", "svc/v1/");
pub const GET: MethodInfo = MethodInfo::new("test.things.get", HttpMethod::Get, &[PathParam::Literal("things/1")]);
pub const POST: MethodInfo = MethodInfo::new("test.things.create", HttpMethod::Post, &[PathParam::Literal("things")]);

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answers with a status, headers and a body (with `Content-Length`, or chunked).
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        chunked: bool,
    },
    /// Never answers; counts the connection as closed once the client closes it.
    Hang,
    /// Closes the connection without answering.
    Close,
    /// Answers with a `Content-Length` of `declared` but sends only `body`, then closes.
    Truncated {
        status: u16,
        body: Vec<u8>,
        declared: usize,
    },
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Self {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            chunked: false,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    pub fn chunked(mut self) -> Self {
        if let Reply::Respond { chunked, .. } = &mut self {
            *chunked = true;
        }
        self
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The path and query.
    pub target: String,
    /// Header names are lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    fallback: Option<Reply>,
    requests: Vec<Recorded>,
    closed_while_hanging: usize,
}

/// The server's handle: script replies, read what it received.
#[derive(Clone)]
pub struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Starts a server that answers the scripted replies in order, then `fallback`.
    pub fn start(script: impl IntoIterator<Item = Reply>, fallback: Reply) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State {
            script: script.into_iter().collect(),
            fallback: Some(fallback),
            ..State::default()
        }));
        let server = Self { addr, state };
        let handle = server.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(handle.clone().serve(stream));
                }
            });
        });
        server
    }

    /// The root URL to give the client builder.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    pub fn closed_while_hanging(&self) -> usize {
        self.lock().closed_while_hanging
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn serve(self, mut stream: TcpStream) {
        let mut buffer = Vec::new();
        while let Some(request) = read_request(&mut stream, &mut buffer).await {
            let reply = {
                let mut state = self.lock();
                state.requests.push(request);
                match state.script.pop_front() {
                    Some(reply) => reply,
                    None => state.fallback.clone().unwrap_or(Reply::Close),
                }
            };
            match reply {
                Reply::Close => return,
                Reply::Truncated { status, body, declared } => {
                    let head = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: {declared}\r\n\r\n");
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.flush().await;
                    return;
                }
                Reply::Hang => {
                    let mut sink = [0u8; 1024];
                    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                    self.lock().closed_while_hanging += 1;
                    return;
                }
                Reply::Respond {
                    status,
                    headers,
                    body,
                    chunked,
                } => {
                    if write_response(&mut stream, status, &headers, &body, chunked)
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Recorded> {
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    buffer.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer.drain(..length).collect();
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}

async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    chunked: bool,
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if chunked {
        head.push_str("transfer-encoding: chunked\r\n\r\n");
        stream.write_all(head.as_bytes()).await?;
        for piece in body.chunks(1000) {
            stream.write_all(format!("{:x}\r\n", piece.len()).as_bytes()).await?;
            stream.write_all(piece).await?;
            stream.write_all(b"\r\n").await?;
        }
        stream.write_all(b"0\r\n\r\n").await?;
    } else {
        head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
    }
    stream.flush().await
}

/// A builder for a client of `server` that is safe under tokio's paused clock: an HTTP
/// client without timers of its own (no pool idle timer, no connect timeout) and no attempt
/// timeout, so the only timers are the retry waits.
pub fn paused_clock_builder(server: &Server) -> ClientBuilder<Client> {
    let http = discovery_runtime::reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .expect("HTTP client");
    ClientBuilder::new(&API)
        .endpoint(server.url())
        .http_client(http)
        .attempt_timeout(None)
}

/// Waits (in real time) until `condition` holds, or panics after 10 s.
pub async fn eventually(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}
