//! The structured `details` of Google's error format (`google.rpc.*` messages), decoded by
//! their `@type`; a type this crate does not know is kept as JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, de};

/// One entry of an error's `details`, decoded by its `@type`.
///
/// A detail whose `@type` is unknown, or whose body does not have the documented shape, is
/// kept as it was received in [`ErrorDetail::Other`]: decoding an error never fails because
/// of its details.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// `google.rpc.ErrorInfo`: the reason and domain of the error.
    ErrorInfo(ErrorInfo),
    /// `google.rpc.RetryInfo`: how long to wait before retrying.
    RetryInfo(RetryInfo),
    /// `google.rpc.QuotaFailure`: which quota was exceeded.
    QuotaFailure(QuotaFailure),
    /// `google.rpc.BadRequest`: which fields of the request are invalid.
    BadRequest(BadRequest),
    /// `google.rpc.Help`: links to documentation.
    Help(Help),
    /// `google.rpc.LocalizedMessage`: the error message in the user's language.
    LocalizedMessage(LocalizedMessage),
    /// Any other detail, as JSON (with its `@type`).
    Other(serde_json::Value),
}

impl ErrorDetail {
    /// Decodes one detail; never fails.
    pub fn from_json(value: serde_json::Value) -> Self {
        let type_url = value
            .get("@type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let name = type_url.rsplit('/').next().unwrap_or_default();
        match name {
            "google.rpc.ErrorInfo" => typed(value, ErrorDetail::ErrorInfo),
            "google.rpc.RetryInfo" => typed(value, ErrorDetail::RetryInfo),
            "google.rpc.QuotaFailure" => typed(value, ErrorDetail::QuotaFailure),
            "google.rpc.BadRequest" => typed(value, ErrorDetail::BadRequest),
            "google.rpc.Help" => typed(value, ErrorDetail::Help),
            "google.rpc.LocalizedMessage" => typed(value, ErrorDetail::LocalizedMessage),
            _ => ErrorDetail::Other(value),
        }
    }
}

fn typed<T: DeserializeOwned>(value: serde_json::Value, wrap: fn(T) -> ErrorDetail) -> ErrorDetail {
    match T::deserialize(&value) {
        Ok(detail) => wrap(detail),
        Err(_) => ErrorDetail::Other(value),
    }
}

impl<'de> Deserialize<'de> for ErrorDetail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(Self::from_json)
    }
}

/// `google.rpc.ErrorInfo`: why the error happened, as a machine-readable reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorInfo {
    /// The reason, an UPPER_SNAKE_CASE constant such as `ACCESS_TOKEN_SCOPE_INSUFFICIENT`.
    pub reason: String,
    /// The logical grouping of the reason, usually the service name.
    pub domain: String,
    /// More facts about the error, such as the missing scope.
    pub metadata: BTreeMap<String, String>,
}

/// `google.rpc.RetryInfo`: when the client may retry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct RetryInfo {
    /// How long to wait before retrying (`"1.5s"` on the wire).
    #[serde(deserialize_with = "protobuf_duration")]
    pub retry_delay: Option<Duration>,
}

/// `google.rpc.QuotaFailure`: the quota checks that failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct QuotaFailure {
    /// One entry per failed check.
    pub violations: Vec<QuotaViolation>,
}

/// One failed quota check.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct QuotaViolation {
    /// What the quota applies to, e.g. `project:my-project`.
    pub subject: String,
    /// What went wrong.
    pub description: String,
}

/// `google.rpc.BadRequest`: the invalid fields of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct BadRequest {
    /// One entry per invalid field.
    pub field_violations: Vec<FieldViolation>,
}

/// One invalid field of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct FieldViolation {
    /// The path to the field, e.g. `resources[0]`.
    pub field: String,
    /// Why it is invalid.
    pub description: String,
    /// A machine-readable reason, when the service gives one.
    pub reason: String,
}

/// `google.rpc.Help`: links to documentation about the error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct Help {
    /// The links.
    pub links: Vec<HelpLink>,
}

/// One documentation link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct HelpLink {
    /// What the link is about.
    pub description: String,
    /// The URL.
    pub url: String,
}

/// `google.rpc.LocalizedMessage`: the message in a given locale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct LocalizedMessage {
    /// The locale, e.g. `en-US`.
    pub locale: String,
    /// The message.
    pub message: String,
}

/// Reads a `google.protobuf.Duration` (`"1.5s"`); a negative duration is rejected.
fn protobuf_duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    crate::wire::parse_duration(&text)
        .and_then(|delta| delta.to_std().ok())
        .map(Some)
        .ok_or_else(|| de::Error::custom(format!("invalid duration {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decode(value: serde_json::Value) -> ErrorDetail {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn decodes_the_common_types() {
        let info = decode(json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
            "metadata": {"service": "dataportability.googleapis.com"}}));
        let ErrorDetail::ErrorInfo(info) = info else {
            panic!("{info:?}")
        };
        assert_eq!(info.reason, "ACCESS_TOKEN_SCOPE_INSUFFICIENT");
        assert_eq!(info.metadata["service"], "dataportability.googleapis.com");

        let retry = decode(json!({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.500s"}));
        assert_eq!(
            retry,
            ErrorDetail::RetryInfo(RetryInfo {
                retry_delay: Some(Duration::from_millis(1500))
            })
        );

        let quota = decode(json!({"@type": "type.googleapis.com/google.rpc.QuotaFailure",
            "violations": [{"subject": "project:p", "description": "Too many"}]}));
        let ErrorDetail::QuotaFailure(quota) = quota else {
            panic!("{quota:?}")
        };
        assert_eq!(quota.violations[0].subject, "project:p");

        let bad = decode(json!({"@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "resources[0]", "description": "unknown group"}]}));
        let ErrorDetail::BadRequest(bad) = bad else {
            panic!("{bad:?}")
        };
        assert_eq!(bad.field_violations[0].field, "resources[0]");

        let help = decode(json!({"@type": "type.googleapis.com/google.rpc.Help",
            "links": [{"description": "Docs", "url": "https://example.com"}]}));
        let ErrorDetail::Help(help) = help else {
            panic!("{help:?}")
        };
        assert_eq!(help.links[0].url, "https://example.com");

        let localized = decode(json!({"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
            "locale": "fr-FR", "message": "Refusé"}));
        let ErrorDetail::LocalizedMessage(localized) = localized else {
            panic!("{localized:?}")
        };
        assert_eq!(
            (localized.locale.as_str(), localized.message.as_str()),
            ("fr-FR", "Refusé")
        );
    }

    #[test]
    fn keeps_unknown_and_malformed_details_as_json() {
        let unknown = json!({"@type": "type.googleapis.com/google.rpc.DebugInfo", "detail": "x"});
        assert_eq!(decode(unknown.clone()), ErrorDetail::Other(unknown));
        let malformed = json!({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": 5});
        assert_eq!(decode(malformed.clone()), ErrorDetail::Other(malformed));
        let untyped = json!(["not", "an", "object"]);
        assert_eq!(decode(untyped.clone()), ErrorDetail::Other(untyped));
    }
}
