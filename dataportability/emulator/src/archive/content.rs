//! What an archive holds: the dated records of one user in one resource group in the exported
//! period, and a filler file that brings the archive to the configured size.
//!
//! The archive of group `g` has two entries:
//! - `g/records.json`: the user's activity items (see [`Activity`]) in `[startTime, exportTime)`,
//!   one JSON record per line, each with its `time`;
//! - `g/data.bin`: a 16 KiB pseudo-random block derived from the group's name, repeated.
//!
//! An archive of several files (`--files-per-archive N`) is N complete ZIP files, as Google's
//! are: file `i` holds the `i`-th of N consecutive slices of the records
//! (`g/records-00i.json`) and its share of the size (`g/data-00i.bin`), so the files unzip
//! side by side and together hold every record once.
//!
//! Everything is a function of [`ArchiveKey`], so two jobs with the same key serve the same
//! bytes (and share one hash computation).

use chrono::{DateTime, Utc};

use super::Part;
use super::activity::{Activity, fnv1a};
use super::layout::Layout;
use super::zip::{self, Data, Entry};

/// The size of the repeated filler block.
const BLOCK_LEN: usize = 16 * 1024;

/// Everything an archive's bytes depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ArchiveKey {
    /// Whose activity, in which group.
    pub activity: Activity,
    /// The target size in bytes (the archive is larger only if its records need more).
    pub size: u64,
    /// The index of the first item.
    pub first_record: u32,
    /// How many items.
    pub record_count: u32,
    /// Which file of the archive.
    pub part: Part,
}

impl ArchiveKey {
    /// The key of file `part` of the archive of `activity` for the period `[start, end)`,
    /// `start` `None` meaning from the first item, whose files together are `size` bytes.
    pub fn new(activity: Activity, size: u64, start: Option<DateTime<Utc>>, end: DateTime<Utc>, part: Part) -> Self {
        let (first, count) = activity.range(start, end);
        let records = part.slice(u64::from(count));
        let offset = |at: u64| u32::try_from(at).unwrap_or(u32::MAX);
        let sizes = part.slice(size);
        Self {
            activity,
            size: sizes.end - sizes.start,
            first_record: first.saturating_add(offset(records.start)),
            record_count: offset(records.end - records.start),
            part,
        }
    }

    /// The resource group.
    fn group(&self) -> &str {
        &self.activity.group
    }
}

/// The records file: a JSON array with one record per line. Written by hand (not through
/// `serde_json::Value`, ten times slower): every string in it is a known resource group name, an
/// index or a time, none of which needs escaping.
fn records_json(key: &ArchiveKey) -> Vec<u8> {
    use std::fmt::Write as _;
    let group = key.group();
    let last = key.first_record.saturating_add(key.record_count);
    let mut out = String::with_capacity(32 + key.record_count as usize * (110 + 2 * group.len()));
    out.push_str("[\n");
    let items = key
        .activity
        .items()
        .skip_while(|(index, _)| *index < key.first_record)
        .take_while(|(index, _)| *index < last);
    for (n, (index, time)) in items.enumerate() {
        let separator = if n + 1 < key.record_count as usize { "," } else { "" };
        let _ = writeln!(
            out,
            "  {{\"id\":\"{group}-{index:05}\",\"resourceGroup\":\"{group}\",\"time\":\"{}\",\
             \"title\":\"Record {index} of {group}\",\"value\":{}}}{separator}",
            time.format("%Y-%m-%dT%H:%M:%SZ"),
            key.activity.value(index),
        );
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
    let suffix = match key.part.count {
        0 | 1 => String::new(),
        _ => format!("-{:03}", key.part.index + 1),
    };
    let records_name = format!("{}/records{suffix}.json", key.group());
    let filler_name = format!("{}/data{suffix}.bin", key.group());
    let records = records_json(key);
    let names = [records_name.as_str(), filler_name.as_str()];
    let fixed = zip::overhead(&names, false) + records.len() as u64;
    let fixed = if zip::needs_zip64(key.size.max(fixed)) {
        zip::overhead(&names, true) + records.len() as u64
    } else {
        fixed
    };
    let filler_len = key.size.saturating_sub(fixed);
    let block = filler_block(key.group());
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

    fn key(group: &str, size: u64, start: Option<DateTime<Utc>>, end: DateTime<Utc>) -> ArchiveKey {
        ArchiveKey::new(Activity::new("u", group, at(2026, 1, 1)), size, start, end, Part::WHOLE)
    }

    #[test]
    fn the_records_are_the_items_of_the_period() {
        let (start, end) = (at(2021, 1, 15), at(2021, 6, 1));
        let period = key("g", 0, Some(start), end);
        let records: Vec<serde_json::Value> =
            serde_json::from_slice(&records_json(&period)).expect("the records are JSON");
        assert_eq!(records.len(), period.record_count as usize);
        assert!(records.len() > 10, "about one item every ten days");
        for record in &records {
            let time: DateTime<Utc> = record["time"].as_str().and_then(|t| t.parse().ok()).expect("a time");
            assert!(start <= time && time < end, "{record}");
        }
        assert_eq!(key("g", 0, Some(at(2022, 1, 1)), at(2021, 1, 1)).record_count, 0);
        assert_eq!(
            records_json(&key("g", 0, Some(at(2022, 1, 1)), at(2021, 1, 1))),
            b"[\n]\n"
        );
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
        let a = build(&key("myactivity.search", 100_000, None, at(2024, 1, 1)));
        let b = build(&key("chrome.history", 100_000, None, at(2024, 1, 1)));
        assert_eq!((a.len(), b.len()), (100_000, 100_000));
        let (mut x, mut y) = (vec![0; 100_000], vec![0; 100_000]);
        a.read_at(0, &mut x);
        b.read_at(0, &mut y);
        assert_ne!(x, y);
        let tiny = build(&key("myactivity.search", 10, None, at(2024, 1, 1)));
        assert!(tiny.len() > 10, "too small a size gives the smallest archive");
    }
}
