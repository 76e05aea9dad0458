//! Why the API refused a repeated export, in terms the user can act on.

use chrono::{DateTime, Utc};

use super::{TIME_BASED_GRANT, TIME_BASED_INTERVAL};
use crate::Error;
use crate::state_file::GroupState;

/// Turns the API's refusals of a repeated time-based export into what the user can act on.
pub fn explain_refusal(error: Error, entry: Option<&GroupState>, now: DateTime<Utc>) -> Error {
    let Error::Api(api) = &error else { return error };
    let failed_precondition = api
        .as_api_error()
        .is_some_and(|e| e.code.as_deref() == Some("FAILED_PRECONDITION"));
    // After a one-time export the refusal is about the one-time grant, not the 24 hours.
    let one_time = entry.is_some_and(|e| e.history.access_type.as_deref() == Some("ACCESS_TYPE_ONE_TIME"));
    if failed_precondition && !one_time {
        let message = api.as_api_error().map(|e| e.message.clone()).unwrap_or_default();
        return Error::TooSoon {
            next_allowed_at: entry.and_then(next_allowed_at),
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
    use super::super::tests::job;
    use super::*;
    use crate::time_range::TimeRange;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
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
