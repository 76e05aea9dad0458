//! Archives: deterministic ZIP files generated as streams, and their whole-object hashes.
//!
//! An archive is never held in memory: its [`Layout`](layout::Layout) is a few small byte runs
//! (headers, the records file) and one long run of a repeated 16 KiB block, readable at any
//! offset, so a multi-GB archive costs a few tens of KiB and a `Range` request starts at its
//! offset directly. The CRC-32s inside the ZIP are computed arithmetically (CRC combination of
//! the repeated block). The `x-goog-hash` of the whole object (CRC32C and MD5) has no such
//! shortcut for MD5, so it is computed once per distinct archive by streaming the generator
//! through both hashes on a blocking thread, started as soon as a job is seen `COMPLETE` and
//! awaited by the first download; the result is cached by [`ArchiveKey`], which every job with
//! the same group, size and period shares.
//!
//! With several files per archive (`--files-per-archive N`), each file is a complete ZIP of its
//! own (a slice of the records, a share of the size), with its own length and hashes: its
//! [`ArchiveKey`] names the part.

mod activity;
mod content;
mod layout;
mod stream;
mod zip;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};
use tokio::sync::OnceCell;

pub(crate) use activity::Activity;
pub(crate) use content::ArchiveKey;
pub(crate) use stream::body_stream;

/// The whole-object hashes Cloud Storage reports in `x-goog-hash`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hashes {
    /// CRC32C (Castagnoli).
    pub crc32c: u32,
    /// MD5.
    pub md5: [u8; 16],
}

impl Hashes {
    /// The `x-goog-hash` value: `crc32c=<base64>,md5=<base64>` (big-endian CRC, as GCS).
    pub fn header_value(&self) -> String {
        format!(
            "crc32c={},md5={}",
            STANDARD.encode(self.crc32c.to_be_bytes()),
            STANDARD.encode(self.md5)
        )
    }

    /// An entity tag: the MD5 in hex, quoted.
    pub fn etag(&self) -> String {
        let hex: String = self.md5.iter().map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    }
}

/// Why an archive's hashes are not available.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HashError {
    /// The emulator stopped while they were being computed.
    #[error("the emulator stopped while hashing the archive")]
    Stopped,
    /// The hashing thread panicked.
    #[error("hashing the archive failed: {0}")]
    Panicked(#[from] tokio::task::JoinError),
}

/// Which file of a split archive: `index` of `count` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Part {
    /// 0-based.
    pub index: u32,
    /// At least 1.
    pub count: u32,
}

impl Part {
    /// The whole archive as one file.
    pub const WHOLE: Part = Part { index: 0, count: 1 };

    /// This part's share of `total` things: the `index`-th of `count` consecutive slices.
    pub(crate) fn slice(self, total: u64) -> std::ops::Range<u64> {
        let count = u128::from(self.count.max(1));
        let at = |i: u32| u64::try_from(u128::from(total) * u128::from(i) / count).unwrap_or(total);
        at(self.index.min(self.count))..at((self.index + 1).min(self.count.max(1)))
    }
}

/// One downloadable object (a ZIP file), and its hashes once computed.
pub(crate) struct Archive {
    layout: layout::Layout,
    hashes: OnceCell<Hashes>,
    prefetching: AtomicBool,
    /// Set when the emulator's cache is dropped: a hash computation in progress stops.
    stopped: Arc<AtomicBool>,
}

impl Archive {
    /// The size in bytes.
    pub fn len(&self) -> u64 {
        self.layout.len()
    }

    /// Fills `buf` from `offset`, up to the end; see [`layout::Layout::read_at`].
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> usize {
        self.layout.read_at(offset, buf)
    }

    /// The whole-object hashes, computed on a blocking thread the first time.
    pub async fn hashes(self: &Arc<Self>) -> Result<Hashes, HashError> {
        let archive = Arc::clone(self);
        let compute = || async move { tokio::task::spawn_blocking(move || archive.compute_hashes()).await? };
        self.hashes.get_or_try_init(compute).await.copied()
    }

    /// Starts computing the hashes in the background, once.
    pub fn prefetch_hashes(self: &Arc<Self>) {
        if self.hashes.initialized() || self.prefetching.swap(true, Ordering::SeqCst) {
            return;
        }
        let archive = Arc::clone(self);
        tokio::spawn(async move {
            let _ = archive.hashes().await;
        });
    }

    fn compute_hashes(&self) -> Result<Hashes, HashError> {
        let mut md5 = Md5::new();
        let mut crc32c = 0u32;
        let mut buf = vec![0u8; 1 << 20];
        let mut offset = 0u64;
        loop {
            if self.stopped.load(Ordering::Relaxed) {
                return Err(HashError::Stopped);
            }
            let n = self.read_at(offset, &mut buf);
            if n == 0 {
                break;
            }
            md5.update(&buf[..n]);
            crc32c = crc32c::crc32c_append(crc32c, &buf[..n]);
            offset += n as u64;
        }
        Ok(Hashes {
            crc32c,
            md5: md5.finalize().into(),
        })
    }
}

/// The archives built so far, by key: one cache per emulator, shared by all jobs.
#[derive(Default)]
pub(crate) struct ArchiveCache {
    archives: Mutex<HashMap<ArchiveKey, Arc<Archive>>>,
    stopped: Arc<AtomicBool>,
}

impl Drop for ArchiveCache {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

impl ArchiveCache {
    /// The archive of `key`, built on first use.
    pub fn get(&self, key: &ArchiveKey) -> Arc<Archive> {
        if let Some(archive) = lock(&self.archives).get(key) {
            return Arc::clone(archive);
        }
        // Built outside the lock (it takes microseconds, but other keys need not wait).
        let built = Arc::new(Archive {
            layout: content::build(key),
            hashes: OnceCell::new(),
            prefetching: AtomicBool::new(false),
            stopped: Arc::clone(&self.stopped),
        });
        Arc::clone(lock(&self.archives).entry(key.clone()).or_insert(built))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::io::{Read, Seek, SeekFrom};

    /// A `Read + Seek` view of an archive, so the `zip` crate can check it without the
    /// archive ever being in memory.
    struct Reader {
        archive: Arc<Archive>,
        position: u64,
    }

    impl Read for Reader {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.archive.read_at(self.position, buf);
            self.position += n as u64;
            Ok(n)
        }
    }

    impl Seek for Reader {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            let len = self.archive.len() as i128;
            let target = match to {
                SeekFrom::Start(n) => i128::from(n),
                SeekFrom::End(n) => len + i128::from(n),
                SeekFrom::Current(n) => i128::from(self.position) + i128::from(n),
            };
            self.position = u64::try_from(target).map_err(|_| std::io::Error::other("seek before start"))?;
            Ok(self.position)
        }
    }

    fn key(size: u64) -> ArchiveKey {
        part_key(size, Part::WHOLE)
    }

    fn part_key(size: u64, part: Part) -> ArchiveKey {
        let end: DateTime<Utc> = "2024-06-15T00:00:00Z".parse().expect("time");
        let dense_from: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("time");
        ArchiveKey::new(
            Activity::new("u", "myactivity.search", dense_from),
            size,
            None,
            end,
            part,
        )
    }

    fn open(archive: &Arc<Archive>) -> ::zip::ZipArchive<Reader> {
        ::zip::ZipArchive::new(Reader {
            archive: Arc::clone(archive),
            position: 0,
        })
        .expect("a valid ZIP")
    }

    #[test]
    fn a_small_archive_is_a_valid_zip_whose_crcs_check() {
        let archive = ArchiveCache::default().get(&key(200_000));
        assert_eq!(archive.len(), 200_000);
        let mut zip = open(&archive);
        assert_eq!(zip.len(), 2);
        let mut records = String::new();
        zip.by_name("myactivity.search/records.json")
            .expect("records")
            .read_to_string(&mut records)
            .expect("CRC ok");
        let parsed: serde_json::Value = serde_json::from_str(&records).expect("JSON");
        let count = parsed.as_array().map_or(0, Vec::len);
        assert!(
            (120..250).contains(&count),
            "about one item every ten days from 2020-01 to 2024-06: {count}"
        );
        let mut data = Vec::new();
        zip.by_name("myactivity.search/data.bin")
            .expect("data")
            .read_to_end(&mut data)
            .expect("CRC ok");
        assert!(data.len() > 150_000);
    }

    #[test]
    fn a_5_gib_archive_uses_zip64_and_is_never_materialized() {
        let size = 5 * (1u64 << 30) + 12_345;
        let archive = ArchiveCache::default().get(&key(size));
        assert_eq!(archive.len(), size);
        let mut zip = open(&archive);
        let data = zip.by_name("myactivity.search/data.bin").expect("data");
        assert!(data.size() > 5 * (1u64 << 30) - 100_000);
        drop(data);
        let mut records = String::new();
        zip.by_name("myactivity.search/records.json")
            .expect("records")
            .read_to_string(&mut records)
            .expect("CRC ok");
        assert!(records.starts_with("[\n  {"));
    }

    #[tokio::test]
    async fn hashes_are_those_of_the_bytes() {
        let cache = ArchiveCache::default();
        let archive = cache.get(&key(300_000));
        let mut bytes = vec![0; 300_000];
        assert_eq!(archive.read_at(0, &mut bytes), 300_000);
        let hashes = archive.hashes().await.expect("computed");
        assert_eq!(hashes.crc32c, crc32c::crc32c(&bytes));
        assert_eq!(hashes.md5, <[u8; 16]>::from(Md5::digest(&bytes)));
        assert!(hashes.header_value().starts_with("crc32c=") && hashes.header_value().contains(",md5="));
    }

    #[tokio::test]
    async fn hashing_stops_when_the_cache_is_dropped() {
        let cache = ArchiveCache::default();
        let archive = cache.get(&key(4 << 30));
        drop(cache);
        assert!(matches!(archive.hashes().await, Err(HashError::Stopped)));
    }

    #[tokio::test]
    async fn parts_are_complete_zips_that_share_the_records_and_the_size() {
        let cache = ArchiveCache::default();
        let mut records = Vec::new();
        let mut total = 0;
        for index in 0..3 {
            let part = cache.get(&part_key(300_003, Part { index, count: 3 }));
            total += part.len();
            let mut bytes = vec![0; usize::try_from(part.len()).expect("small")];
            assert_eq!(part.read_at(0, &mut bytes) as u64, part.len());
            let hashes = part.hashes().await.expect("computed");
            assert_eq!(hashes.crc32c, crc32c::crc32c(&bytes), "each file has its own hashes");
            let mut zip = open(&part);
            let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
            let n = index + 1;
            assert_eq!(zip.len(), 2, "{names:?}");
            let mut text = String::new();
            zip.by_name(&format!("myactivity.search/records-{n:03}.json"))
                .expect("its records")
                .read_to_string(&mut text)
                .expect("CRC ok");
            let slice: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON");
            assert!(!slice.is_empty());
            records.extend(slice);
            assert!(zip.by_name(&format!("myactivity.search/data-{n:03}.bin")).is_ok());
        }
        assert_eq!(total, 300_003, "the files share the size");
        let mut whole = String::new();
        open(&cache.get(&key(300_003)))
            .by_name("myactivity.search/records.json")
            .expect("records")
            .read_to_string(&mut whole)
            .expect("CRC ok");
        let whole: Vec<serde_json::Value> = serde_json::from_str(&whole).expect("JSON");
        assert_eq!(records, whole, "together, every record once, in order");
    }

    #[test]
    fn the_cache_shares_one_archive_per_key() {
        let cache = ArchiveCache::default();
        assert!(Arc::ptr_eq(&cache.get(&key(1000)), &cache.get(&key(1000))));
        assert!(!Arc::ptr_eq(&cache.get(&key(1000)), &cache.get(&key(2000))));
    }
}
