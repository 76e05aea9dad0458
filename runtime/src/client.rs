//! The client shared by every call of a generated crate, and its builder.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use reqwest::Url;

use crate::Error;
use crate::auth::TokenSource;

/// What a generated crate tells the runtime about its API.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiInfo {
    /// The generated crate's name, for the `User-Agent` header.
    pub crate_name: &'static str,
    /// The generated crate's version.
    pub crate_version: &'static str,
    /// The document's `rootUrl`, e.g. `https://dataportability.googleapis.com/`.
    pub root_url: &'static str,
    /// The document's `servicePath`, appended to the root URL.
    pub service_path: &'static str,
}

impl ApiInfo {
    /// Describes an API; used by generated code in a `const`.
    pub const fn new(
        crate_name: &'static str,
        crate_version: &'static str,
        root_url: &'static str,
        service_path: &'static str,
    ) -> Self {
        Self { crate_name, crate_version, root_url, service_path }
    }
}

/// A configured connection to one API. Cheap to clone: clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) token_source: Option<Arc<dyn TokenSource>>,
    pub(crate) user_agent: String,
    pub(crate) api_client: String,
}

impl Client {
    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The URL every method path is appended to: the root URL and the service path.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token_source", &self.inner.token_source)
            .field("user_agent", &self.inner.user_agent)
            .finish_non_exhaustive()
    }
}

/// Builds a generated crate's client (`C`) with a given configuration.
#[must_use]
pub struct ClientBuilder<C> {
    api: &'static ApiInfo,
    root_url: Option<String>,
    http: Option<reqwest::Client>,
    token_source: Option<Arc<dyn TokenSource>>,
    user_agent: Option<String>,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api", &self.api)
            .field("root_url", &self.root_url)
            .field("token_source", &self.token_source)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the API's defaults: its public endpoint and no credentials.
    pub fn new(api: &'static ApiInfo) -> Self {
        Self { api, root_url: None, http: None, token_source: None, user_agent: None, client: PhantomData }
    }

    /// Sends requests to another root URL instead of the document's `rootUrl`, for example a
    /// local emulator (`http://127.0.0.1:8080/`), a regional or an mTLS endpoint. The
    /// document's service path is still appended.
    pub fn endpoint(mut self, root_url: impl Into<String>) -> Self {
        self.root_url = Some(root_url.into());
        self
    }

    /// Uses this HTTP client (for its proxy, TLS or timeout settings) instead of a default one.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Authenticates every request with a token from `source`.
    pub fn token_source(self, source: impl TokenSource + 'static) -> Self {
        self.shared_token_source(Arc::new(source))
    }

    /// Authenticates every request with a token from a shared `source`.
    pub fn shared_token_source(mut self, source: Arc<dyn TokenSource>) -> Self {
        self.token_source = Some(source);
        self
    }

    /// Sets the `User-Agent` header's leading product; the crate's own product follows it.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, Error> {
        let root = self.root_url.as_deref().unwrap_or(self.api.root_url);
        let mut base_url = root.to_owned();
        if !base_url.ends_with('/') {
            base_url.push('/');
        }
        base_url.push_str(self.api.service_path.trim_start_matches('/'));
        let parsed = Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("endpoint {root:?} is not a valid URL: {e}")))?;
        if parsed.cannot_be_a_base() || !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Config(format!("endpoint {root:?} must be an http or https URL")));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let product = format!("{}/{}", self.api.crate_name, self.api.crate_version);
        let user_agent = match self.user_agent {
            Some(prefix) => format!("{prefix} {product}"),
            None => product,
        };
        let api_client = format!(
            "gdcl/{} discovery-runtime/{}",
            self.api.crate_version,
            env!("CARGO_PKG_VERSION")
        );
        let inner = Inner { http, base_url, token_source: self.token_source, user_agent, api_client };
        Ok(C::from(Client { inner: Arc::new(inner) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static API: ApiInfo = ApiInfo::new("test-api", "1.0.0", "https://example.googleapis.com/", "svc/v1/");

    #[test]
    fn joins_endpoint_and_service_path() {
        let client: Client = ClientBuilder::new(&API).build().unwrap();
        assert_eq!(client.base_url(), "https://example.googleapis.com/svc/v1/");
        let local: Client = ClientBuilder::new(&API).endpoint("http://127.0.0.1:9").build().unwrap();
        assert_eq!(local.base_url(), "http://127.0.0.1:9/svc/v1/");
    }

    #[test]
    fn rejects_an_endpoint_that_is_not_a_url() {
        let error = ClientBuilder::<Client>::new(&API).endpoint("not a url").build().unwrap_err();
        assert!(error.to_string().contains("not a url"), "{error}");
        let error = ClientBuilder::<Client>::new(&API).endpoint("ftp://x/").build().unwrap_err();
        assert!(error.to_string().contains("http or https"), "{error}");
    }
}
