//! Where an archive may come from: the signed URL must be `https` (plain `http` only on a
//! loopback host, for the emulator and tests, as the runtime's endpoint rule), and a redirect
//! is followed only to the same origin (scheme, host and port). reqwest's default policy
//! follows ten redirects anywhere, so a URL that answers `302 http://other-host/...` would send
//! the user's archive, and the request's signature, in clear text to another host.

use std::net::IpAddr;

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};

/// The most redirects followed for one request (all on the signed URL's origin).
pub const MAX_REDIRECTS: usize = 5;

/// `url`, if it may be downloaded from; else why not (printable, without the URL's query, which
/// carries the signature).
pub fn check(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("the archive URL is not a valid URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        scheme => Err(format!(
            "the archive URL must use https (plain http only on a loopback host), not {scheme:?} on {}",
            shown_origin(&parsed)
        )),
    }
}

/// The redirect policy of the downloader's HTTP client: same origin only, at most
/// [`MAX_REDIRECTS`].
pub fn policy() -> Policy {
    Policy::custom(decide)
}

fn decide(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    let Some(first) = attempt.previous().first() else {
        return attempt.stop();
    };
    let (from, to) = (first.origin(), attempt.url().origin());
    if from != to {
        let message = format!(
            "the server redirected the archive download from {} to another origin, {}: not followed",
            from.ascii_serialization(),
            to.ascii_serialization()
        );
        return attempt.error(message);
    }
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
    }
    attempt.follow()
}

/// Whether the URL's host is `localhost` or a loopback address (the URL parser has normalized
/// IPv4 forms, so `http://2130706433/` is `127.0.0.1`).
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn shown_origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(check("https://storage.googleapis.com/a?sig=1").is_ok());
        assert!(check("http://127.0.0.1:9/a").is_ok());
        assert!(check("http://[::1]:9/a").is_ok());
        assert!(check("http://localhost/a").is_ok());
        let error = check("http://example.com/a?sig=secret").unwrap_err();
        assert!(
            error.contains("https") && error.contains("http://example.com") && !error.contains("secret"),
            "{error}"
        );
        assert!(check("ftp://127.0.0.1/a").is_err());
        assert!(check("file:///etc/passwd").is_err());
        assert!(check("not a url").is_err());
    }
}
