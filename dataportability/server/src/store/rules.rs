//! The rules both stores apply to items and the event feed, whatever the database: what a
//! consent makes of an item, and the events a consent, a refused grant and an ending append.

use super::{NewEvent, Status};

/// The statuses of an item with work to do (due, or a job under way), as SQL.
pub(super) const ACTIVE: &str = "('due', 'initiating', 'polling', 'downloading')";

/// What a consent makes of an item in `status`: a group not granted is `not_granted`; a job
/// under way goes on; a one-time export done stays done; an item waiting (first consent, or
/// consent again) is due.
pub(super) fn consented_status(granted: bool, status: Status) -> Status {
    match (granted, status) {
        (false, _) => Status::NotGranted,
        (true, Status::Initiating | Status::Polling | Status::Downloading | Status::Due) => status,
        (true, Status::Done) => Status::Done,
        (true, _) => Status::Due,
    }
}

/// `export_refused`: the user did not grant `group` on the consent screen.
pub(super) fn not_granted(connection_id: &str, group: &str, now: &str) -> NewEvent {
    NewEvent {
        kind: "export_refused",
        connection_id: connection_id.to_owned(),
        group: Some(group.to_owned()),
        data: serde_json::json!({"reason": "the user did not grant this group on the consent screen"}),
        at: now.to_owned(),
    }
}

/// `consent_needed`: the grant was refused for `reason`.
pub(super) fn consent_needed(connection_id: &str, reason: &str, now: &str) -> NewEvent {
    NewEvent {
        kind: "consent_needed",
        connection_id: connection_id.to_owned(),
        group: None,
        data: serde_json::json!({ "reason": reason }),
        at: now.to_owned(),
    }
}

/// `connection_ended`: the app deleted the connection.
pub(super) fn connection_ended(connection_id: &str, archives_deleted: bool, now: &str) -> NewEvent {
    NewEvent {
        kind: "connection_ended",
        connection_id: connection_id.to_owned(),
        group: None,
        data: serde_json::json!({ "archivesDeleted": archives_deleted }),
        at: now.to_owned(),
    }
}
