//! Access tokens: what a token grants, how one is minted, and how a request presents it.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, Code};

/// The user of tokens minted without one.
pub const DEFAULT_USER: &str = "user@example.com";

/// The OAuth client of tokens minted without one: every emulator registers it at start.
pub const DEFAULT_CLIENT: &str = "emulator-client.apps.googleusercontent.com";

/// Who acts: a user through an OAuth client, the "user/project pair" Google's reference keys
/// `authorization.reset` and exhausted scopes by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Principal {
    /// The user whose data is exported.
    pub user: String,
    /// The OAuth client id of the app.
    pub client: String,
}

/// How long the user allowed access to a resource group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AccessType {
    /// One export per group, until `authorization.reset` (`ACCESS_TYPE_ONE_TIME`).
    #[serde(rename = "ACCESS_TYPE_ONE_TIME")]
    OneTime,
    /// Repeated exports over 30 days, at most one per group per interval (24 hours by
    /// default) (`ACCESS_TYPE_TIME_BASED`).
    #[serde(rename = "ACCESS_TYPE_TIME_BASED")]
    TimeBased,
}

impl AccessType {
    /// The value as it appears in JSON, e.g. `ACCESS_TYPE_ONE_TIME`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessType::OneTime => "ACCESS_TYPE_ONE_TIME",
            AccessType::TimeBased => "ACCESS_TYPE_TIME_BASED",
        }
    }

    /// Reads `one-time` / `ACCESS_TYPE_ONE_TIME` or `time-based` / `ACCESS_TYPE_TIME_BASED`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "one-time" | "ACCESS_TYPE_ONE_TIME" => Ok(AccessType::OneTime),
            "time-based" | "ACCESS_TYPE_TIME_BASED" => Ok(AccessType::TimeBased),
            other => Err(format!("{other:?} is not one-time or time-based")),
        }
    }
}

/// What one token grants: whose data, to which app, and which resource groups with which
/// access type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The user and client the token acts for; jobs, exported groups and `reset` are per pair.
    pub principal: Principal,
    /// Resource group → access type.
    pub resources: BTreeMap<String, AccessType>,
}

impl Grant {
    /// The requested groups the grant lacks, in request order.
    pub fn missing<'a>(&self, groups: &'a [String]) -> Vec<&'a str> {
        groups
            .iter()
            .filter(|g| !self.resources.contains_key(*g))
            .map(String::as_str)
            .collect()
    }

    /// A job is one-time if any requested group has one-time access, time-based otherwise
    /// (the rule `accessType.check` documents).
    pub fn job_access_type(&self, groups: &[String]) -> AccessType {
        let one_time = groups
            .iter()
            .any(|g| self.resources.get(g) == Some(&AccessType::OneTime));
        if one_time {
            AccessType::OneTime
        } else {
            AccessType::TimeBased
        }
    }

    /// The groups of each access type, sorted: `(one_time, time_based)`.
    pub fn by_access_type(&self) -> (Vec<String>, Vec<String>) {
        let pick = |kind: AccessType| {
            self.resources
                .iter()
                .filter(|(_, a)| **a == kind)
                .map(|(g, _)| g.clone())
                .collect()
        };
        (pick(AccessType::OneTime), pick(AccessType::TimeBased))
    }
}

/// `N` random bytes from the operating system's generator.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness: fall back to the std hasher's randomly keyed SipHash of a counter.
        use std::hash::{BuildHasher, Hasher};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        for chunk in bytes.chunks_mut(8) {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            chunk.copy_from_slice(&hasher.finish().to_le_bytes()[..chunk.len()]);
        }
    }
    bytes
}

/// `N` random bytes as lowercase hex.
pub(crate) fn random_hex<const N: usize>() -> String {
    random_bytes::<N>().iter().map(|b| format!("{b:02x}")).collect()
}

/// A new opaque access token, shaped like Google's (`ya29.` prefix).
pub(crate) fn new_token() -> String {
    format!("ya29.emulator-{}", random_hex::<24>())
}

/// A new opaque refresh token, shaped like Google's (`1//` prefix).
pub(crate) fn new_refresh_token() -> String {
    format!("1//emulator-{}", random_hex::<24>())
}

/// The bearer token of a request, or the 401 Google answers without one.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let missing = || {
        ApiError::new(
            Code::Unauthenticated,
            "Request is missing required authentication credential. Expected OAuth 2 access token, \
             login cookie or other valid authentication credential.",
        )
        .with_reason("CREDENTIALS_MISSING")
    };
    let value = headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
    let text = value.to_str().map_err(|_| invalid_credentials())?;
    let (scheme, token) = text.split_once(' ').ok_or_else(invalid_credentials)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(invalid_credentials());
    }
    Ok(token.trim())
}

/// The 401 for a token the emulator does not know (never minted, or revoked by a reset).
pub(crate) fn invalid_credentials() -> ApiError {
    ApiError::new(Code::Unauthenticated, INVALID_CREDENTIALS).with_reason("ACCESS_TOKEN_TYPE_UNSUPPORTED")
}

/// The 401 for an access token past its lifetime (Google's answer after the token's hour).
pub(crate) fn expired_credentials() -> ApiError {
    ApiError::new(Code::Unauthenticated, INVALID_CREDENTIALS).with_reason("ACCESS_TOKEN_EXPIRED")
}

const INVALID_CREDENTIALS: &str = "Request had invalid authentication credentials. Expected OAuth 2 access token, \
                                   login cookie or other valid authentication credential.";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn grant() -> Grant {
        Grant {
            principal: Principal {
                user: "u".into(),
                client: DEFAULT_CLIENT.into(),
            },
            resources: BTreeMap::from([
                ("chrome.history".to_owned(), AccessType::TimeBased),
                ("myactivity.search".to_owned(), AccessType::OneTime),
            ]),
        }
    }

    #[test]
    fn access_type_of_a_job() {
        let g = grant();
        assert_eq!(g.job_access_type(&["chrome.history".into()]), AccessType::TimeBased);
        assert_eq!(
            g.job_access_type(&["chrome.history".into(), "myactivity.search".into()]),
            AccessType::OneTime
        );
        assert_eq!(
            g.missing(&["chrome.history".into(), "maps.reviews".into()]),
            ["maps.reviews"]
        );
        assert_eq!(
            g.by_access_type(),
            (vec!["myactivity.search".into()], vec!["chrome.history".into()])
        );
    }

    #[test]
    fn bearer_header_forms() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers).map_err(|e| e.code), Err(Code::Unauthenticated));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert!(bearer(&headers).is_err());
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert!(bearer(&headers).is_err());
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer ya29.x"));
        assert_eq!(bearer(&headers).ok(), Some("ya29.x"));
    }

    #[test]
    fn tokens_are_distinct() {
        assert_ne!(new_token(), new_token());
        assert_eq!(random_hex::<4>().len(), 8);
    }
}
