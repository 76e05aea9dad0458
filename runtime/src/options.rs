//! The settings a call runs with: the client's defaults, overridden per call.

use std::time::Duration;

use crate::RetryPolicy;

/// The default limit of a JSON response body: 64 MiB, far above any JSON page Google's APIs
/// send, and small enough that a broken or hostile server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// The default timeout of one attempt.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default timeout for opening a connection (on the HTTP client the builder makes).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client's defaults for every call.
#[derive(Clone, Debug)]
pub(crate) struct CallOptions {
    pub(crate) retry: RetryPolicy,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_response_bytes: u64,
    /// The most pages a `pages()` stream fetches (`None`: no limit).
    pub(crate) max_pages: Option<u64>,
}

impl Default for CallOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            attempt_timeout: Some(DEFAULT_ATTEMPT_TIMEOUT),
            timeout: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_pages: None,
        }
    }
}

/// What one call changes of its client's defaults.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOverrides {
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) idempotent: Option<bool>,
    pub(crate) max_response_bytes: Option<u64>,
    pub(crate) max_pages: Option<u64>,
}

impl CallOptions {
    /// The options of a call: these defaults with the call's overrides applied.
    pub(crate) fn with(&self, overrides: &CallOverrides) -> CallOptions {
        CallOptions {
            retry: overrides.retry.clone().unwrap_or_else(|| self.retry.clone()),
            attempt_timeout: overrides.attempt_timeout.or(self.attempt_timeout),
            timeout: overrides.timeout.or(self.timeout),
            max_response_bytes: overrides.max_response_bytes.unwrap_or(self.max_response_bytes),
            max_pages: overrides.max_pages.or(self.max_pages),
        }
    }
}
