//! What the unit tests of the incremental modules share.

use super::{Initiated, Origin};

/// A time-based job Google started now, with id `id`.
pub(super) fn job(id: &str) -> Initiated {
    Initiated {
        job_id: id.to_owned(),
        access_type: Some("ACCESS_TYPE_TIME_BASED".to_owned()),
        origin: Origin::Started,
    }
}
