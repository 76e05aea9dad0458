//! What a refused `initiate` means for the user: the time the next time-based export is
//! allowed, a used-up one-time access, a time-based grant that ended. Google's reasons are read
//! by [`crate::refusal`].

use chrono::{DateTime, Utc};

use super::{TIME_BASED_GRANT, TIME_BASED_INTERVAL};
use crate::Error;
use crate::refusal::Refusal;
use crate::state_file::GroupState;

/// Turns the API's refusals of an `initiate` into what the user can act on:
/// `RESOURCE_EXHAUSTED_ONE_TIME` becomes [`Error::Exhausted`]; `RESOURCE_EXHAUSTED_TIME_BASED`,
/// and a `FAILED_PRECONDITION` after a time-based export, [`Error::TooSoon`] with the time the
/// next export is allowed (Google's `timestamp_after_24hrs`, else 24 hours after the last export
/// `entry` knows of); a refused token after the grant's 30 days [`Error::GrantEnded`].
pub fn explain_refusal(error: Error, entry: Option<&GroupState>, now: DateTime<Utc>) -> Error {
    let Error::Api(api) = &error else { return error };
    let message = api.as_api_error().map(|e| e.message.clone()).unwrap_or_default();
    match Refusal::of(api) {
        Some(Refusal::OneTimeExhausted { previous_job_ids }) => {
            return Error::Exhausted {
                previous_job_ids,
                message,
            };
        }
        Some(Refusal::TooSoon {
            previous_job_ids,
            next_allowed_at: next,
        }) => {
            return Error::TooSoon {
                next_allowed_at: next.or_else(|| entry.and_then(next_allowed_at)),
                previous_job_ids,
                message,
            };
        }
        Some(Refusal::AlreadyExists { .. }) | None => {}
    }
    let failed_precondition = api
        .as_api_error()
        .is_some_and(|e| e.code.as_deref() == Some("FAILED_PRECONDITION"));
    // After a one-time export the refusal is about the one-time grant, not the 24 hours.
    let one_time = entry.is_some_and(|e| e.history.access_type.as_deref() == Some("ACCESS_TYPE_ONE_TIME"));
    if failed_precondition && !one_time {
        return Error::TooSoon {
            next_allowed_at: entry.and_then(next_allowed_at),
            previous_job_ids: Vec::new(),
            message,
        };
    }
    let since = entry.and_then(first_started_at);
    if error.is_auth()
        && let Some(since) = since
        && now - since >= TIME_BASED_GRANT
    {
        return Error::GrantEnded {
            since,
            message: error.to_string(),
        };
    }
    error
}

/// When the group may be exported again: 24 hours after its last export was requested (its
/// `exportTime` when it had no `endTime`, else when `initiate` answered).
pub fn next_allowed_at(entry: &GroupState) -> Option<DateTime<Utc>> {
    let history = &entry.history;
    let requested = match history.end_time {
        None => history.export_time.or(history.started_at),
        Some(_) => history.started_at,
    };
    requested.map(|time| time + TIME_BASED_INTERVAL)
}

/// The first time this directory saw an export of the group start (an estimate of when the
/// grant began).
fn first_started_at(entry: &GroupState) -> Option<DateTime<Utc>> {
    let history = &entry.history;
    history
        .earlier
        .iter()
        .filter_map(|e| e.started_at)
        .chain(history.started_at)
        .min()
}

#[cfg(test)]
mod tests {
    use super::super::started;
    use super::super::testing::job;
    use super::*;
    use crate::time_range::TimeRange;

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
    fn the_time_based_refusal_says_when_from_googles_timestamp_else_the_state_file() {
        let entry = started(None, &job("j1"), &TimeRange::ALL, true, t("2026-01-01T08:00:00Z"));
        let now = t("2026-01-01T09:00:00Z");
        let googles = info(
            429,
            "RESOURCE_EXHAUSTED_TIME_BASED",
            r#"{"previous_job_ids": "j1", "timestamp_after_24hrs": "2026-01-02T07:00:00Z"}"#,
        );
        let Error::TooSoon {
            next_allowed_at,
            previous_job_ids,
            ..
        } = explain_refusal(Error::Api(googles), Some(&entry), now)
        else {
            panic!("too soon")
        };
        assert_eq!(next_allowed_at, Some(t("2026-01-02T07:00:00Z")));
        assert_eq!(previous_job_ids, ["j1"]);
        let guide = api_error(
            400,
            r#"{"error": {"code": 400, "status": "FAILED_PRECONDITION", "message": "m"}}"#,
        );
        let Error::TooSoon { next_allowed_at, .. } = explain_refusal(Error::Api(guide), Some(&entry), now) else {
            panic!("too soon")
        };
        assert_eq!(next_allowed_at, Some(t("2026-01-02T08:00:00Z")), "from the state file");
        let one_time = info(429, "RESOURCE_EXHAUSTED_ONE_TIME", r#"{"previous_job_ids": "j0"}"#);
        let exhausted = explain_refusal(Error::Api(one_time), None, now);
        assert!(exhausted.is_exhausted(), "{exhausted:?}");
        assert!(exhausted.to_string().contains("(previous job(s): j0)"), "{exhausted}");
    }

    #[test]
    fn the_next_export_is_allowed_24_hours_after_the_last_request() {
        let mut entry = started(None, &job("j1"), &TimeRange::ALL, true, t("2026-01-01T08:00:00Z"));
        assert_eq!(
            next_allowed_at(&entry),
            Some(t("2026-01-02T08:00:00Z")),
            "local start time"
        );
        entry.history.export_time = Some(t("2026-01-01T07:59:00Z"));
        assert_eq!(
            next_allowed_at(&entry),
            Some(t("2026-01-02T07:59:00Z")),
            "the server's request time when known"
        );
        entry.history.end_time = Some(t("2025-06-01T00:00:00Z"));
        assert_eq!(next_allowed_at(&entry), Some(t("2026-01-02T08:00:00Z")));
    }
}
