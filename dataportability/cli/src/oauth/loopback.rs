//! The loopback redirect of the installed-app flow: a listener on 127.0.0.1 that waits for
//! the browser to bring back the authorization code (Google's "loopback IP address" flow,
//! <https://developers.google.com/identity/protocols/oauth2/native-app#redirect-uri_loopback>).
//! Only an answer carrying the `state` this run sent is taken; any other request (a favicon,
//! a forged redirect from another page) gets an error page and the wait goes on.

use std::time::Duration;

use reqwest::Url;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::failure::Failure;

/// The longest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// How long one connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// A listener for the redirect.
pub struct Loopback {
    listener: TcpListener,
}

/// What the authorization server answered.
pub enum Answer {
    /// The code, to exchange for tokens.
    Code(String),
    /// An error (`access_denied` when the user refused).
    Error(String),
}

impl Loopback {
    /// Listens on 127.0.0.1, on a port the system picks.
    pub async fn bind() -> Result<Self, Failure> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Failure::auth(format!("cannot listen on 127.0.0.1 for the OAuth redirect: {e}")))?;
        Ok(Self { listener })
    }

    /// The redirect URI to send (`http://127.0.0.1:PORT/`).
    pub fn redirect_uri(&self) -> Result<String, Failure> {
        let port = self
            .listener
            .local_addr()
            .map_err(|e| Failure::auth(format!("the OAuth redirect listener: {e}")))?
            .port();
        Ok(format!("http://127.0.0.1:{port}/"))
    }

    /// Waits for the redirect that carries `state`.
    pub async fn answer(&self, state: &str) -> Result<Answer, Failure> {
        loop {
            let (socket, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| Failure::auth(format!("the OAuth redirect listener: {e}")))?;
            if let Ok(Some(answer)) = tokio::time::timeout(HEAD_TIMEOUT, serve(socket, state)).await {
                return Ok(answer);
            }
        }
    }
}

/// Reads one request; answers it; the answer when it is the redirect for `state`.
async fn serve(mut socket: TcpStream, state: &str) -> Option<Answer> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default();
    let url = Url::parse("http://127.0.0.1/").ok()?.join(target).ok()?;
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let answer = if param("state").as_deref() != Some(state) {
        None
    } else if let Some(code) = param("code") {
        Some(Answer::Code(code))
    } else {
        Some(Answer::Error(param("error").unwrap_or_else(|| "no code".to_owned())))
    };
    let (status, text) = match &answer {
        Some(Answer::Code(_)) => (
            "200 OK",
            "Access granted: you can close this page and go back to the terminal.",
        ),
        Some(Answer::Error(_)) => ("200 OK", "Access was not granted: see the terminal."),
        None => (
            "400 Bad Request",
            "This is not the answer this run of dataportability is waiting for.",
        ),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = socket.write_all(response.as_bytes()).await;
    let _ = socket.shutdown().await;
    answer
}
