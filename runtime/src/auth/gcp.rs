//! A [`TokenSource`] over a `gcp_auth` token provider (feature `gcp_auth`).

use std::fmt;
use std::sync::Arc;

use super::{AccessToken, AuthError, BoxFuture, TokenSource};

/// Tokens from a [`gcp_auth::TokenProvider`] (service account key, metadata server, gcloud
/// credentials), for the given scopes.
///
/// `gcp_auth` caches tokens and refreshes them before they expire; it has no way to drop a
/// cached token, so after an HTTP 401 the retry asks it again and may get the same token.
pub struct GcpAuthTokenSource {
    provider: Arc<dyn gcp_auth::TokenProvider>,
    scopes: Vec<String>,
}

impl GcpAuthTokenSource {
    /// A source of tokens for `scopes` from `provider`.
    pub fn new<S: Into<String>>(
        provider: Arc<dyn gcp_auth::TokenProvider>,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            provider,
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    /// A source over the provider `gcp_auth` finds in the environment
    /// ([`gcp_auth::provider`]).
    pub async fn from_environment<S: Into<String>>(scopes: impl IntoIterator<Item = S>) -> Result<Self, AuthError> {
        let provider = gcp_auth::provider()
            .await
            .map_err(|e| AuthError::with_source("gcp_auth found no credentials", e))?;
        Ok(Self::new(provider, scopes))
    }

    /// The scopes tokens are requested for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

impl fmt::Debug for GcpAuthTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpAuthTokenSource")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl TokenSource for GcpAuthTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
            let token = self
                .provider
                .token(&scopes)
                .await
                .map_err(|e| AuthError::with_source("gcp_auth could not get a token", e))?;
            Ok(AccessToken::new(token.as_str()))
        })
    }
}
