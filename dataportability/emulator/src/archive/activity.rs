//! The dated activity of one user in one resource group: what `startTime`/`endTime` filter.
//!
//! Each (user, group) has a fixed, infinite sequence of items, item `n` at a time derived from a
//! hash of (user, group, n), so the same pair always has the same history and two pairs differ.
//! The sequence starts in 2020-01 and has two densities:
//! - sparse, about one item every ten days (7 to 13), until [`Activity::dense_from`];
//! - dense, about two a day (one every 6 to 18 hours) from then on, so every 25-hour step of the
//!   emulator clock brings at least one new item (the gap never exceeds 18 hours).
//!
//! The emulator sets `dense_from` to 30 days before the day it started (UTC): years of history
//! stay a few hundred items (a full export fits the default 64 KiB archive), while the items an
//! incremental export sees arrive as the clock moves. This split is the emulator's choice; Google
//! documents only that the filters select the data by time.

use chrono::{DateTime, TimeDelta, Utc};

/// The first instant of the history (items come at or after it).
const HISTORY_START_SECS: i64 = 1_577_836_800; // 2020-01-01T00:00:00Z
/// At most this many items are ever enumerated (a clock advanced by centuries stays bounded).
pub(crate) const MAX_ITEMS: u32 = 20_000;

/// The activity of one user in one group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Activity {
    /// The user.
    pub user: String,
    /// The resource group.
    pub group: String,
    /// Where the sparse history ends and two items a day begin.
    pub dense_from: DateTime<Utc>,
}

impl Activity {
    /// The activity of `user` in `group`.
    pub fn new(user: &str, group: &str, dense_from: DateTime<Utc>) -> Self {
        Self {
            user: user.to_owned(),
            group: group.to_owned(),
            dense_from,
        }
    }

    /// The items, oldest first: `(index, time)`, at most [`MAX_ITEMS`].
    pub fn items(&self) -> impl Iterator<Item = (u32, DateTime<Utc>)> + '_ {
        let start = DateTime::from_timestamp(HISTORY_START_SECS, 0).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let mut time = start;
        (0..MAX_ITEMS).map_while(move |index| {
            time = time.checked_add_signed(self.gap(index, time))?;
            Some((index, time))
        })
    }

    /// The items in `[start, end)`, `start` `None` meaning from the first: `(first index, count)`.
    pub fn range(&self, start: Option<DateTime<Utc>>, end: DateTime<Utc>) -> (u32, u32) {
        let mut first = None;
        let mut count = 0u32;
        for (index, time) in self.items() {
            if time >= end {
                break;
            }
            if start.is_none_or(|start| time >= start) {
                first.get_or_insert(index);
                count += 1;
            }
        }
        (first.unwrap_or(0), count)
    }

    /// The gap before item `index`, which follows `previous`.
    fn gap(&self, index: u32, previous: DateTime<Utc>) -> TimeDelta {
        let hash = self.item_hash(index, b"");
        let (least, spread) = if previous < self.dense_from {
            (7 * 86_400, 6 * 86_400)
        } else {
            (6 * 3600, 12 * 3600)
        };
        // The first item comes within a week of the start of the history.
        let (least, spread) = if index == 0 { (0, 7 * 86_400) } else { (least, spread) };
        let seconds = least + i64::try_from(hash % spread).unwrap_or(0);
        TimeDelta::seconds(seconds)
    }

    /// A stable value of item `index` (for the records' `value` field).
    pub fn value(&self, index: u32) -> u64 {
        self.item_hash(index, b"\nvalue") % 1_000_000
    }

    /// FNV-1a of `user \n group \n index suffix`, without allocating.
    fn item_hash(&self, index: u32, suffix: &[u8]) -> u64 {
        let mut hash = fnv1a_from(FNV_OFFSET, self.user.as_bytes());
        hash = fnv1a_from(hash, b"\n");
        hash = fnv1a_from(hash, self.group.as_bytes());
        hash = fnv1a_from(hash, b"\n");
        let mut digits = [0u8; 10];
        let mut at = digits.len();
        let mut rest = index;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        hash = fnv1a_from(hash, &digits[at..]);
        fnv1a_from(hash, suffix)
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a_from(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// FNV-1a, 64 bits: small, stable across platforms and releases (unlike `std`'s hasher).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_from(FNV_OFFSET, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().expect("time")
    }

    fn activity(user: &str) -> Activity {
        Activity::new(user, "myactivity.search", t("2026-11-01T00:00:00Z"))
    }

    #[test]
    fn items_are_ordered_spread_over_years_and_dense_near_the_end() {
        let a = activity("u");
        let items: Vec<_> = a
            .items()
            .take_while(|(_, time)| *time < t("2027-01-01T00:00:00Z"))
            .collect();
        assert!(items.windows(2).all(|w| w[0].1 < w[1].1 && w[0].0 + 1 == w[1].0));
        assert!(items[0].1 < t("2020-01-08T00:00:00Z"));
        let sparse = items.iter().filter(|(_, time)| *time < a.dense_from).count();
        assert!((150..300).contains(&sparse), "{sparse} items in 2020..2026-11");
        let dense: Vec<_> = items.iter().filter(|(_, time)| *time >= a.dense_from).collect();
        assert!(dense.len() > 80, "{} items in two months", dense.len());
        assert!(dense.windows(2).all(|w| w[1].1 - w[0].1 <= TimeDelta::hours(18)));
    }

    #[test]
    fn item_hashes_are_fnv1a_of_user_group_and_index() {
        let a = activity("u");
        assert_eq!(a.item_hash(0, b""), fnv1a(b"u\nmyactivity.search\n0"));
        assert_eq!(
            a.item_hash(4_294_967_295, b"\nvalue"),
            fnv1a(b"u\nmyactivity.search\n4294967295\nvalue")
        );
    }

    #[test]
    fn the_history_is_a_function_of_user_and_group() {
        let first: Vec<_> = activity("u").items().take(50).collect();
        assert_eq!(first, activity("u").items().take(50).collect::<Vec<_>>());
        assert_ne!(first, activity("v").items().take(50).collect::<Vec<_>>());
        let other = Activity::new("u", "chrome.history", t("2026-11-01T00:00:00Z"));
        assert_ne!(first, other.items().take(50).collect::<Vec<_>>());
    }

    #[test]
    fn ranges_select_exactly_the_items_in_the_period() {
        let a = activity("u");
        let (start, end) = (t("2022-03-01T00:00:00Z"), t("2023-03-01T00:00:00Z"));
        let expected: Vec<u32> = a
            .items()
            .filter(|(_, time)| *time >= start && *time < end)
            .map(|(i, _)| i)
            .collect();
        let (first, count) = a.range(Some(start), end);
        assert_eq!((first..first + count).collect::<Vec<_>>(), expected);
        assert!(count > 20);
        // Adjacent periods split the items with no gap and no overlap.
        let middle = t("2022-09-01T12:00:00Z");
        let (f1, c1) = a.range(Some(start), middle);
        let (f2, c2) = a.range(Some(middle), end);
        assert_eq!((f1, f1 + c1, c1 + c2), (first, f2, count));
        assert_eq!(a.range(Some(end), start).1, 0, "an empty period");
        assert_eq!(a.range(None, DateTime::<Utc>::MAX_UTC).1, MAX_ITEMS);
    }
}
