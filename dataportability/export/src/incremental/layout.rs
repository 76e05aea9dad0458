//! Where each run's files go: a directory per run, and one per user.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use dataportability_v1::models::PortabilityArchiveState;

use crate::state_file::GroupState;

/// Records a `COMPLETE` state's `exportTime` in the entry, and chooses the directory of its
/// files (kept, so a resumed download goes to the same place): returns it, relative to `out`.
pub fn completed(out: &Path, group: &str, entry: &mut GroupState, state: &PortabilityArchiveState) -> String {
    if entry.history.export_time.is_none() {
        entry.history.export_time = state.export_time;
    }
    if let Some(dir) = &entry.history.dir {
        return dir.clone();
    }
    let history = &entry.history;
    let plain = !history.incremental && history.start_time.is_none() && history.end_time.is_none();
    let dir = if plain && history.earlier.is_empty() {
        group.to_owned()
    } else {
        let export_time = history.export_time.unwrap_or_else(Utc::now);
        let name = match history.start_time {
            Some(start) => format!("{}--{}", compact(start), compact(export_time)),
            None => compact(export_time),
        };
        let mut dir = format!("{group}/{name}");
        if is_used(&out.join(&dir)) {
            dir = format!("{dir}-{}", crate::job::job_id(&entry.job_id));
        }
        dir
    };
    entry.history.dir = Some(dir.clone());
    dir
}

/// Whether a directory exists and has anything in it.
fn is_used(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// A time as a file name: ISO 8601 basic format, `20261201T223550Z` (no `:`, which some file
/// systems refuse), with milliseconds when it has a fraction.
pub fn compact(time: DateTime<Utc>) -> String {
    if time.timestamp_subsec_millis() == 0 {
        time.format("%Y%m%dT%H%M%SZ").to_string()
    } else {
        time.format("%Y%m%dT%H%M%S%.3fZ").to_string()
    }
}

/// The output directory of `user` below `root`: the user id as one path component, with
/// anything but letters, digits, `.`, `_`, `-` and `@` percent-encoded (so `..` or `a/b` cannot
/// leave `root`).
pub fn user_dir(root: &Path, user: &str) -> PathBuf {
    let mut name = String::new();
    for byte in user.bytes() {
        if byte.is_ascii_alphanumeric() || b"_-@".contains(&byte) || (byte == b'.' && !name.is_empty()) {
            name.push(char::from(byte));
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    if name.is_empty() {
        name.push('%');
    }
    root.join(name)
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

    #[test]
    fn each_run_gets_its_own_directory() {
        let out = tempfile::tempdir().unwrap();
        let state = PortabilityArchiveState {
            export_time: Some(t("2026-12-01T22:35:50Z")),
            ..Default::default()
        };
        let mut plain = started(None, &job("j1"), &TimeRange::ALL, false, Utc::now());
        assert_eq!(completed(out.path(), "g", &mut plain, &state), "g");
        let mut first = started(None, &job("j1"), &TimeRange::ALL, true, Utc::now());
        assert_eq!(completed(out.path(), "g", &mut first, &state), "g/20261201T223550Z");
        assert_eq!(first.history.export_time, state.export_time);
        let range = TimeRange {
            start: Some(t("2024-01-01T00:00:00Z")),
            end: None,
        };
        let mut period = started(None, &job("j2"), &range, false, Utc::now());
        assert_eq!(
            completed(out.path(), "g", &mut period, &state),
            "g/20240101T000000Z--20261201T223550Z"
        );
        // A name already in use gets the job id; the choice is kept for a resumed download.
        std::fs::create_dir_all(out.path().join("g/20261201T223550Z")).unwrap();
        std::fs::write(out.path().join("g/20261201T223550Z/g.zip"), b"x").unwrap();
        let mut again = started(None, &job("archiveJobs/j3"), &TimeRange::ALL, true, Utc::now());
        assert_eq!(completed(out.path(), "g", &mut again, &state), "g/20261201T223550Z-j3");
        assert_eq!(completed(out.path(), "g", &mut again, &state), "g/20261201T223550Z-j3");
        assert_eq!(compact(t("2026-01-01T00:00:00.25Z")), "20260101T000000.250Z");
    }

    #[test]
    fn user_directories_stay_below_the_root() {
        let root = Path::new("/exports");
        assert_eq!(user_dir(root, "ann@example.com"), root.join("ann@example.com"));
        assert_eq!(user_dir(root, "../etc"), root.join("%2E.%2Fetc"));
        assert_eq!(user_dir(root, "a/b c"), root.join("a%2Fb%20c"));
        assert_eq!(user_dir(root, ""), root.join("%"));
        assert_eq!(user_dir(root, ".."), root.join("%2E."));
    }
}
