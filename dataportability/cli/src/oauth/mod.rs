//! The installed-app OAuth flow of `--client-secret`, over the `oauth2` crate.
//!
//! One [`InstalledFlow`] serves every group of a run: its state is behind one async mutex, so
//! the first task that needs a token runs the consent (one URL printed, one loopback listener)
//! while the others wait for its result; afterwards they share the token, and one refresh
//! serves them all. The consent sends PKCE (S256) and a random `state`, and takes only the
//! redirect that carries that `state` (RFC 7636; Google's installed-app guide,
//! <https://developers.google.com/identity/protocols/oauth2/native-app>). Endpoints must be
//! https unless loopback ([`secret`]); tokens are cached as the export directory's files are
//! ([`cache`]). The HTTP client follows no redirect (the `oauth2` crate's advice: a token
//! endpoint that redirects could send the code or the client secret elsewhere).

mod cache;
mod loopback;
mod secret;

use std::fmt;
use std::path::Path;
use std::sync::Mutex as SyncMutex;

use discovery_runtime::{AccessToken, AuthError, BoxFuture, TokenSource};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    RedirectUrl, RefreshToken, RequestTokenError, Scope as OAuthScope, StandardErrorResponse, TokenResponse, TokenUrl,
};
use tokio::sync::Mutex;

use crate::failure::Failure;
use cache::{Cache, Cached};
use loopback::{Answer, Loopback};

/// A token this close to its expiry (by this machine's clock) is refreshed first.
const EXPIRY_MARGIN_SECONDS: i64 = 60;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// Tokens for the run's scopes from the installed-app flow; see the module's documentation.
pub struct InstalledFlow {
    secret: secret::ClientSecret,
    scopes: Vec<String>,
    cache: Cache,
    http: reqwest::Client,
    state: Mutex<Option<Cached>>,
    /// The access token a server last refused (set by [`TokenSource::invalidate`]).
    rejected: SyncMutex<Option<String>>,
}

impl fmt::Debug for InstalledFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstalledFlow")
            .field("client_id", &self.secret.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl InstalledFlow {
    /// Reads the client secret file and opens the cache; nothing is sent yet.
    pub fn new(secret: &Path, cache: &Path, scopes: Vec<String>) -> Result<Self, Failure> {
        let secret = secret::read(secret)?;
        let cache = Cache::open(cache)?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(30))
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| Failure::auth(format!("the OAuth HTTP client: {e}")))?;
        Ok(Self {
            secret,
            scopes,
            cache,
            http,
            state: Mutex::new(None),
            rejected: SyncMutex::new(None),
        })
    }

    /// The `oauth2` client, with `redirect` when there is one.
    fn client(&self, redirect: Option<&str>) -> Result<Client, AuthError> {
        let auth = AuthUrl::from_url(self.secret.auth_uri.clone());
        let token = TokenUrl::from_url(self.secret.token_uri.clone());
        let mut client = BasicClient::new(ClientId::new(self.secret.client_id.clone()))
            .set_auth_uri(auth)
            .set_token_uri(token);
        if let Some(secret) = &self.secret.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.clone()));
        }
        if let Some(redirect) = redirect {
            let url =
                RedirectUrl::new(redirect.to_owned()).map_err(|e| AuthError::with_source("the redirect URI", e))?;
            client = client.set_redirect_uri(url);
        }
        Ok(client)
    }

    /// A valid token: the one held, a cached one, a refreshed one, or one from a new consent.
    async fn get(&self) -> Result<String, AuthError> {
        let mut state = self.state.lock().await;
        if state.is_none() {
            *state = self.cache.load().map_err(failure)?.filter(|c| covers(c, &self.scopes));
        }
        let rejected = self.rejected.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(held) = state.as_ref() {
            let refused = rejected.as_deref() == Some(held.access_token.as_str());
            if !refused && !expired(held) {
                return Ok(held.access_token.clone());
            }
            if let Some(refresh) = held.refresh_token.clone() {
                match self.refresh(&refresh).await {
                    Ok(mut fresh) => {
                        fresh.scopes.clone_from(&held.scopes);
                        // Google answers no new refresh token to a refresh: keep the one held.
                        fresh.refresh_token = fresh.refresh_token.or(Some(refresh));
                        return self.keep(&mut state, fresh);
                    }
                    // A refresh token revoked or expired: consent again.
                    Err(RefreshFailed::Grant) => {}
                    Err(RefreshFailed::Other(error)) => return Err(error),
                }
            }
        }
        let fresh = self.consent().await?;
        self.keep(&mut state, fresh)
    }

    fn keep(&self, state: &mut Option<Cached>, fresh: Cached) -> Result<String, AuthError> {
        self.cache.store(&fresh).map_err(failure)?;
        let token = fresh.access_token.clone();
        *state = Some(fresh);
        Ok(token)
    }

    async fn refresh(&self, refresh: &str) -> Result<Cached, RefreshFailed> {
        let client = self.client(None).map_err(RefreshFailed::Other)?;
        let answer = client
            .exchange_refresh_token(&RefreshToken::new(refresh.to_owned()))
            .request_async(&self.http)
            .await;
        match answer {
            Ok(token) => Ok(cached(&token, Vec::new())),
            Err(RequestTokenError::ServerResponse(response))
                if *response.error() == BasicErrorResponseType::InvalidGrant =>
            {
                Err(RefreshFailed::Grant)
            }
            Err(error) => Err(RefreshFailed::Other(token_error("refreshing the access token", error))),
        }
    }

    /// The consent: the URL on stderr, the redirect on the loopback listener, the code
    /// exchanged with its PKCE verifier.
    async fn consent(&self) -> Result<Cached, AuthError> {
        let listener = Loopback::bind().await.map_err(failure)?;
        let redirect = listener.redirect_uri().map_err(failure)?;
        let client = self.client(Some(&redirect))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes.iter().cloned().map(OAuthScope::new))
            .add_extra_param("access_type", "offline")
            .set_pkce_challenge(challenge)
            .url();
        eprintln!("To allow access, open this URL in a browser (waiting for the answer):\n{url}");
        let code = match listener.answer(state.secret()).await.map_err(failure)? {
            Answer::Code(code) => code,
            Answer::Error(error) => {
                return Err(AuthError::new(format!(
                    "the consent was not given ({})",
                    crate::ui::shown(&error)
                )));
            }
        };
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| token_error("exchanging the authorization code", e))?;
        Ok(cached(&token, self.scopes.clone()))
    }
}

impl TokenSource for InstalledFlow {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move { self.get().await.map(AccessToken::new) })
    }

    fn invalidate(&self, rejected: &AccessToken) {
        *self.rejected.lock().unwrap_or_else(|e| e.into_inner()) = Some(rejected.secret().to_owned());
    }
}

enum RefreshFailed {
    /// `invalid_grant`: the refresh token is no longer valid.
    Grant,
    Other(AuthError),
}

/// Whether the cache was consented for every scope of this run.
fn covers(cached: &Cached, scopes: &[String]) -> bool {
    scopes.iter().all(|s| cached.scopes.contains(s))
}

fn expired(cached: &Cached) -> bool {
    let now = chrono::Utc::now().timestamp();
    cached.expires_at.is_some_and(|at| at - EXPIRY_MARGIN_SECONDS <= now)
}

fn cached(token: &oauth2::basic::BasicTokenResponse, scopes: Vec<String>) -> Cached {
    let expires_at = token.expires_in().map(|d| {
        let seconds = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        chrono::Utc::now().timestamp().saturating_add(seconds)
    });
    Cached {
        scopes,
        access_token: token.access_token().secret().clone(),
        expires_at,
        refresh_token: token.refresh_token().map(|r| r.secret().clone()),
    }
}

fn failure(failure: Failure) -> AuthError {
    AuthError::new(failure.message)
}

type TokenError<E> = RequestTokenError<E, StandardErrorResponse<BasicErrorResponseType>>;

/// A token endpoint's refusal or a transport error, in one line (the server's text escaped).
fn token_error<E: std::error::Error + 'static>(what: &str, error: TokenError<E>) -> AuthError {
    let detail = match &error {
        RequestTokenError::ServerResponse(response) => {
            let description = response.error_description().map(String::as_str).unwrap_or_default();
            format!("{} {description}", response.error())
        }
        RequestTokenError::Request(error) => error.to_string(),
        RequestTokenError::Parse(error, _) => format!("an unreadable answer: {error}"),
        RequestTokenError::Other(text) => text.clone(),
    };
    AuthError::new(format!("{what}: {}", crate::ui::shown(detail.trim())))
}
