//! Authentication: where a call gets its OAuth 2.0 access token.

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
        Self { message: message.into(), source: None }
    }

    /// An error caused by another error.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self { message: message.into(), source: Some(source.into()) }
    }
}

/// Supplies access tokens to a [`Client`](crate::Client); called once per request attempt,
/// so an implementation caches and refreshes as it sees fit.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Returns a token valid for the next request.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>>;
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
        Self { token: AccessToken::new(token) }
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
        let printed = format!("{source:?} {:?}", AccessToken::new("ya29.secret-value"));
        assert!(!printed.contains("secret-value"), "{printed}");
        assert!(printed.contains("redacted"));
    }
}
