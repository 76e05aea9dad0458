//! The `NAME.part` file a download is written to until it is complete and verified. The
//! output directory's lock ([`crate::lock`]) makes its fixed name private to one run, which
//! is what lets a later run resume it.

use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};

use crate::hashes::Hasher;
use crate::out_dir::Dir;
use crate::{Error, Result};

/// The length of an existing part file and the hashes of its bytes (0 and empty when there is
/// none), read in 1 MiB blocks on a blocking thread: a resumed download's checksums then cover
/// the whole file.
pub(super) async fn rehash(dir: &Dir, part: &str) -> Result<(u64, Hasher)> {
    let (dir, part) = (dir.clone(), part.to_owned());
    let path = dir.join(&part);
    let join = tokio::task::spawn_blocking(move || -> Result<(u64, Hasher)> {
        let mut hasher = Hasher::new();
        let Some(mut file) = dir.open_read(&part)? else {
            return Ok((0, hasher));
        };
        let mut buffer = vec![0u8; 1024 * 1024];
        let mut len = 0u64;
        loop {
            let n = file.read(&mut buffer).map_err(Error::io(dir.join(&part)))?;
            if n == 0 {
                return Ok((len, hasher));
            }
            hasher.update(&buffer[..n]);
            len += n as u64;
        }
    });
    join.await.map_err(|e| Error::io(path)(std::io::Error::other(e)))?
}

/// Opens the part for writing at `offset`: after what is there, or emptied at 0.
pub(super) fn open(dir: &Dir, part: &str, offset: u64) -> Result<File> {
    let mut file = dir.open_write(part, offset == 0)?;
    file.seek(SeekFrom::Start(offset)).map_err(Error::io(dir.join(part)))?;
    Ok(file)
}

/// Empties the part (to start over).
pub(super) fn truncate(dir: &Dir, part: &str) -> Result<()> {
    dir.open_write(part, true).map(drop)
}

/// Deletes the part, best effort: the error that made us delete it is the one worth reporting.
pub(super) fn remove(dir: &Dir, part: &str) {
    let _ = dir.remove(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_part_is_rehashed_whole_and_a_missing_one_is_empty() {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(root.path()).unwrap();
        let (len, _) = rehash(&dir, "a.zip.part").await.unwrap();
        assert_eq!(len, 0);
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
        std::fs::write(dir.join("a.zip.part"), &bytes).unwrap();
        let (len, hasher) = rehash(&dir, "a.zip.part").await.unwrap();
        let mut direct = Hasher::new();
        direct.update(&bytes);
        assert_eq!((len, hasher.finish()), (3_000_000, direct.finish()));
        truncate(&dir, "a.zip.part").unwrap();
        assert_eq!(std::fs::metadata(dir.join("a.zip.part")).unwrap().len(), 0);
        remove(&dir, "a.zip.part");
        assert!(!dir.join("a.zip.part").exists());
    }
}
