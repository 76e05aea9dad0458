//! The OAuth client secret file Google's console gives (`{"installed": {...}}` or
//! `{"web": {...}}`), and the rule for its endpoints.

use std::net::IpAddr;
use std::path::Path;

use reqwest::Url;
use serde::Deserialize;

use crate::failure::Failure;

/// What the flow needs of a client secret file.
#[derive(Clone, Debug)]
pub struct ClientSecret {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub auth_uri: Url,
    pub token_uri: Url,
}

#[derive(Deserialize)]
struct File {
    installed: Option<Entry>,
    web: Option<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    client_id: String,
    client_secret: Option<String>,
    auth_uri: String,
    token_uri: String,
}

/// Reads `path`: a client secret file whose `auth_uri` and `token_uri` are `https` (plain
/// `http` only on a loopback host, for the emulator), so neither the consent nor a token or
/// the client secret ever travels in clear text or to a host of the file's choosing over http.
pub fn read(path: &Path) -> Result<ClientSecret, Failure> {
    let bad = |why: String| Failure::auth(format!("{}: not an OAuth client secret file: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let file: File = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let entry = file
        .installed
        .or(file.web)
        .ok_or_else(|| bad("it has neither an \"installed\" nor a \"web\" client".to_owned()))?;
    let endpoint = |key: &str, value: &str| {
        check_endpoint(value).map_err(|why| Failure::auth(format!("{}: {key} {why}", path.display())))
    };
    Ok(ClientSecret {
        auth_uri: endpoint("auth_uri", &entry.auth_uri)?,
        token_uri: endpoint("token_uri", &entry.token_uri)?,
        client_id: entry.client_id,
        client_secret: entry.client_secret.filter(|s| !s.is_empty()),
    })
}

/// An OAuth endpoint: `https`, or `http` on a loopback host; no user name or password.
fn check_endpoint(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("{value:?} is not a URL: {e}"))?;
    let allowed = url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url));
    if !allowed {
        return Err(format!(
            "{value:?} must use https (plain http only on a loopback host: localhost, 127.0.0.1, [::1])"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{value:?} must not carry a user name or password"));
    }
    Ok(url)
}

/// Whether the URL's host is `localhost` or a loopback address.
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, auth: &str, token: &str) -> std::path::PathBuf {
        let path = dir.join("secret.json");
        let json = serde_json::json!({"installed": {"client_id": "id", "client_secret": "s",
            "auth_uri": auth, "token_uri": token, "redirect_uris": ["http://localhost"]}});
        std::fs::write(&path, json.to_string()).unwrap();
        path
    }

    #[test]
    fn endpoints_must_be_https_unless_loopback() {
        let dir = tempfile::tempdir().unwrap();
        let google = write(
            dir.path(),
            "https://accounts.google.com/o/oauth2/auth",
            "https://oauth2.googleapis.com/token",
        );
        assert!(read(&google).is_ok());
        let emulator = write(dir.path(), "http://127.0.0.1:9/auth", "http://localhost:9/token");
        assert!(read(&emulator).is_ok());
        for (auth, token, key) in [
            (
                "http://evil.example/auth",
                "https://oauth2.googleapis.com/token",
                "auth_uri",
            ),
            (
                "https://accounts.google.com/a",
                "http://evil.example/token",
                "token_uri",
            ),
            ("https://accounts.google.com/a", "ftp://127.0.0.1/token", "token_uri"),
            (
                "https://u:p@accounts.google.com/a",
                "https://oauth2.googleapis.com/t",
                "auth_uri",
            ),
        ] {
            let failure = read(&write(dir.path(), auth, token)).unwrap_err();
            assert!(failure.message.contains(key), "{}", failure.message);
        }
    }
}
