//! What the tests of the Data Portability crates share (a dev-dependency, never a dependency
//! of a product crate): [`fake_server`], a tiny HTTP/1.1 server on 127.0.0.1 that answers as a
//! test tells it, [`http_response`] to write its answers, and the checksum helpers that compare
//! a downloaded archive with the MD5 the server announces in `x-goog-hash` ([`md5_base64`],
//! [`md5_of`], [`announced_md5`]).

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use md5::Digest as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with what `answer` makes of
/// its request line (`"GET /path?query HTTP/1.1"`) and the server's own URL, then closes the
/// connection. The request's head and `content-length` body are read before answering.
/// Returns the server's URL (with a trailing `/`). Must be called inside a Tokio runtime.
pub async fn fake_server(answer: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let answer = Arc::new(answer);
    let base = url.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (answer, base) = (answer.clone(), base.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                let head_end = loop {
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&request[..head_end]).to_string();
                let body_len: usize = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
                while request.len() < head_end + body_len {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let line = head.lines().next().unwrap_or_default().to_owned();
                let _ = socket.write_all(&answer(&line, &base)).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

/// An HTTP/1.1 response with `status` (`"200 OK"`), `content-length`, `connection: close`,
/// the extra `headers` and `body`.
pub fn http_response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The MD5 of `bytes`, base64 as `x-goog-hash` writes it.
pub fn md5_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(bytes))
}

/// The MD5 (base64) of the file at `path`.
pub fn md5_of(path: &Path) -> String {
    md5_base64(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The MD5 (base64) the server announces in `x-goog-hash` for `url` (a `HEAD` request).
pub async fn announced_md5(url: &str) -> String {
    let response = reqwest::Client::new().head(url).send().await.expect("HEAD");
    let header = response.headers()["x-goog-hash"].to_str().expect("ascii").to_owned();
    header
        .split(',')
        .find_map(|p| p.strip_prefix("md5="))
        .expect("an md5")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_fake_server_answers_with_its_request_line_and_url() {
        let url = fake_server(|line, base| {
            http_response(
                "200 OK",
                &[("x-goog-hash", format!("crc32c=AAAAAA==,md5={}", md5_base64(b"zip")))],
                format!("{line} {base}").as_bytes(),
            )
        })
        .await;
        let body = reqwest::Client::new()
            .post(format!("{url}archive?x=1"))
            .body("request body")
            .send()
            .await
            .expect("POST")
            .text()
            .await
            .expect("text");
        assert_eq!(body, format!("POST /archive?x=1 HTTP/1.1 {url}"));
        assert_eq!(announced_md5(&url).await, md5_base64(b"zip"));
        assert_eq!(md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }
}
