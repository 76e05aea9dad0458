//! Google's OAuth 2.0 web-server flow, as the service uses it: the consent URL (offline
//! access, `prompt=consent`, PKCE S256, a `state`), the code exchange, refreshing an access
//! token, and revocation.
//!
//! Source: "Using OAuth 2.0 for Web Server Applications",
//! <https://developers.google.com/identity/protocols/oauth2/web-server>: `access_type=offline`
//! for a refresh token, `prompt=consent` so one is issued again on a second consent, PKCE
//! recommended, `invalid_grant` for a refresh token that was revoked or expired; the Data
//! Portability guide (<https://developers.google.com/data-portability/user-guide/time-based>)
//! for the 30- or 180-day grant (`refresh_token_expires_in`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::Digest as _;

/// The prefix of every Data Portability scope.
pub const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/dataportability.";

/// An OAuth failure. No token is ever part of it.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// Google refused the grant (`invalid_grant`): revoked, reset, or past its end.
    #[error("the grant was refused (invalid_grant): {0}")]
    InvalidGrant(String),
    /// Another error answer.
    #[error("the token endpoint answered {status}: {error}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Google's `error` (and `error_description`).
        error: String,
    },
    /// The request failed.
    #[error("the token endpoint could not be reached: {0}")]
    Network(String),
    /// The client secret file is not usable.
    #[error("client secret: {0}")]
    Config(String),
}

/// A web client's settings (the `web` object of a client secret JSON).
#[derive(Clone, Debug, Deserialize)]
pub struct WebClient {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The authorization endpoint.
    pub auth_uri: String,
    /// The token endpoint.
    pub token_uri: String,
    /// The revocation endpoint.
    #[serde(default = "default_revoke")]
    pub revoke_uri: String,
}

fn default_revoke() -> String {
    "https://oauth2.googleapis.com/revoke".to_owned()
}

impl WebClient {
    /// Reads `{"web": {...}}` (a client secret JSON as Google's console downloads it).
    pub fn from_json(text: &str) -> Result<Self, OAuthError> {
        #[derive(Deserialize)]
        struct File {
            web: WebClient,
        }
        serde_json::from_str::<File>(text).map(|f| f.web).map_err(|e| {
            OAuthError::Config(format!(
                "expected {{\"web\": {{client_id, client_secret, auth_uri, token_uri}}}}: {e}"
            ))
        })
    }
}

/// The tokens of a code exchange.
#[derive(Clone, Deserialize)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// Its lifetime in seconds.
    #[serde(default)]
    pub expires_in: i64,
    /// The refresh token (offline access).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The scopes granted, separated by spaces.
    #[serde(default)]
    pub scope: String,
    /// How long the refresh token lasts, when the grant ends.
    #[serde(default)]
    pub refresh_token_expires_in: Option<i64>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// The resource groups the scopes grant.
    pub fn granted_groups(&self) -> Vec<String> {
        self.scope
            .split_whitespace()
            .filter_map(|s| s.strip_prefix(SCOPE_PREFIX))
            .map(str::to_owned)
            .collect()
    }
}

/// A PKCE verifier and its S256 challenge (RFC 7636).
pub fn pkce() -> (String, String) {
    let verifier = crate::crypto::random_hex(32);
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// The OAuth client of the service.
#[derive(Clone, Debug)]
pub struct OAuth {
    client: WebClient,
    redirect_uri: String,
    http: reqwest::Client,
}

impl OAuth {
    /// The flow of `client`, coming back to `redirect_uri`.
    pub fn new(client: WebClient, redirect_uri: String, http: reqwest::Client) -> Self {
        Self {
            client,
            redirect_uri,
            http,
        }
    }

    /// The consent URL for `groups`.
    pub fn consent_url(&self, groups: &[String], state: &str, challenge: &str, login_hint: Option<&str>) -> String {
        let scope: Vec<String> = groups.iter().map(|g| format!("{SCOPE_PREFIX}{g}")).collect();
        let scope = scope.join(" ");
        let mut pairs = vec![
            ("client_id", self.client.client_id.as_str()),
            ("redirect_uri", &self.redirect_uri),
            ("response_type", "code"),
            ("scope", scope.as_str()),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("access_type", "offline"),
            ("prompt", "consent"),
        ];
        if let Some(hint) = login_hint {
            pairs.push(("login_hint", hint));
        }
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        format!("{}?{query}", self.client.auth_uri)
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<Tokens, OAuthError> {
        let response = self
            .http
            .post(&self.client.token_uri)
            .form(form)
            .send()
            .await
            .map_err(|e| OAuthError::Network(e.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| OAuthError::Network(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| OAuthError::Refused {
                status: status.as_u16(),
                error: format!("an answer that is not a token response: {e}"),
            });
        }
        #[derive(Deserialize)]
        struct ErrorBody {
            error: String,
            #[serde(default)]
            error_description: String,
        }
        match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(e) if e.error == "invalid_grant" => Err(OAuthError::InvalidGrant(printable(&e.error_description))),
            Ok(e) => Err(OAuthError::Refused {
                status: status.as_u16(),
                error: printable(&format!("{} {}", e.error, e.error_description)),
            }),
            Err(_) => Err(OAuthError::Refused {
                status: status.as_u16(),
                error: "no OAuth error in the answer".to_owned(),
            }),
        }
    }

    /// Exchanges an authorization code.
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<Tokens, OAuthError> {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
            ("client_id", &self.client.client_id),
            ("client_secret", &self.client.client_secret),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// A new access token from a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, OAuthError> {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &self.client.client_id),
            ("client_secret", &self.client.client_secret),
        ])
        .await
    }

    /// Revokes a token (and so its grant). An already revoked one is not an error.
    pub async fn revoke(&self, token: &str) -> Result<(), OAuthError> {
        let response = self
            .http
            .post(&self.client.revoke_uri)
            .form(&[("token", token)])
            .send()
            .await
            .map_err(|e| OAuthError::Network(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() || status.as_u16() == 400 {
            Ok(())
        } else {
            Err(OAuthError::Refused {
                status: status.as_u16(),
                error: "revocation failed".to_owned(),
            })
        }
    }
}

/// At most 200 printable characters of server text.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_url_asks_offline_access_consent_and_pkce() {
        let client = WebClient::from_json(
            r#"{"web": {"client_id": "c", "client_secret": "s", "auth_uri": "https://a/auth", "token_uri": "https://a/token"}}"#,
        )
        .unwrap();
        let oauth = OAuth::new(
            client,
            "http://127.0.0.1:1/oauth/callback".into(),
            reqwest::Client::new(),
        );
        let url = oauth.consent_url(&["myactivity.search".into()], "st", "ch", Some("u@example.com"));
        let parsed = url::Url::parse(&url).unwrap();
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["access_type"], "offline");
        assert_eq!(query["prompt"], "consent");
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["state"], "st");
        assert_eq!(query["login_hint"], "u@example.com");
        assert_eq!(
            query["scope"],
            "https://www.googleapis.com/auth/dataportability.myactivity.search"
        );
    }

    #[test]
    fn the_challenge_is_the_verifiers_sha256() {
        let (verifier, challenge) = pkce();
        assert_eq!(
            challenge,
            URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
        );
        assert!(verifier.len() >= 43);
    }

    #[test]
    fn granted_groups_are_read_from_the_scopes() {
        let tokens: Tokens = serde_json::from_str(&format!(
            r#"{{"access_token": "a", "scope": "{SCOPE_PREFIX}a.b openid {SCOPE_PREFIX}c"}}"#
        ))
        .unwrap();
        assert_eq!(tokens.granted_groups(), ["a.b", "c"]);
        assert!(!format!("{tokens:?}").contains("\"a\""));
    }
}
