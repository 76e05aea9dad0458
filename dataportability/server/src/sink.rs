//! Where verified archives are stored: one small interface; a local directory here, an object
//! store (S3, Cloud Storage) in [`crate::object_sink`], the choice between them in
//! [`crate::archives`].

use std::path::{Path, PathBuf};

/// What a sink stored: the size and checksums of the bytes it wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Bytes.
    pub size: u64,
    /// CRC32C (Castagnoli).
    pub crc32c: u32,
    /// MD5, 32 hex digits.
    pub md5: String,
}

/// Stores verified archive files under object keys (`CONNECTION/GROUP/ROUND/NAME`).
#[async_trait::async_trait]
pub trait ArchiveSink: Send + Sync + 'static {
    /// Moves the verified file at `file` to `key`, replacing an earlier copy (the same bytes,
    /// from a run that stopped before it recorded the archive), and answers the size and
    /// checksums of what it stored.
    async fn put(&self, key: &str, file: &Path) -> std::io::Result<Stored>;
    /// Deletes every object whose key starts with `prefix` (a connection's archives).
    async fn delete_prefix(&self, prefix: &str) -> std::io::Result<()>;
    /// A local directory where downloads of `key_prefix` are staged before [`Self::put`].
    fn staging(&self, key_prefix: &str) -> PathBuf;
}

/// Archives as files in a local directory: `DIR/KEY`, staged in `DIR/.staging/`.
#[derive(Clone, Debug)]
pub struct LocalDir {
    root: PathBuf,
}

impl LocalDir {
    /// A sink writing under `root` (created if needed).
    pub fn new(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join(".staging"))?;
        Ok(Self { root })
    }

    /// The path of `key`.
    pub fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }
}

/// Whether `key` is a relative path of plain names (no `..`, no absolute path).
pub(crate) fn safe(key: &str) -> std::io::Result<()> {
    let bad = key.is_empty()
        || key.starts_with('/')
        || key
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == ".." || part.contains('\\'));
    if bad {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a valid object key: {key:?}"),
        ));
    }
    Ok(())
}

/// The size, CRC32C and MD5 of the file at `path`.
pub async fn checksums(path: &Path) -> std::io::Result<Stored> {
    use md5::Digest as _;
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Read as _;
        let mut file = std::fs::File::open(path)?;
        let (mut crc32c, mut md5, mut size) = (0u32, md5::Md5::new(), 0u64);
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                return Ok(Stored {
                    size,
                    crc32c,
                    md5: hex::encode(md5.finalize()),
                });
            }
            crc32c = crc32c::crc32c_append(crc32c, &buffer[..n]);
            md5.update(&buffer[..n]);
            size += n as u64;
        }
    })
    .await
    .map_err(std::io::Error::other)?
}

#[async_trait::async_trait]
impl ArchiveSink for LocalDir {
    async fn put(&self, key: &str, file: &Path) -> std::io::Result<Stored> {
        safe(key)?;
        let stored = checksums(file).await?;
        let target = self.root.join(key);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(file, &target).await?;
        Ok(stored)
    }

    async fn delete_prefix(&self, prefix: &str) -> std::io::Result<()> {
        safe(prefix)?;
        match tokio::fs::remove_dir_all(self.root.join(prefix)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        match tokio::fs::remove_dir_all(self.root.join(".staging").join(prefix)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn staging(&self, key_prefix: &str) -> PathBuf {
        self.root.join(".staging").join(key_prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_leave_the_directory_are_refused() {
        assert!(safe("c1/g/0001/g.zip").is_ok());
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b"] {
            assert!(safe(bad).is_err(), "{bad}");
        }
    }
}
