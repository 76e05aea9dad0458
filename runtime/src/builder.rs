//! Configuring and building a client.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::auth::{ApiKey, TokenSource};
use crate::client::{ApiInfo, Client, Inner};
use crate::options::{CallOptions, DEFAULT_CONNECT_TIMEOUT};
use crate::{Error, RetryPolicy, endpoint};

/// The header naming the project billed for quota.
const QUOTA_PROJECT: HeaderName = HeaderName::from_static("x-goog-user-project");
/// The header identifying the client library to Google.
const API_CLIENT: HeaderName = HeaderName::from_static("x-goog-api-client");

/// Builds a generated crate's client (`C`) with a given configuration.
///
/// Its `Debug` output never shows the token or the API key.
#[must_use]
pub struct ClientBuilder<C> {
    api: &'static ApiInfo,
    root_url: Option<String>,
    /// Why the chosen endpoint cannot be used, reported by `build`.
    endpoint_error: Option<String>,
    http: Option<reqwest::Client>,
    connect_timeout: Option<Duration>,
    token_source: Option<Arc<dyn TokenSource>>,
    api_key: Option<ApiKey>,
    user_agent: Option<String>,
    quota_project: Option<String>,
    options: CallOptions,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api", &self.api)
            .field("root_url", &self.root_url)
            .field("endpoint_error", &self.endpoint_error)
            .field("connect_timeout", &self.connect_timeout)
            .field("token_source", &self.token_source)
            .field("api_key", &self.api_key)
            .field("user_agent", &self.user_agent)
            .field("quota_project", &self.quota_project)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// A builder with the API's defaults: its public endpoint, no credentials, the default
    /// [`RetryPolicy`], a 10 s connect timeout, a 60 s timeout per attempt, no overall
    /// timeout, and a 64 MiB limit on JSON response bodies.
    pub fn new(api: &'static ApiInfo) -> Self {
        Self {
            api,
            root_url: None,
            endpoint_error: None,
            http: None,
            connect_timeout: None,
            token_source: None,
            api_key: None,
            user_agent: None,
            quota_project: None,
            options: CallOptions::default(),
            client: PhantomData,
        }
    }

    /// Sends requests to another root URL instead of the document's `rootUrl`, for example a
    /// local emulator (`http://127.0.0.1:8080/`), a regional or an mTLS endpoint. The
    /// document's service path is still appended. It must be `https`, except on a loopback
    /// host (`localhost`, `127.0.0.1`, `[::1]`).
    pub fn endpoint(mut self, root_url: impl Into<String>) -> Self {
        self.root_url = Some(root_url.into());
        self.endpoint_error = None;
        self
    }

    /// Sends requests to the document's mTLS endpoint (`mtlsRootUrl`); give the builder an
    /// HTTP client that presents a client certificate with [`Self::http_client`]. `build`
    /// fails if the API has none.
    pub fn mtls_endpoint(mut self) -> Self {
        match self.api.mtls_root_url {
            Some(url) => self = self.endpoint(url),
            None => self.endpoint_error = Some("the API's document declares no mTLS endpoint".to_owned()),
        }
        self
    }

    /// Sends requests to the regional endpoint of `location` from the document's `endpoints`
    /// (e.g. `europe-west1`). `build` fails if the document lists no endpoint there.
    pub fn location(mut self, location: &str) -> Self {
        match self.api.endpoints.iter().find(|e| e.location == location) {
            Some(endpoint) => self = self.endpoint(endpoint.url),
            None => {
                let known: Vec<&str> = self.api.endpoints.iter().map(|e| e.location).collect();
                self.endpoint_error = Some(if known.is_empty() {
                    format!("no regional endpoint for {location:?}: the API's document declares none")
                } else {
                    format!(
                        "no regional endpoint for {location:?}; the document declares {}",
                        known.join(", ")
                    )
                });
            }
        }
        self
    }

    /// Uses this HTTP client (for its proxy or TLS settings) instead of a default one. Its own
    /// connect timeout applies: [`connect_timeout`](Self::connect_timeout) cannot be combined
    /// with it. Give it `.redirect(reqwest::redirect::Policy::none())` as the default client
    /// has: reqwest's default redirect policy can carry credentials to another origin.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The timeout for opening a connection (DNS, TCP and TLS); 10 s by default.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The timeout of one attempt (sending the request and reading the whole response); an
    /// attempt that times out is retried like a connection failure. 60 s by default; `None`
    /// for no limit.
    ///
    /// Under tokio's paused clock (`tokio::time::pause`), a pending timeout is fired as soon
    /// as the runtime waits for the network: use `None` in such tests.
    pub fn attempt_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.options.attempt_timeout = timeout.into();
        self
    }

    /// The timeout of a whole call, retries and the waits between them included. None by
    /// default; `None` for no limit.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.options.timeout = timeout.into();
        self
    }

    /// How calls are retried; see [`RetryPolicy`]. [`RetryPolicy::never`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = policy;
        self
    }

    /// The largest JSON response body accepted, in bytes (64 MiB by default); a larger body
    /// fails the call with [`Error::BodyTooLarge`] without being read past the limit.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.options.max_response_bytes = limit;
        self
    }

    /// The most pages a `pages()` or `items()` stream fetches; a server that still hands out a
    /// next page token after that many ends the stream with [`Error::Paging`]. None by default
    /// (a list ends when the server says so, or when it repeats a token); a program that
    /// pages unattended through a server it does not trust should set one.
    pub fn max_pages(mut self, pages: impl Into<Option<u64>>) -> Self {
        self.options.max_pages = pages.into();
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

    /// Sends this API key with every request, as the `key` query parameter (for APIs and
    /// methods that accept one; it can be combined with a token source).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// Sets the `User-Agent` header's leading product; the crate's own product follows it.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Bills quota and usage to this project (the `x-goog-user-project` header), for
    /// credentials that belong to another project or to a user.
    pub fn quota_project(mut self, project: impl Into<String>) -> Self {
        self.quota_project = Some(project.into());
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<C, Error> {
        if let Some(error) = self.endpoint_error {
            return Err(Error::Config(error));
        }
        let root = self.root_url.as_deref().unwrap_or(self.api.root_url);
        let base_url = endpoint::base_url(root, self.api.service_path)?;
        let root_url = endpoint::base_url(root, "")?;
        let http = match (self.http, self.connect_timeout) {
            (Some(_), Some(_)) => {
                return Err(Error::Config(
                    "connect_timeout only applies to the HTTP client the builder makes; \
                     set it on the client given to http_client instead"
                        .to_owned(),
                ));
            }
            (Some(http), None) => http,
            // No redirect is followed: reqwest's default policy would keep `Authorization`
            // on a same-host redirect from https to http and any custom credential header
            // (`x-goog-api-key`) on every redirect. Google's APIs answer, they do not redirect.
            (None, timeout) => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let headers = default_headers(self.api, self.user_agent.as_deref(), self.quota_project.as_deref())?;
        let inner = Inner {
            http,
            root_url: endpoint::BaseUrl::new(root_url),
            base_url: endpoint::BaseUrl::new(base_url),
            token_source: self.token_source,
            api_key: self.api_key,
            headers,
            options: self.options,
        };
        Ok(C::from(Client::new(inner)))
    }
}

/// The headers of every request: who is calling, and who pays.
fn default_headers(api: &ApiInfo, user_agent: Option<&str>, quota_project: Option<&str>) -> Result<HeaderMap, Error> {
    let product = format!("{}/{}", api.crate_name, api.crate_version);
    let user_agent = match user_agent {
        Some(prefix) => format!("{prefix} {product}"),
        None => product,
    };
    let api_client = format!(
        "gdcl/{} discovery-runtime/{}",
        api.crate_version,
        env!("CARGO_PKG_VERSION")
    );
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, header_value("user agent", &user_agent)?);
    headers.insert(API_CLIENT, header_value("API client", &api_client)?);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(project) = quota_project {
        headers.insert(QUOTA_PROJECT, header_value("quota project", project)?);
    }
    Ok(headers)
}

fn header_value(what: &str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value).map_err(|_| Error::Config(format!("the {what} {value:?} is not a valid header value")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegionalEndpoint;

    static API: ApiInfo = ApiInfo::new("test-api", "1.0.0", "https://example.googleapis.com/", "svc/v1/");

    #[test]
    fn joins_endpoint_and_service_path() {
        let client: Client = ClientBuilder::new(&API).build().unwrap();
        assert_eq!(client.base_url(), "https://example.googleapis.com/svc/v1/");
        let local: Client = ClientBuilder::new(&API).endpoint("http://127.0.0.1:9").build().unwrap();
        assert_eq!(local.base_url(), "http://127.0.0.1:9/svc/v1/");
    }

    static REGIONAL: ApiInfo = ApiInfo::new("test-api", "1.0.0", "https://example.googleapis.com/", "v1/")
        .with_mtls_root_url("https://example.mtls.googleapis.com/")
        .with_endpoints(&[RegionalEndpoint::new(
            "europe-west1",
            "https://example.europe-west1.rep.googleapis.com/",
            "",
        )]);

    #[test]
    fn mtls_and_regional_endpoints_come_from_the_document() {
        let mtls: Client = ClientBuilder::new(&REGIONAL).mtls_endpoint().build().unwrap();
        assert_eq!(mtls.base_url(), "https://example.mtls.googleapis.com/v1/");
        let regional: Client = ClientBuilder::new(&REGIONAL).location("europe-west1").build().unwrap();
        assert_eq!(
            regional.base_url(),
            "https://example.europe-west1.rep.googleapis.com/v1/"
        );
        let error = ClientBuilder::<Client>::new(&REGIONAL)
            .location("mars-north1")
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(r#""mars-north1"; the document declares europe-west1"#),
            "{error}"
        );
        let error = ClientBuilder::<Client>::new(&API)
            .mtls_endpoint()
            .build()
            .unwrap_err()
            .to_string();
        assert!(error.contains("no mTLS endpoint"), "{error}");
    }

    #[test]
    fn rejects_an_endpoint_that_is_not_safe() {
        let error = ClientBuilder::<Client>::new(&API)
            .endpoint("not a url")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("not a url"), "{error}");
        let error = ClientBuilder::<Client>::new(&API)
            .endpoint("http://example.com/")
            .build()
            .unwrap_err();
        assert!(
            matches!(error, Error::Config(_)) && error.to_string().contains("https"),
            "{error}"
        );
    }

    #[test]
    fn rejects_bad_header_values_and_a_connect_timeout_it_cannot_apply() {
        let error = ClientBuilder::<Client>::new(&API)
            .quota_project("a\nb")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("quota project"), "{error}");
        let error = ClientBuilder::<Client>::new(&API)
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("connect_timeout"), "{error}");
    }

    #[test]
    fn identifies_the_crate_and_the_quota_project() {
        let headers = default_headers(&API, Some("my-app/2"), Some("billing-project")).unwrap();
        assert_eq!(headers[USER_AGENT], "my-app/2 test-api/1.0.0");
        let api_client = headers[API_CLIENT].to_str().unwrap();
        assert!(api_client.starts_with("gdcl/1.0.0 discovery-runtime/"), "{api_client}");
        assert_eq!(headers[QUOTA_PROJECT], "billing-project");
    }
}
