//! What an archive holds: deterministic records for one resource group in the exported
//! period, and a filler file that brings the archive to the configured size.
//!
//! The archive of group `g` has two entries:
//! - `g/records.json`: one record per month from 2020-01 on, those in `[startTime, exportTime)`;
//! - `g/data.bin`: a 16 KiB pseudo-random block derived from the group's name, repeated.
//!
//! Everything is a function of [`ArchiveKey`], so two jobs with the same key serve the same
//! bytes (and share one hash computation).

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Utc};
use serde_json::json;

use super::layout::Layout;
use super::zip::{self, Data, Entry};

/// The size of the repeated filler block.
const BLOCK_LEN: usize = 16 * 1024;
/// The first month with records.
const FIRST_YEAR: i32 = 2020;
/// At most this many records per archive (833 years of months).
const MAX_RECORDS: u32 = 10_000;

/// Everything an archive's bytes depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ArchiveKey {
    /// The resource group.
    pub group: String,
    /// The target size in bytes (the archive is larger only if its records need more).
    pub size: u64,
    /// The index of the first record (months since 2020-01).
    pub first_record: u32,
    /// How many records.
    pub record_count: u32,
}

impl ArchiveKey {
    /// The key of `group`'s archive for the period `[start, end)`, `start` `None` meaning
    /// from the first record.
    pub fn new(group: &str, size: u64, start: Option<DateTime<Utc>>, end: DateTime<Utc>) -> Self {
        let first = start.map_or(0, month_index_at_or_after);
        let last = month_index_at_or_after(end).max(first);
        Self {
            group: group.to_owned(),
            size,
            first_record: first,
            record_count: last - first,
        }
    }
}

/// The smallest month index whose first instant is at or after `time`, capped at
/// [`MAX_RECORDS`].
fn month_index_at_or_after(time: DateTime<Utc>) -> u32 {
    let months = i64::from(time.year() - FIRST_YEAR) * 12 + i64::from(time.month0());
    let index = if month_start(months) < Some(time) {
        months + 1
    } else {
        months
    };
    u32::try_from(index.clamp(0, i64::from(MAX_RECORDS))).unwrap_or(MAX_RECORDS)
}

/// The first instant of month `index` (months since 2020-01), if representable.
fn month_start(index: i64) -> Option<DateTime<Utc>> {
    let year = i32::try_from(i64::from(FIRST_YEAR) + index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    Some(NaiveDate::from_ymd_opt(year, month, 1)?.and_hms_opt(0, 0, 0)?.and_utc())
}

/// The records file: a JSON array with one record per line.
fn records_json(key: &ArchiveKey) -> Vec<u8> {
    let mut out = String::from("[\n");
    for n in 0..key.record_count {
        let index = key.first_record + n;
        let time = month_start(i64::from(index)).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
        let record = json!({
            "id": format!("{}-{index:05}", key.group),
            "resourceGroup": key.group,
            "time": time,
            "title": format!("Record {index} of {}", key.group),
            "value": fnv1a(format!("{}/{index}", key.group).as_bytes()) % 1_000_000,
        });
        out.push_str("  ");
        out.push_str(&record.to_string());
        out.push_str(if n + 1 < key.record_count { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    out.into_bytes()
}

/// The filler block of a group: xorshift64* output seeded by the group's name.
fn filler_block(group: &str) -> Box<[u8]> {
    let mut state = fnv1a(group.as_bytes()) | 1;
    let mut block = vec![0u8; BLOCK_LEN];
    for chunk in block.chunks_mut(8) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let value = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        chunk.copy_from_slice(&value.to_le_bytes()[..chunk.len()]);
    }
    block.into_boxed_slice()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The CRC-32 of `block` repeated from its start for `len` bytes, in O(log len) combines.
fn repeated_crc32(block: &[u8], len: u64) -> u32 {
    let block_len = block.len() as u64;
    let mut total = crc32fast::Hasher::new();
    let mut power = crc32fast::Hasher::new();
    power.update(block);
    // Every piece is the same block repeated, so the pieces commute.
    let mut copies = len / block_len;
    while copies > 0 {
        if copies & 1 == 1 {
            total.combine(&power);
        }
        let doubled = power.clone();
        power.combine(&doubled);
        copies >>= 1;
    }
    let tail = (len % block_len) as usize;
    let mut last = crc32fast::Hasher::new();
    last.update(&block[..tail]);
    total.combine(&last);
    total.finalize()
}

/// The archive of `key`, laid out to exactly `key.size` bytes when that is enough room.
pub(crate) fn build(key: &ArchiveKey) -> Layout {
    let records_name = format!("{}/records.json", key.group);
    let filler_name = format!("{}/data.bin", key.group);
    let records = records_json(key);
    let names = [records_name.as_str(), filler_name.as_str()];
    let fixed = zip::overhead(&names, false) + records.len() as u64;
    let fixed = if zip::needs_zip64(key.size.max(fixed)) {
        zip::overhead(&names, true) + records.len() as u64
    } else {
        fixed
    };
    let filler_len = key.size.saturating_sub(fixed);
    let block = filler_block(&key.group);
    let crc32 = repeated_crc32(&block, filler_len);
    let entries = vec![
        Entry {
            name: records_name,
            data: Data::Bytes(records),
        },
        Entry {
            name: filler_name,
            data: Data::Filler { len: filler_len, crc32 },
        },
    ];
    zip::write(entries, block)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single().expect("valid date")
    }

    #[test]
    fn month_indexes() {
        assert_eq!(month_index_at_or_after(at(2019, 5, 1)), 0);
        assert_eq!(month_index_at_or_after(at(2020, 1, 1)), 0);
        assert_eq!(month_index_at_or_after(at(2020, 1, 2)), 1);
        assert_eq!(month_index_at_or_after(at(2021, 3, 1)), 14);
        assert_eq!(month_index_at_or_after(DateTime::<Utc>::MAX_UTC), MAX_RECORDS);
    }

    #[test]
    fn keys_follow_the_period() {
        let key = ArchiveKey::new("g", 0, Some(at(2021, 1, 15)), at(2021, 4, 1));
        assert_eq!((key.first_record, key.record_count), (13, 2), "Feb and Mar 2021");
        let everything = ArchiveKey::new("g", 0, None, at(2020, 3, 5));
        assert_eq!((everything.first_record, everything.record_count), (0, 3));
        let reversed = ArchiveKey::new("g", 0, Some(at(2022, 1, 1)), at(2021, 1, 1));
        assert_eq!(reversed.record_count, 0);
    }

    #[test]
    fn repeated_crc_matches_a_direct_crc() {
        let block = filler_block("myactivity.search");
        for len in [
            0u64,
            1,
            100,
            BLOCK_LEN as u64,
            BLOCK_LEN as u64 + 7,
            5 * BLOCK_LEN as u64 + 3,
            8 * BLOCK_LEN as u64,
        ] {
            let data: Vec<u8> = (0..len).map(|i| block[(i % BLOCK_LEN as u64) as usize]).collect();
            assert_eq!(repeated_crc32(&block, len), crc32fast::hash(&data), "len {len}");
        }
    }

    #[test]
    fn archives_have_the_configured_size_and_differ_per_group() {
        let a = build(&ArchiveKey::new("myactivity.search", 100_000, None, at(2024, 1, 1)));
        let b = build(&ArchiveKey::new("chrome.history", 100_000, None, at(2024, 1, 1)));
        assert_eq!((a.len(), b.len()), (100_000, 100_000));
        let (mut x, mut y) = (vec![0; 100_000], vec![0; 100_000]);
        a.read_at(0, &mut x);
        b.read_at(0, &mut y);
        assert_ne!(x, y);
        let tiny = build(&ArchiveKey::new("myactivity.search", 10, None, at(2024, 1, 1)));
        assert!(tiny.len() > 10, "too small a size gives the smallest archive");
    }
}
