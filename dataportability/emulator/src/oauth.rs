//! OAuth 2.0 as Google's authorization server speaks it: its error bodies, PKCE (RFC 7636),
//! loopback redirect URIs, and the installed-app client secret file an app reads.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The authorization endpoint's path (Google: `https://accounts.google.com/o/oauth2/v2/auth`).
pub(crate) const AUTH_PATH: &str = "/o/oauth2/v2/auth";
/// The token endpoint's path (Google: `https://oauth2.googleapis.com/token`).
pub(crate) const TOKEN_PATH: &str = "/token";
/// The revocation endpoint's path (Google: `https://oauth2.googleapis.com/revoke`).
pub(crate) const REVOKE_PATH: &str = "/revoke";

/// An error of the token or revocation endpoint: `{"error": ..., "error_description": ...}`
/// (RFC 6749 section 5.2, as Google words it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OAuthError {
    /// 400, or 401 for a client that failed to authenticate.
    pub status: StatusCode,
    /// The RFC 6749 error code, e.g. `invalid_grant`.
    pub error: &'static str,
    /// Google's description.
    pub description: String,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
        }
    }

    /// 400 `invalid_request`: a parameter is missing or malformed.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 401 `invalid_client`: unknown client, or a wrong secret.
    pub fn invalid_client() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized")
    }

    /// 400 `invalid_grant`: a bad code, or a refresh token revoked or past its grant.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }

    /// 400 `redirect_uri_mismatch`: the token request's `redirect_uri` is not the one the code
    /// was issued for.
    pub fn redirect_uri_mismatch() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "redirect_uri_mismatch", "Bad Request")
    }

    /// 400 `unsupported_grant_type`.
    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Invalid grant_type: {grant_type}"),
        )
    }

    /// 400 `invalid_token` of the revocation endpoint.
    pub fn invalid_token() -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_token", "Token expired or revoked")
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        no_store(crate::error::json_response(self.status, &body))
    }
}

/// A response the client must not cache (RFC 6749 section 5.1).
pub(crate) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// A PKCE code challenge sent with an authorization request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Challenge {
    value: String,
    s256: bool,
}

impl Challenge {
    /// The challenge of `code_challenge` and `code_challenge_method` (`plain` when absent);
    /// `Ok(None)` when no challenge was sent.
    pub fn parse(challenge: Option<&str>, method: Option<&str>) -> Result<Option<Self>, String> {
        let Some(value) = challenge else {
            return match method {
                Some(_) => Err("code_challenge_method without code_challenge".into()),
                None => Ok(None),
            };
        };
        let s256 = match method.unwrap_or("plain") {
            "S256" => true,
            "plain" => false,
            other => return Err(format!("Invalid code_challenge_method: {other}")),
        };
        if !is_pkce_string(value) {
            return Err("Invalid code_challenge: 43 to 128 characters of [A-Za-z0-9-._~]".into());
        }
        Ok(Some(Self {
            value: value.to_owned(),
            s256,
        }))
    }

    /// Whether `verifier` answers the challenge (RFC 7636 section 4.6).
    pub fn verify(&self, verifier: &str) -> bool {
        if !is_pkce_string(verifier) {
            return false;
        }
        if self.s256 {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == self.value
        } else {
            verifier == self.value
        }
    }
}

/// 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 section 4.1).
fn is_pkce_string(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether an installed app may use `uri` as its redirect: `http` to a loopback host, any
/// port and path (Google's loopback IP address flow).
pub(crate) fn is_loopback_redirect(uri: &str) -> bool {
    let Ok(parsed) = uri.parse::<axum::http::Uri>() else {
        return false;
    };
    parsed.scheme_str() == Some("http") && matches!(parsed.host(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// The kind of an OAuth client, as the Google Cloud console creates them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientType {
    /// "Desktop app": redirects to a loopback address on any port (the installed-app flow).
    #[default]
    Installed,
    /// "Web application": redirects only to one of its registered URIs, compared exactly (the
    /// server-side web flow most apps of this API use).
    Web,
}

/// The publishing status of an app's OAuth consent screen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PublishingStatus {
    /// In production: grants last as the user chose.
    #[default]
    InProduction,
    /// Testing: every grant ends after 7 days ("Configure OAuth": "tokens granted to OAuth
    /// clients with a Testing publishing status always expire in 7 days").
    Testing,
}

/// An OAuth client to register (`POST /emulator/v1/clients`, [`Emulator::register_client_with`](crate::Emulator::register_client_with)).
/// `Default` is an installed app in production.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ClientRegistration {
    /// Installed or web.
    #[serde(rename = "type")]
    pub client_type: ClientType,
    /// A web client's authorized redirect URIs: `https`, or `http` to `localhost`
    /// (`127.0.0.1`, `[::1]`), without fragment, user info or wildcard (the rules of Google's
    /// web-server OAuth guide). An installed app has none (it redirects to a loopback address).
    pub redirect_uris: Vec<String>,
    /// In production or testing.
    pub publishing_status: PublishingStatus,
}

impl ClientRegistration {
    /// A description of what is wrong with the registration.
    pub fn validate(&self) -> Result<(), String> {
        match self.client_type {
            ClientType::Installed if !self.redirect_uris.is_empty() => Err(
                "An installed app has no registered redirect URIs: it redirects to http://localhost or http://127.0.0.1 \
                 (any port); register a web client for others"
                    .into(),
            ),
            ClientType::Installed => Ok(()),
            ClientType::Web if self.redirect_uris.is_empty() => {
                Err("A web client needs at least one authorized redirect URI".into())
            }
            ClientType::Web => match self.redirect_uris.iter().find(|uri| !is_valid_web_redirect(uri)) {
                Some(bad) => Err(format!(
                    "Invalid redirect URI {bad:?}: a web client's redirect URIs use https (or http to localhost) and \
                     have no fragment, user info or wildcard"
                )),
                None => Ok(()),
            },
        }
    }

    /// Whether the authorization request may redirect to `uri`: any loopback URI for an
    /// installed app, one of the registered URIs, character for character, for a web client.
    pub(crate) fn accepts_redirect(&self, uri: &str) -> bool {
        match self.client_type {
            ClientType::Installed => is_loopback_redirect(uri),
            ClientType::Web => self.redirect_uris.iter().any(|registered| registered == uri),
        }
    }
}

/// A redirect URI the Google Cloud console accepts for a web client.
fn is_valid_web_redirect(uri: &str) -> bool {
    let Ok(parsed) = uri.parse::<axum::http::Uri>() else {
        return false;
    };
    let Some(authority) = parsed.authority() else {
        return false;
    };
    let clean = !uri.contains(['#', '*']) && !authority.as_str().contains('@') && !authority.host().is_empty();
    clean
        && match parsed.scheme_str() {
            Some("https") => true,
            Some("http") => is_loopback_redirect(uri),
            _ => false,
        }
}

/// The JSON of an OAuth client as the Google Cloud console downloads it (`{"installed": ...}`
/// for a "Desktop app", `{"web": ...}` for a web application), with the endpoints of the
/// emulator at `base_url` (ending with `/`).
pub(crate) fn client_secret_json(
    base_url: &str,
    client_id: &str,
    client_secret: &str,
    registration: &ClientRegistration,
) -> Value {
    let base = base_url.trim_end_matches('/');
    let (key, redirect_uris) = match registration.client_type {
        ClientType::Installed => ("installed", vec!["http://localhost".to_owned()]),
        ClientType::Web => ("web", registration.redirect_uris.clone()),
    };
    json!({
        key: {
            "client_id": client_id,
            "project_id": "dataportability-emulator",
            "auth_uri": format!("{base}{AUTH_PATH}"),
            "token_uri": format!("{base}{TOKEN_PATH}"),
            "revoke_uri": format!("{base}{REVOKE_PATH}"),
            "client_secret": client_secret,
            "redirect_uris": redirect_uris,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    #[test]
    fn pkce_s256_and_plain() {
        // RFC 7636 appendix B.
        let challenge = Challenge::parse(Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), Some("S256"))
            .expect("valid")
            .expect("sent");
        assert!(challenge.verify(VERIFIER));
        assert!(!challenge.verify(&VERIFIER.replace('d', "e")));
        let plain = Challenge::parse(Some(VERIFIER), None).expect("valid").expect("sent");
        assert!(plain.verify(VERIFIER));
        assert_eq!(Challenge::parse(None, None), Ok(None));
        assert!(Challenge::parse(Some("short"), Some("S256")).is_err());
        assert!(Challenge::parse(Some(VERIFIER), Some("S512")).is_err());
    }

    #[test]
    fn loopback_redirects_only() {
        assert!(is_loopback_redirect("http://localhost:8080"));
        assert!(is_loopback_redirect("http://127.0.0.1:1/cb"));
        assert!(is_loopback_redirect("http://[::1]:9/"));
        assert!(!is_loopback_redirect("https://example.com/cb"));
        assert!(!is_loopback_redirect("http://example.com:80/"));
        assert!(!is_loopback_redirect("urn:ietf:wg:oauth:2.0:oob"));
    }

    #[test]
    fn web_clients_register_https_or_localhost_uris_and_match_them_exactly() {
        let web = |uris: &[&str]| ClientRegistration {
            client_type: ClientType::Web,
            redirect_uris: uris.iter().map(|u| (*u).to_owned()).collect(),
            ..Default::default()
        };
        let client = web(&["https://app.example/oauth/callback", "http://localhost:8080/cb"]);
        assert_eq!(client.validate(), Ok(()));
        assert!(client.accepts_redirect("https://app.example/oauth/callback"));
        assert!(client.accepts_redirect("http://localhost:8080/cb"));
        for other in [
            "https://app.example/oauth/callback/",
            "https://app.example/oauth/callback?x=1",
            "https://APP.example/oauth/callback",
            "http://localhost:8081/cb",
            "http://127.0.0.1:8080/cb",
        ] {
            assert!(!client.accepts_redirect(other), "{other}");
        }
        for bad in [
            "http://app.example/cb",
            "https://app.example/cb#x",
            "https://user@app.example/cb",
            "https://*.example/cb",
            "ftp://app.example/cb",
            "app.example/cb",
        ] {
            assert!(web(&[bad]).validate().is_err(), "{bad}");
        }
        assert!(web(&[]).validate().is_err());
        let installed = ClientRegistration::default();
        assert_eq!(installed.validate(), Ok(()));
        assert!(installed.accepts_redirect("http://127.0.0.1:5555/anything"));
        assert!(!installed.accepts_redirect("https://app.example/oauth/callback"));
        let with_uris = ClientRegistration {
            redirect_uris: vec!["http://localhost".into()],
            ..ClientRegistration::default()
        };
        assert!(with_uris.validate().is_err());
    }
}
