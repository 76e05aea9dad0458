//! Why the API refused an `initiate`, as Google's answer says.
//!
//! Google's sample client for this API (`data-portability-quickstart.py`, published with its
//! guides) reads the reason and metadata of the answer's `google.rpc.ErrorInfo`:
//! - `ALREADY_EXISTS_ONE_TIME` / `ALREADY_EXISTS_TIME_BASED` (409) with `job_id`: "the previous
//!   identical job is still in progress"; the sample adopts that job and downloads its archive.
//!   This is how a client recovers a job whose `initiate` answer it lost.
//! - `RESOURCE_EXHAUSTED_ONE_TIME` (429) with `previous_job_ids`: one-time access is used up.
//! - `RESOURCE_EXHAUSTED_TIME_BASED` (429) with `previous_job_ids` and `timestamp_after_24hrs`:
//!   "Please wait until ... to initiate a new job".
//!
//! The time-based guide documents 400 `FAILED_PRECONDITION` for the last case; both are read.
//! How `previous_job_ids` encodes a list in the string map is undocumented: ids separated by
//! commas or blanks are read, and a JSON array too (our choice, to be safe).

use chrono::{DateTime, Utc};

/// A refusal of `initiate` that Google explains with one of its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `ALREADY_EXISTS_*`: the identical job is still running; `job_id` is it.
    AlreadyExists {
        /// The running job.
        job_id: String,
        /// Its `accessType` (`ACCESS_TYPE_ONE_TIME` or `ACCESS_TYPE_TIME_BASED`), from the reason.
        access_type: &'static str,
    },
    /// `RESOURCE_EXHAUSTED_ONE_TIME`: the group was exported with one-time access.
    OneTimeExhausted {
        /// The jobs that exported it.
        previous_job_ids: Vec<String>,
    },
    /// `RESOURCE_EXHAUSTED_TIME_BASED`: a time-based export within 24 hours of the last.
    TooSoon {
        /// The last exports.
        previous_job_ids: Vec<String>,
        /// `timestamp_after_24hrs`, when it is an RFC 3339 time.
        next_allowed_at: Option<DateTime<Utc>>,
    },
}

impl Refusal {
    /// The refusal an API error explains with Google's reasons, if it is one. A `job_id` that is
    /// not a plausible job id (see [`job_ids`]) makes no refusal: the error stays an error.
    pub fn of(error: &dataportability_v1::Error) -> Option<Self> {
        let access_type = match error.reason()? {
            "ALREADY_EXISTS_ONE_TIME" => "ACCESS_TYPE_ONE_TIME",
            "ALREADY_EXISTS_TIME_BASED" => "ACCESS_TYPE_TIME_BASED",
            "RESOURCE_EXHAUSTED_ONE_TIME" => {
                return Some(Refusal::OneTimeExhausted {
                    previous_job_ids: job_ids(error.metadata("previous_job_ids").unwrap_or_default()),
                });
            }
            "RESOURCE_EXHAUSTED_TIME_BASED" => {
                let next = error
                    .metadata("timestamp_after_24hrs")
                    .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok())
                    .map(|t| t.with_timezone(&Utc));
                return Some(Refusal::TooSoon {
                    previous_job_ids: job_ids(error.metadata("previous_job_ids").unwrap_or_default()),
                    next_allowed_at: next,
                });
            }
            _ => return None,
        };
        let job_id = job_ids(error.metadata("job_id")?).into_iter().next()?;
        Some(Refusal::AlreadyExists { job_id, access_type })
    }
}

/// The job ids of a metadata value: separated by commas or blanks, or a JSON array of strings.
/// Ids are text from the server, so one that is not 1 to 256 characters of letters, digits,
/// `-`, `_` and `.` is dropped (it would become a URL path and a file in the state file).
pub fn job_ids(text: &str) -> Vec<String> {
    let text = text.trim();
    let listed: Vec<String> = match serde_json::from_str::<Vec<String>>(text) {
        Ok(ids) if text.starts_with('[') => ids,
        _ => text.split([',', ' ', '\t', '\n']).map(str::to_owned).collect(),
    };
    let mut ids: Vec<String> = Vec::new();
    for id in listed.iter().map(|id| id.trim()).filter(|id| is_job_id(id)) {
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    ids
}

fn is_job_id(id: &str) -> bool {
    (1..=256).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && id != "."
        && id != ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn api_error(status: u16, body: &str) -> dataportability_v1::Error {
        let status = reqwest::StatusCode::from_u16(status).unwrap();
        dataportability_v1::runtime::ApiError::from_body("initiate", status, body.as_bytes()).into()
    }

    fn info(status: u16, reason: &str, metadata: &str) -> dataportability_v1::Error {
        api_error(
            status,
            &format!(
                r#"{{"error": {{"code": {status}, "message": "m", "details": [
                    {{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "{reason}", "metadata": {metadata}}}]}}}}"#
            ),
        )
    }

    #[test]
    fn googles_reasons_are_read_with_their_metadata() {
        assert_eq!(
            Refusal::of(&info(409, "ALREADY_EXISTS_TIME_BASED", r#"{"job_id": "j-1"}"#)),
            Some(Refusal::AlreadyExists {
                job_id: "j-1".into(),
                access_type: "ACCESS_TYPE_TIME_BASED"
            })
        );
        assert_eq!(
            Refusal::of(&info(409, "ALREADY_EXISTS_ONE_TIME", r#"{"job_id": "../../etc"}"#)),
            None,
            "not a job id: the error stays an error"
        );
        assert_eq!(
            Refusal::of(&info(
                429,
                "RESOURCE_EXHAUSTED_ONE_TIME",
                r#"{"previous_job_ids": "a,b"}"#
            )),
            Some(Refusal::OneTimeExhausted {
                previous_job_ids: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(
            Refusal::of(&info(
                429,
                "RESOURCE_EXHAUSTED_TIME_BASED",
                r#"{"previous_job_ids": "a", "timestamp_after_24hrs": "2026-01-02T08:00:00Z"}"#
            )),
            Some(Refusal::TooSoon {
                previous_job_ids: vec!["a".into()],
                next_allowed_at: Some(t("2026-01-02T08:00:00Z"))
            })
        );
        assert_eq!(Refusal::of(&info(429, "RATE_LIMIT_EXCEEDED", "{}")), None);
        assert_eq!(Refusal::of(&api_error(403, r#"{"error": {"message": "no"}}"#)), None);
    }

    #[test]
    fn job_id_lists_are_read_in_any_plausible_encoding() {
        for text in ["a,b", "a, b", "a b", "[\"a\", \"b\"]", "a,b,a", " a ,, b "] {
            assert_eq!(job_ids(text), ["a", "b"], "{text}");
        }
        assert_eq!(job_ids("ok,has/slash,..,\u{1b}[31m,"), ["ok"]);
        assert!(job_ids(&"x".repeat(257)).is_empty());
    }
}
