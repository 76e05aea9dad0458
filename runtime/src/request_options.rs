//! The per-call options every request builder takes, as one trait implemented by every builder
//! of every generated crate (as `google-cloud-gax`'s `RequestOptionsBuilder`): its methods are
//! written and type-checked once, here, instead of once per builder.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::RetryPolicy;
use crate::call::Call;
use crate::query::QueryValue;

/// Options of one request, overriding the client's for that call: headers, the retry policy,
/// timeouts, whether the request is safe to repeat, and the size limit of its answer.
///
/// Every request builder implements it; bring it into scope with the generated crate's
/// prelude (`use <crate>::prelude::*`).
pub trait RequestOptions: Sized {
    /// The call being built. Generated code only; not part of the stable API.
    #[doc(hidden)]
    fn __call(&mut self) -> &mut Call;

    /// Sets query parameter `name` to `value`, replacing an earlier value: the body of every
    /// generated standard parameter setter. Generated code only; not part of the stable API.
    #[doc(hidden)]
    fn __set_query(mut self, name: &'static str, value: impl QueryValue) -> Self {
        self.__call().set_query(name, value);
        self
    }

    /// Adds an HTTP header to this request, replacing the client's header of that name.
    fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.__call().add_header(name, value);
        self
    }

    /// Overrides the client's retry policy for this request.
    fn retry(mut self, policy: RetryPolicy) -> Self {
        self.__call().set_retry_policy(policy);
        self
    }

    /// Limits the whole request, retries included.
    fn timeout(mut self, timeout: Duration) -> Self {
        self.__call().set_timeout(timeout);
        self
    }

    /// Limits each attempt of this request.
    fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.__call().set_attempt_timeout(timeout);
        self
    }

    /// Declares this request safe to repeat, so a `POST` or `PATCH` may be retried like a
    /// `GET` (for example a method the API documents as idempotent).
    fn idempotent(mut self, idempotent: bool) -> Self {
        self.__call().set_idempotent(idempotent);
        self
    }

    /// Limits the JSON response of this request to `limit` bytes instead of the client's
    /// limit (for a method whose answers are known to be small).
    fn max_response_bytes(mut self, limit: u64) -> Self {
        self.__call().set_max_response_bytes(limit);
        self
    }
}
