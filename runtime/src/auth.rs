//! Authentication: where a call gets its OAuth 2.0 access token, or its API key.

#[cfg(feature = "gcp_auth")]
mod gcp;
#[cfg(feature = "yup-oauth2")]
mod yup;

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, as returned by [`TokenSource::token`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An OAuth 2.0 access token. Its `Debug` output never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a bearer token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The secret value, to put in an `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// Why a [`TokenSource`] could not produce a token.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AuthError {
    /// An error with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error caused by another error.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

#[cfg(feature = "gcp_auth")]
pub use self::gcp::GcpAuthTokenSource;
#[cfg(feature = "yup-oauth2")]
pub use self::yup::YupOAuth2TokenSource;

/// Supplies access tokens to a [`Client`](crate::Client); called once per request attempt,
/// so an implementation caches and refreshes as it sees fit.
///
/// Usable as `Arc<dyn TokenSource>` ([`ClientBuilder::shared_token_source`](crate::ClientBuilder::shared_token_source)).
/// Its `Debug` output must not show secrets.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Returns a token valid for the next request.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>>;

    /// Called when the server rejected `rejected` with HTTP 401, before the client asks for a
    /// token again and retries the call once. A caching source drops that token so the next
    /// [`token`](TokenSource::token) call gets a fresh one. The default does nothing.
    fn invalidate(&self, rejected: &AccessToken) {
        let _ = rejected;
    }
}

/// A Google API key, sent as the `key` query parameter. Its `Debug` output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps an API key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The secret value.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// A token source that always returns the same token: for tests, emulators and short scripts
/// that obtained a token elsewhere.
#[derive(Clone, Debug)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// A source that hands out `token` for every request.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: AccessToken::new(token),
        }
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let source = StaticToken::new("ya29.secret-value");
        let printed = format!(
            "{source:?} {:?} {:?}",
            AccessToken::new("ya29.secret-value"),
            ApiKey::new("AIza-secret-value")
        );
        assert!(!printed.contains("secret-value"), "{printed}");
        assert!(printed.contains("redacted"));
    }
}
