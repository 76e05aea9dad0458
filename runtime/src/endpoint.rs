//! The base URL of a client: the root URL and the service path, checked for transport safety.

use std::net::IpAddr;

use reqwest::Url;

use crate::Error;

/// Joins `root` and `service_path` into the URL every method path is appended to.
///
/// The URL must be `https`, except on a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`),
/// where `http` is allowed for emulators and tests: a token must never travel in clear text
/// over a network. User information (`user:password@`), a query and a fragment are refused.
pub(crate) fn base_url(root: &str, service_path: &str) -> Result<String, Error> {
    let mut base_url = root.to_owned();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    base_url.push_str(service_path.trim_start_matches('/'));
    let parsed =
        Url::parse(&base_url).map_err(|e| Error::Config(format!("endpoint {root:?} is not a valid URL: {e}")))?;
    if parsed.cannot_be_a_base() || !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(format!("endpoint {root:?} must be an http or https URL")));
    }
    if parsed.scheme() == "http" && !is_loopback(&parsed) {
        return Err(Error::Config(format!(
            "endpoint {root:?} must use https: plain http is only allowed for a loopback host \
             (localhost, 127.0.0.1, [::1])"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::Config(
            "the endpoint must not contain a user name or password".to_owned(),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::Config(format!(
            "endpoint {root:?} must not have a query or a fragment"
        )));
    }
    Ok(base_url)
}

/// Whether the URL's host is `localhost` or a loopback address (the URL parser has already
/// normalized IPv4 addresses, so `http://2130706433/` is `127.0.0.1`).
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_root_and_service_path() {
        assert_eq!(
            base_url("https://example.googleapis.com", "/svc/v1/").unwrap(),
            "https://example.googleapis.com/svc/v1/"
        );
        assert_eq!(base_url("http://127.0.0.1:9/", "").unwrap(), "http://127.0.0.1:9/");
    }

    #[test]
    fn http_is_only_for_loopback_hosts() {
        for ok in [
            "http://127.0.0.1:8080/",
            "http://127.8.9.10/",
            "http://localhost:1/",
            "http://LOCALHOST/",
            "http://[::1]:80/",
            "http://2130706433/",
        ] {
            assert!(base_url(ok, "v1/").is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://[::2]/",
        ] {
            let error = base_url(bad, "v1/").unwrap_err().to_string();
            assert!(error.contains("must use https") && error.contains(bad), "{error}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_base_url() {
        for (bad, expected) in [
            ("not a url", "not a valid URL"),
            ("ftp://x/", "http or https"),
            ("mailto:a@b", "http or https"),
            ("https://user:pw@example.com/", "user name or password"),
            ("https://example.com/?a=b", "query or a fragment"),
        ] {
            let error = base_url(bad, "").unwrap_err().to_string();
            assert!(error.contains(expected), "{bad}: {error}");
            assert!(!error.contains("pw@"), "{error}");
        }
    }
}
