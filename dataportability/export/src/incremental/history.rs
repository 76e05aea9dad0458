//! What the state file remembers of each group's exports over time: the current job's period
//! and the earlier completed exports (flattened into the state file's group entries).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the state file remembers of a group's periods, beside its job (flattened into
/// [`GroupState`](crate::state_file::GroupState); every field is optional, so older state files still read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct History {
    /// The requested `startTime` of the current job (`None`: the earliest data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    /// The requested `endTime` of the current job (`None`: up to the request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// Whether the current job was started by an incremental export.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incremental: bool,
    /// When `initiate` answered, on this machine's clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// The `accessType` `initiate` answered (`ACCESS_TYPE_TIME_BASED`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_type: Option<String>,
    /// The job's `exportTime` once `COMPLETE`: where its data ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<DateTime<Utc>>,
    /// The directory of the job's files, relative to the output directory, once chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// The group's earlier completed exports, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<CompletedExport>,
}

/// One earlier completed export of a group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CompletedExport {
    /// The job that completed.
    pub job_id: String,
    /// Its requested `startTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    /// Its requested `endTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// When `initiate` answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// Its `exportTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<DateTime<Utc>>,
    /// Its files, relative to the output directory.
    pub files: Vec<String>,
}
