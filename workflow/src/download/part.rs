//! The `NAME.part` file a download is written to until it is complete and verified.

use std::path::Path;

use tokio::io::AsyncReadExt as _;

use crate::hashes::Hasher;
use crate::{Error, Result};

/// The length of an existing part file and the hashes of its bytes (0 and empty when there is
/// none), read in 1 MiB blocks: a resumed download's checksums then cover the whole file.
pub(super) async fn rehash(part: &Path) -> Result<(u64, Hasher)> {
    let mut hasher = Hasher::new();
    let mut file = match tokio::fs::File::open(part).await {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((0, hasher)),
        Err(error) => return Err(Error::io(part)(error)),
    };
    let mut buffer = vec![0u8; 1024 * 1024];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buffer).await.map_err(Error::io(part))?;
        if n == 0 {
            return Ok((len, hasher));
        }
        hasher.update(&buffer[..n]);
        len += n as u64;
    }
}

/// Opens the part for writing at `offset`: appending to what is there, or truncated at 0.
pub(super) async fn open(part: &Path, offset: u64) -> Result<tokio::fs::File> {
    tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(offset == 0)
        .append(offset > 0)
        .open(part)
        .await
        .map_err(Error::io(part))
}

/// Empties the part (to start over).
pub(super) async fn truncate(part: &Path) -> Result<()> {
    tokio::fs::File::create(part).await.map(drop).map_err(Error::io(part))
}

/// Deletes the part, best effort: the error that made us delete it is the one worth reporting.
pub(super) async fn remove(part: &Path) {
    let _ = tokio::fs::remove_file(part).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_part_is_rehashed_whole_and_a_missing_one_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("a.zip.part");
        let (len, _) = rehash(&part).await.unwrap();
        assert_eq!(len, 0);
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
        std::fs::write(&part, &bytes).unwrap();
        let (len, hasher) = rehash(&part).await.unwrap();
        let mut direct = Hasher::new();
        direct.update(&bytes);
        assert_eq!((len, hasher.finish()), (3_000_000, direct.finish()));
        truncate(&part).await.unwrap();
        assert_eq!(std::fs::metadata(&part).unwrap().len(), 0);
        remove(&part).await;
        assert!(!part.exists());
    }
}
