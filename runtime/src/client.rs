//! The client shared by every call of a generated crate.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderMap;

use crate::auth::{ApiKey, TokenSource};
use crate::endpoint::BaseUrl;
use crate::options::CallOptions;

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
    /// The document's `mtlsRootUrl`, if it has one.
    pub mtls_root_url: Option<&'static str>,
    /// The document's regional `endpoints`.
    pub endpoints: &'static [RegionalEndpoint],
}

impl ApiInfo {
    /// Describes an API; used by generated code in a `const`.
    pub const fn new(
        crate_name: &'static str,
        crate_version: &'static str,
        root_url: &'static str,
        service_path: &'static str,
    ) -> Self {
        Self {
            crate_name,
            crate_version,
            root_url,
            service_path,
            mtls_root_url: None,
            endpoints: &[],
        }
    }

    /// The same, with the document's `mtlsRootUrl`.
    pub const fn with_mtls_root_url(mut self, url: &'static str) -> Self {
        self.mtls_root_url = Some(url);
        self
    }

    /// The same, with the document's regional `endpoints`.
    pub const fn with_endpoints(mut self, endpoints: &'static [RegionalEndpoint]) -> Self {
        self.endpoints = endpoints;
        self
    }
}

/// A regional endpoint from the document's `endpoints`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegionalEndpoint {
    /// The location, e.g. `europe-west1`.
    pub location: &'static str,
    /// The root URL to use for that location.
    pub url: &'static str,
    /// The document's description.
    pub description: &'static str,
}

impl RegionalEndpoint {
    /// Describes an endpoint; used by generated code in a `const`.
    pub const fn new(location: &'static str, url: &'static str, description: &'static str) -> Self {
        Self {
            location,
            url,
            description,
        }
    }
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    /// The root URL, which media upload paths are relative to; ends with `/`.
    pub(crate) root_url: BaseUrl,
    pub(crate) base_url: BaseUrl,
    pub(crate) token_source: Option<Arc<dyn TokenSource>>,
    pub(crate) api_key: Option<ApiKey>,
    /// Sent with every request: `User-Agent`, `x-goog-api-client`, `Accept` and the quota
    /// project.
    pub(crate) headers: HeaderMap,
    pub(crate) options: CallOptions,
}

impl Client {
    pub(crate) fn new(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The URL every method path is appended to: the root URL and the service path.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url.as_str())
            .field("token_source", &inner.token_source)
            .field("api_key", &inner.api_key)
            .field("headers", &inner.headers)
            .field("options", &inner.options)
            .finish_non_exhaustive()
    }
}
