//! Where a Discovery document is read from: a local file or an `http(s)` URL.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

/// How long to wait for a TCP/TLS connection before giving up.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole download may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A place to load a Discovery document from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A file on disk.
    File(PathBuf),
    /// An `http://` or `https://` URL.
    Url(String),
}

impl Source {
    /// Interprets a `--from` argument: an `http(s)://` URL, or else a path.
    ///
    /// Anything else that looks like a URL (`ftp://...`) is an error rather than a path.
    pub fn parse(argument: &str) -> Result<Self> {
        let lower = argument.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Ok(Self::Url(argument.to_owned()));
        }
        if argument.is_empty() {
            bail!("--from needs a file path or an http(s) URL");
        }
        if let Some((scheme, _)) = argument.split_once("://")
            && !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            bail!("--from {argument}: unsupported URL scheme {scheme:?} (use http, https or a file path)");
        }
        Ok(Self::File(PathBuf::from(argument)))
    }

    /// Reads the document's text.
    pub fn load(&self) -> Result<String> {
        match self {
            Self::File(path) => {
                std::fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))
            }
            Self::Url(url) => download(url),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Url(url) => f.write_str(url),
        }
    }
}

/// Downloads `url` as text, failing fast with a hint when the network is unreachable.
fn download(url: &str) -> Result<String> {
    let failed = |error: reqwest::Error| {
        anyhow!(
            "could not fetch {url}: {}\n\
             hint: if you are offline, get the document some other way and pass it as a file \
             (`cargo xtask fetch --from FILE`, `cargo xtask diff FILE`)",
            error_chain(&error.without_url())
        )
    };
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("discovery-rs-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("could not set up the HTTP client")?;
    let response = client.get(url).send().map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        bail!("could not fetch {url}: the server answered {status}");
    }
    response.text().map_err(failed)
}

/// An error and its causes on one line (`reqwest` keeps the useful part in the sources).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::test_support::serve_once;

    #[test]
    fn parses_urls_and_paths() {
        assert_eq!(
            Source::parse("https://example.com/x").expect("url"),
            Source::Url("https://example.com/x".into())
        );
        assert_eq!(
            Source::parse("HTTP://127.0.0.1:8/x").expect("url"),
            Source::Url("HTTP://127.0.0.1:8/x".into())
        );
        assert_eq!(
            Source::parse("../shared/doc.json").expect("path"),
            Source::File(PathBuf::from("../shared/doc.json"))
        );
        let error = Source::parse("ftp://example.com/doc.json")
            .expect_err("ftp")
            .to_string();
        assert!(error.contains("unsupported URL scheme \"ftp\""), "{error}");
        assert!(Source::parse("").is_err());
    }

    #[test]
    fn reads_a_file_and_names_a_missing_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("doc.json");
        std::fs::write(&path, "{}").expect("write");
        assert_eq!(Source::File(path.clone()).load().expect("read"), "{}");
        let missing = dir.path().join("missing.json");
        let error = format!("{:#}", Source::File(missing.clone()).load().expect_err("missing"));
        assert!(error.contains(&missing.display().to_string()), "{error}");
    }

    #[test]
    fn downloads_from_a_local_server() {
        let url = serve_once("200 OK", "{\"hello\": \"world\"}".into());
        let text = Source::parse(&url).expect("url").load().expect("download");
        assert_eq!(text, "{\"hello\": \"world\"}");
    }

    #[test]
    fn reports_an_http_error_status_with_the_url() {
        let url = serve_once("404 Not Found", "{}".into());
        let error = Source::Url(url.clone()).load().expect_err("404").to_string();
        assert!(error.contains(&url) && error.contains("404"), "{error}");
    }

    #[test]
    fn an_unreachable_url_fails_fast_naming_the_url_and_suggesting_from() {
        let url = "http://127.0.0.1:1/discovery";
        let started = Instant::now();
        let error = Source::Url(url.into()).load().expect_err("unreachable").to_string();
        assert!(started.elapsed() < CONNECT_TIMEOUT, "took {:?}", started.elapsed());
        assert!(error.contains(url), "{error}");
        assert!(error.contains("--from FILE"), "{error}");
    }
}
