//! The control surface and the OAuth pages answer only requests meant for this machine.
//!
//! The emulator listens on 127.0.0.1, but a web page in the user's browser can still reach it:
//! by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1; the browser sends
//! `Host: evil.example`), or with a cross-site "simple" request (a `POST` with `text/plain`,
//! which needs no CORS preflight; the browser sends `Origin: https://evil.example`). Either
//! could mint tokens or change the emulator's state. So these routes require a `Host` that is a
//! loopback name or address, and an `Origin`, when there is one, of a loopback host too
//! (`Origin: null`, from a sandboxed frame or a file, is refused). This is the defence the
//! MCP and Jupyter local servers use (our reading; no Google page covers an emulator).

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Code};

/// The middleware: `403 PERMISSION_DENIED` naming the header, or the route's answer.
pub(crate) async fn local_only(request: Request, next: Next) -> Response {
    match check(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(message) => ApiError::new(Code::PermissionDenied, message).into_response(),
    }
}

/// Why the headers show a request not meant for this machine, if they do.
fn check(headers: &HeaderMap) -> Result<(), String> {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !is_loopback_authority(host) {
        return Err(format!(
            "The Host header {:?} is not a loopback host (localhost, 127.0.0.1, [::1]); the emulator's \
             control and OAuth pages answer only requests meant for this machine.",
            shown(host)
        ));
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .unwrap_or_default();
        if !is_loopback_authority(authority) {
            return Err(format!(
                "The Origin {:?} is not a loopback origin; the emulator's control and OAuth pages \
                 refuse requests from web pages of other sites.",
                shown(origin)
            ));
        }
    }
    Ok(())
}

/// Whether `authority` (`host[:port]`) names this machine: `localhost`, an address in
/// 127.0.0.0/8, or `[::1]`.
fn is_loopback_authority(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, port)) if port.is_empty() || port.starts_with(':') => host,
            _ => return false,
        }
    } else {
        authority.rsplit_once(':').map_or(authority, |(host, _)| host)
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A header value for a message: printable ASCII, at most 100 characters.
fn shown(value: &str) -> String {
    value
        .chars()
        .take(100)
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn loopback_hosts_and_origins_pass() {
        for host in ["127.0.0.1:8080", "localhost:1", "LOCALHOST", "[::1]:9", "127.1.2.3"] {
            assert_eq!(check(&headers(&[("host", host)])), Ok(()), "{host}");
        }
        let same = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]);
        assert_eq!(check(&same), Ok(()));
    }

    #[test]
    fn rebinding_and_cross_site_requests_are_refused() {
        for host in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "[::1]x",
            "",
        ] {
            let error = check(&headers(&[("host", host)])).unwrap_err();
            assert!(error.contains("Host header"), "{host}: {error}");
        }
        for origin in ["https://evil.example", "null", "http://localhost.evil.example:1"] {
            let error = check(&headers(&[("host", "127.0.0.1:1"), ("origin", origin)])).unwrap_err();
            assert!(error.contains("Origin"), "{origin}: {error}");
        }
    }
}
