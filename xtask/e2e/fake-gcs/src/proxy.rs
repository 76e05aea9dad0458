//! A loopback HTTP/1.1 proxy in front of fake-gcs-server: every request of the program goes
//! through it, one request per connection. It can drop a connection in the middle of an
//! upload chunk, and it records what each resumable session was sent.
//!
//! fake-gcs-server v1.54.0 finalizes a resumable upload when it is asked for its status
//! (`PUT` with `Content-Range: bytes */N` and no body: `uploadFileContent` keeps
//! `commit = true` when the range is `*`), storing the bytes it has so far as the whole
//! object. Google answers that query with `308 Resume Incomplete` and a `Range` header of the
//! bytes it has, and the upload goes on
//! (https://cloud.google.com/storage/docs/performing-resumable-uploads#status-check). So this
//! proxy answers status queries itself, the way Google does, from the `Range` of the server's
//! last `308` for that session (none yet: no `Range`, zero bytes). Everything else is the
//! server's own answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The proxy's shared state.
#[derive(Default)]
struct State {
    /// Drop the connection of the upload chunk that starts at this offset, after this many
    /// of its body bytes (once).
    cut: Option<(u64, usize)>,
    /// Per resumable session (`upload_id`): the `Range` of the server's last `308`.
    sessions: HashMap<String, Option<String>>,
    /// Per session, the `Content-Range` of every `PUT`, in order.
    content_ranges: HashMap<String, Vec<String>>,
    /// Connections dropped on purpose.
    cuts: u32,
    /// Every upload that is not a session's chunk: its path and its `uploadType`.
    uploads: Vec<(String, String)>,
}

/// A running proxy.
#[derive(Clone)]
pub struct Proxy {
    state: Arc<Mutex<State>>,
}

impl Proxy {
    /// Listens on `listen` and forwards to `upstream`.
    pub async fn start(listen: SocketAddr, upstream: SocketAddr) -> Result<Self> {
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let proxy = Self { state: Arc::default() };
        let accepting = proxy.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let proxy = accepting.clone();
                tokio::spawn(async move {
                    if let Err(error) = proxy.serve(client, upstream).await {
                        eprintln!("proxy: {error:#}");
                    }
                });
            }
        });
        Ok(proxy)
    }

    /// Drops the connection of the next upload chunk that starts at `offset`, once `bytes` of
    /// its body are through.
    pub fn cut_chunk(&self, offset: u64, bytes: usize) {
        self.lock().cut = Some((offset, bytes));
    }

    /// How many connections were dropped on purpose.
    pub fn cuts(&self) -> u32 {
        self.lock().cuts
    }

    /// The `Content-Range` of every `PUT` of the session whose URL has `upload_id`, in order.
    pub fn content_ranges(&self) -> Vec<(String, Vec<String>)> {
        let mut all: Vec<_> = self.lock().content_ranges.clone().into_iter().collect();
        all.sort();
        all
    }

    /// The path and `uploadType` of every upload request but a session's chunks, in order.
    pub fn uploads(&self) -> Vec<(String, String)> {
        self.lock().uploads.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn serve(&self, mut client: TcpStream, upstream: SocketAddr) -> Result<()> {
        let Some((head, mut leftover)) = read_head(&mut client).await? else {
            return Ok(());
        };
        let request = Head::parse(&head)?;
        if request.header("transfer-encoding").is_some() {
            bail!("chunked request bodies are not supported");
        }
        let length: usize = request.header("content-length").map_or(Ok(0), str::parse)?;
        let upload_id = query_value(&request.target, "upload_id");
        let content_range = request.header("content-range").map(str::to_owned);
        if let (None, Some(upload_type)) = (&upload_id, query_value(&request.target, "uploadType")) {
            let path = request.target.split('?').next().unwrap_or_default().to_owned();
            self.lock().uploads.push((path, upload_type));
        }

        if let (Some(id), Some(range)) = (&upload_id, &content_range) {
            let answer = {
                let mut state = self.lock();
                state.content_ranges.entry(id.clone()).or_default().push(range.clone());
                let is_status_query = request.method == "PUT" && range.starts_with("bytes */") && length == 0;
                match state.sessions.get(id) {
                    Some(received) if is_status_query => {
                        let range_header = received.as_ref().map(|r| format!("Range: {r}\r\n")).unwrap_or_default();
                        Some(format!(
                            "HTTP/1.1 308 Permanent Redirect\r\n{range_header}Content-Length: 0\r\nConnection: close\r\n\r\n"
                        ))
                    }
                    _ => None,
                }
            };
            if let Some(answer) = answer {
                client.write_all(answer.as_bytes()).await?;
                return Ok(());
            }
        }

        let mut server = TcpStream::connect(upstream)
            .await
            .context("cannot reach fake-gcs-server")?;
        server.write_all(&request.forwarded()).await?;
        let cut = match (&content_range, request.method.as_str()) {
            (Some(range), "PUT") => {
                let mut state = self.lock();
                match state.cut {
                    Some((offset, after)) if range.starts_with(&format!("bytes {offset}-")) && after < length => {
                        state.cut = None;
                        Some(after)
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let mut sent = 0;
        let mut buffer = vec![0; 64 * 1024];
        while sent < length {
            if leftover.is_empty() {
                let read = client.read(&mut buffer).await?;
                if read == 0 {
                    bail!("the client closed the connection in the middle of a body");
                }
                leftover.extend_from_slice(&buffer[..read]);
            }
            let mut take = leftover.len().min(length - sent);
            if let Some(after) = cut {
                take = take.min(after - sent);
            }
            server.write_all(&leftover[..take]).await?;
            leftover.drain(..take);
            sent += take;
            if cut == Some(sent) {
                self.lock().cuts += 1;
                return Ok(()); // both connections are dropped here, mid-body
            }
        }

        let mut response = Vec::new();
        let mut parsed = false;
        loop {
            let read = server.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            client.write_all(&buffer[..read]).await?;
            if !parsed {
                response.extend_from_slice(&buffer[..read]);
                if let Some(end) = find_head_end(&response) {
                    parsed = true;
                    self.observe(&request, upload_id.as_deref(), &Head::parse(&response[..end])?);
                }
            }
        }
        client.shutdown().await?;
        Ok(())
    }

    /// Follows a session's state from the server's answers.
    fn observe(&self, request: &Head, upload_id: Option<&str>, response: &Head) {
        let mut state = self.lock();
        let status = response.method.as_str(); // the status line's second word
        match upload_id {
            None => {
                if let Some(id) = response.header("location").and_then(|l| query_value(l, "upload_id")) {
                    state.sessions.insert(id, None);
                }
            }
            Some(id) if status == "308" => {
                state
                    .sessions
                    .insert(id.to_owned(), response.header("range").map(str::to_owned));
            }
            Some(id) if request.method == "PUT" => {
                state.sessions.remove(id);
            }
            Some(_) => {}
        }
    }
}

/// A request or response head: its first line's first two words and its headers.
struct Head {
    /// The request's method, or the response's status code.
    method: String,
    /// The request's target, or the response's reason phrase.
    target: String,
    first_line: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn parse(bytes: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(bytes).context("a head that is not UTF-8")?;
        let mut lines = text.split("\r\n").filter(|line| !line.is_empty());
        let first_line = lines.next().context("an empty head")?.to_owned();
        let mut words = first_line.split(' ');
        let first = words.next().unwrap_or_default();
        let second = words.next().unwrap_or_default();
        // A response's first word is its version: the status code comes second.
        let (method, target) = if first.starts_with("HTTP/") {
            (second.to_owned(), String::new())
        } else {
            (first.to_owned(), second.to_owned())
        };
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        Ok(Self {
            method,
            target,
            first_line,
            headers,
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The head as sent upstream: one request per connection.
    fn forwarded(&self) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.first_line);
        for (name, value) in self.headers.iter().filter(|(name, _)| name != "connection") {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str("connection: close\r\n\r\n");
        out.into_bytes()
    }
}

/// Reads up to the end of a head; the head and whatever body bytes came with it.
async fn read_head(stream: &mut TcpStream) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut data = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        if let Some(end) = find_head_end(&data) {
            let rest = data.split_off(end);
            return Ok(Some((data, rest)));
        }
        if data.len() > 64 * 1024 {
            bail!("a request head over 64 KiB");
        }
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Ok(None);
        }
        data.extend_from_slice(&buffer[..read]);
    }
}

fn find_head_end(data: &[u8]) -> Option<usize> {
    data.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// The value of `name` in a URL's or a request target's query (not percent-decoded).
fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
