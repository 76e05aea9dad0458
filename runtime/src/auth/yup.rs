//! A [`TokenSource`] over a `yup-oauth2` authenticator (feature `yup-oauth2`).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use hyper_util::client::legacy::connect::Connect;
use yup_oauth2::authenticator::Authenticator;

use super::{AccessToken, AuthError, BoxFuture, TokenSource};

/// Tokens from a [`yup_oauth2`] [`Authenticator`], for the given scopes: the installed-app
/// flow (`InstalledFlowAuthenticator`), authorized-user files (`AuthorizedUserAuthenticator`),
/// or any other flow the crate offers.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use discovery_runtime::YupOAuth2TokenSource;
/// use yup_oauth2::{InstalledFlowAuthenticator, InstalledFlowReturnMethod};
///
/// let secret = yup_oauth2::read_application_secret("client_secret.json").await?;
/// let auth = InstalledFlowAuthenticator::builder(secret, InstalledFlowReturnMethod::HTTPRedirect)
///     .persist_tokens_to_disk("tokens.json")
///     .build()
///     .await?;
/// let source = YupOAuth2TokenSource::new(auth, ["https://www.googleapis.com/auth/dataportability.myactivity.search"]);
/// # let _ = source;
/// # Ok(())
/// # }
/// ```
///
/// An authorized-user file (as written by `gcloud auth application-default login`):
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let secret = yup_oauth2::read_authorized_user_secret("authorized_user.json").await?;
/// let auth = yup_oauth2::AuthorizedUserAuthenticator::builder(secret).build().await?;
/// let source = discovery_runtime::YupOAuth2TokenSource::new(auth, ["https://www.googleapis.com/auth/cloud-platform"]);
/// # let _ = source;
/// # Ok(())
/// # }
/// ```
///
/// After the server rejects a token (HTTP 401), the next token is fetched with
/// `force_refreshed_token`, bypassing the authenticator's cache.
pub struct YupOAuth2TokenSource<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    authenticator: Authenticator<C>,
    scopes: Vec<String>,
    force_refresh: AtomicBool,
}

impl<C> YupOAuth2TokenSource<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    /// A source of tokens for `scopes` from `authenticator`.
    pub fn new<S: Into<String>>(authenticator: Authenticator<C>, scopes: impl IntoIterator<Item = S>) -> Self {
        Self {
            authenticator,
            scopes: scopes.into_iter().map(Into::into).collect(),
            force_refresh: AtomicBool::new(false),
        }
    }

    /// The scopes tokens are requested for.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

impl<C> fmt::Debug for YupOAuth2TokenSource<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YupOAuth2TokenSource")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl<C> TokenSource for YupOAuth2TokenSource<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let token = if self.force_refresh.swap(false, Ordering::AcqRel) {
                self.authenticator.force_refreshed_token(&self.scopes).await
            } else {
                self.authenticator.token(&self.scopes).await
            };
            let token = token.map_err(|e| AuthError::with_source("yup-oauth2 could not get a token", e))?;
            token
                .token()
                .map(AccessToken::new)
                .ok_or_else(|| AuthError::new("yup-oauth2 returned no access token"))
        })
    }

    fn invalidate(&self, _rejected: &AccessToken) {
        self.force_refresh.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hands_out_the_authenticators_token_and_hides_it() {
        let authenticator = yup_oauth2::AccessTokenAuthenticator::builder("ya29.from-yup".to_owned())
            .build()
            .await
            .expect("an access-token authenticator needs no network");
        let source = YupOAuth2TokenSource::new(authenticator, ["https://www.googleapis.com/auth/scope"]);

        assert_eq!(source.token().await.unwrap().secret(), "ya29.from-yup");
        source.invalidate(&AccessToken::new("ya29.from-yup"));
        assert_eq!(source.token().await.unwrap().secret(), "ya29.from-yup");
        let printed = format!("{source:?}");
        assert!(
            !printed.contains("from-yup") && printed.contains("auth/scope"),
            "{printed}"
        );
    }
}
