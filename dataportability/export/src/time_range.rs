//! The period an export covers: `startTime` and `endTime` of `initiate`, parsed and checked
//! before anything is sent.
//!
//! Google's time-filter quickstart
//! (<https://developers.google.com/data-portability/user-guide/time-filter>) shows three uses:
//! only what is new since the last export (see [`crate::incremental`]), the last N months
//! ([`Relative`], e.g. `6mo`), and a fixed period (two RFC 3339 times). The reference says an
//! absent `startTime` means "the earliest available data" and an absent `endTime` "the latest
//! available data".

use std::fmt;

use chrono::{DateTime, Months, NaiveDate, SecondsFormat, TimeDelta, Utc};
use dataportability_v1::models::InitiatePortabilityArchiveRequest;

/// The requested period of an export: `[start, end)`, either end open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// `startTime`: `None` for the earliest available data.
    pub start: Option<DateTime<Utc>>,
    /// `endTime`: `None` for the latest available data (the time of the request).
    pub end: Option<DateTime<Utc>>,
}

/// A period that cannot be asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimeRangeError {
    /// The start is not before the end.
    #[error("the start time {start} is not before the end time {end}")]
    StartNotBeforeEnd {
        /// `startTime`, RFC 3339.
        start: String,
        /// `endTime`, RFC 3339.
        end: String,
    },
    /// The end (or, with no end, the start) is after now.
    #[error("the {which} time {time} is in the future (now is {now})")]
    InTheFuture {
        /// `start` or `end`.
        which: &'static str,
        /// The time, RFC 3339.
        time: String,
        /// Now, RFC 3339.
        now: String,
    },
    /// A time or a relative span that does not parse.
    #[error("{0}")]
    Parse(String),
    /// A period asked for groups that take no time filter.
    #[error(
        "Google supports startTime and endTime only for the resource groups of My Activity, Chrome history and \
         Google Play ({}); not for {}",
        TIME_FILTER_GROUPS.join(", "),
        groups.join(", ")
    )]
    NoTimeFilter {
        /// The requested groups without time filters.
        groups: Vec<String>,
    },
}

/// The resource groups that take a time filter (`startTime`/`endTime`), sorted: Google's
/// time-filter guide supports them for My Activity, Chrome history and Google Play only; these
/// groups of those products are our reading of that list (the emulator has the same list, and
/// a test keeps the two equal).
pub const TIME_FILTER_GROUPS: [&str; 17] = [
    "chrome.history",
    "myactivity.maps",
    "myactivity.myadcenter",
    "myactivity.play",
    "myactivity.search",
    "myactivity.shopping",
    "myactivity.youtube",
    "play.devices",
    "play.grouping",
    "play.installs",
    "play.library",
    "play.playpoints",
    "play.promotions",
    "play.purchases",
    "play.redemptions",
    "play.subscriptions",
    "play.usersettings",
];

/// Refuses a time filter for any of `groups` that does not take one ([`TIME_FILTER_GROUPS`]),
/// naming them: checked before anything is sent.
pub fn check_time_filter_groups<S: AsRef<str>>(groups: &[S]) -> Result<(), TimeRangeError> {
    let without: Vec<String> = groups
        .iter()
        .map(AsRef::as_ref)
        .filter(|g| TIME_FILTER_GROUPS.binary_search(g).is_err())
        .map(str::to_owned)
        .collect();
    if without.is_empty() {
        Ok(())
    } else {
        Err(TimeRangeError::NoTimeFilter { groups: without })
    }
}

impl TimeRange {
    /// Everything: no `startTime`, no `endTime`.
    pub const ALL: TimeRange = TimeRange { start: None, end: None };

    /// Whether neither end is set.
    pub fn is_all(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    /// Checks the period against `now`: the start before the end, and neither in the future
    /// (data from the future does not exist yet; an end in the future would also make the
    /// `exportTime` of the job a time at which later data can still arrive, so the next
    /// incremental export, starting there, would miss what arrives in between).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), TimeRangeError> {
        if let (Some(start), Some(end)) = (self.start, self.end)
            && start >= end
        {
            return Err(TimeRangeError::StartNotBeforeEnd {
                start: rfc3339(start),
                end: rfc3339(end),
            });
        }
        for (which, time) in [("end", self.end), ("start", self.start)] {
            if let Some(time) = time
                && time > now
            {
                return Err(TimeRangeError::InTheFuture {
                    which,
                    time: rfc3339(time),
                    now: rfc3339(now),
                });
            }
        }
        Ok(())
    }

    /// The `initiate` request for `group` over this period.
    pub fn request(&self, group: &str) -> InitiatePortabilityArchiveRequest {
        InitiatePortabilityArchiveRequest {
            resources: vec![group.to_owned()],
            start_time: self.start,
            end_time: self.end,
            ..Default::default()
        }
    }
}

/// `2024-01-01T00:00:00Z .. 2025-01-01T00:00:00Z`; `earliest` and `now` for open ends.
impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let start = self.start.map_or_else(|| "earliest".to_owned(), rfc3339);
        let end = self.end.map_or_else(|| "now".to_owned(), rfc3339);
        write!(f, "{start} .. {end}")
    }
}

/// A span back from now: `6mo`, `30d`, `2w`, `1y`, `12h` (calendar months and years).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relative {
    /// Hours.
    Hours(u32),
    /// Days.
    Days(u32),
    /// Weeks.
    Weeks(u32),
    /// Calendar months.
    Months(u32),
    /// Calendar years.
    Years(u32),
}

impl Relative {
    /// Parses `6mo`, `30d`, `2w`, `1y`, `12h` (also `month(s)`, `day(s)`, ... spelled out).
    pub fn parse(text: &str) -> Result<Self, TimeRangeError> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let bad = || {
            TimeRangeError::Parse(format!(
                "`{text}` is not a span back from now (e.g. 12h, 30d, 2w, 6mo, 1y)"
            ))
        };
        let n: u32 = number.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(TimeRangeError::Parse(format!("`{text}`: the span must not be zero")));
        }
        Ok(match unit.trim().to_ascii_lowercase().as_str() {
            "h" | "hour" | "hours" => Relative::Hours(n),
            "d" | "day" | "days" => Relative::Days(n),
            "w" | "week" | "weeks" => Relative::Weeks(n),
            "mo" | "month" | "months" => Relative::Months(n),
            "y" | "year" | "years" => Relative::Years(n),
            "m" => {
                return Err(TimeRangeError::Parse(format!(
                    "`{text}`: write `mo` for months (`m` would be ambiguous)"
                )));
            }
            _ => return Err(bad()),
        })
    }

    /// The time this span before `now`.
    pub fn before(self, now: DateTime<Utc>) -> Result<DateTime<Utc>, TimeRangeError> {
        let earlier = match self {
            Relative::Hours(n) => now.checked_sub_signed(TimeDelta::hours(i64::from(n))),
            Relative::Days(n) => now.checked_sub_signed(TimeDelta::days(i64::from(n))),
            Relative::Weeks(n) => now.checked_sub_signed(TimeDelta::weeks(i64::from(n))),
            Relative::Months(n) => now.checked_sub_months(Months::new(n)),
            Relative::Years(n) => n.checked_mul(12).and_then(|m| now.checked_sub_months(Months::new(m))),
        };
        earlier.ok_or_else(|| TimeRangeError::Parse(format!("{self:?} before {} is out of range", rfc3339(now))))
    }
}

/// An absolute time: RFC 3339 (`2024-01-01T00:00:00Z`, `2024-01-01T09:30:00+02:00`), or a
/// date (`2024-01-01`, midnight UTC).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, TimeRangeError> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(TimeRangeError::Parse(format!(
        "`{text}` is not an RFC 3339 time (e.g. 2024-01-01T00:00:00Z) or a date (2024-01-01)"
    )))
}

/// Google's timestamp format: RFC 3339, `Z`, whole seconds unless there is a fraction.
pub fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        parse_time(text).unwrap()
    }

    #[test]
    fn times_parse_as_rfc3339_or_dates() {
        assert_eq!(t("2024-01-01T09:30:00+02:00"), t("2024-01-01T07:30:00Z"));
        assert_eq!(t("2024-01-01"), t("2024-01-01T00:00:00Z"));
        let error = parse_time("yesterday").unwrap_err().to_string();
        assert!(error.contains("`yesterday` is not an RFC 3339 time"), "{error}");
    }

    #[test]
    fn relative_spans_count_back_from_now() {
        let now = t("2026-08-31T12:00:00Z");
        let back = |text: &str| Relative::parse(text).unwrap().before(now).unwrap();
        assert_eq!(back("6mo"), t("2026-02-28T12:00:00Z"), "calendar months, clamped");
        assert_eq!(back("30d"), t("2026-08-01T12:00:00Z"));
        assert_eq!(back("2w"), t("2026-08-17T12:00:00Z"));
        assert_eq!(back("1y"), t("2025-08-31T12:00:00Z"));
        assert_eq!(back("12 hours"), t("2026-08-31T00:00:00Z"));
        for bad in ["6", "6m", "0d", "-3d", "mo", "3 fortnights"] {
            assert!(Relative::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Relative::parse("6m")
                .unwrap_err()
                .to_string()
                .contains("`mo` for months")
        );
    }

    #[test]
    fn only_the_guides_groups_take_a_time_filter() {
        assert_eq!(
            check_time_filter_groups(&["myactivity.search", "chrome.history", "play.library"]),
            Ok(())
        );
        let refused = check_time_filter_groups(&["myactivity.search", "youtube.public_videos"]).unwrap_err();
        let text = refused.to_string();
        assert!(text.ends_with("not for youtube.public_videos"), "{text}");
        assert!(
            text.contains("chrome.history, myactivity.maps"),
            "names the groups that take one: {text}"
        );
        let mut sorted = TIME_FILTER_GROUPS;
        sorted.sort_unstable();
        assert_eq!(sorted, TIME_FILTER_GROUPS);
    }

    #[test]
    fn a_period_is_checked_before_it_is_sent() {
        let now = t("2026-01-01T00:00:00Z");
        let range = |start: Option<&str>, end: Option<&str>| TimeRange {
            start: start.map(t),
            end: end.map(t),
        };
        assert_eq!(range(Some("2024-01-01"), Some("2025-01-01")).validate(now), Ok(()));
        assert_eq!(TimeRange::ALL.validate(now), Ok(()));
        let reversed = range(Some("2025-01-01"), Some("2024-01-01")).validate(now).unwrap_err();
        assert_eq!(
            reversed.to_string(),
            "the start time 2025-01-01T00:00:00Z is not before the end time 2024-01-01T00:00:00Z"
        );
        assert!(range(Some("2025-01-01"), Some("2025-01-01")).validate(now).is_err());
        let future = range(None, Some("2026-01-02")).validate(now).unwrap_err().to_string();
        assert!(
            future.starts_with("the end time 2026-01-02T00:00:00Z is in the future"),
            "{future}"
        );
        let future = range(Some("2026-02-01"), None).validate(now).unwrap_err().to_string();
        assert!(future.starts_with("the start time"), "{future}");
        assert_eq!(
            range(Some("2024-01-01"), None).to_string(),
            "2024-01-01T00:00:00Z .. now"
        );
    }
}
