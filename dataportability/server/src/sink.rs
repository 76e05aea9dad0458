//! Where verified archives are stored: one small interface, a local directory today.

use std::path::{Path, PathBuf};

/// Stores verified archive files under object keys (`CONNECTION/GROUP/ROUND/NAME`).
#[async_trait::async_trait]
pub trait ArchiveSink: Send + Sync + 'static {
    /// Moves the verified file at `file` to `key`, replacing an earlier copy (the same bytes,
    /// from a run that stopped before it recorded the archive).
    async fn put(&self, key: &str, file: &Path) -> std::io::Result<()>;
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
fn safe(key: &str) -> std::io::Result<()> {
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

#[async_trait::async_trait]
impl ArchiveSink for LocalDir {
    async fn put(&self, key: &str, file: &Path) -> std::io::Result<()> {
        safe(key)?;
        let target = self.root.join(key);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        tokio::fs::rename(file, &target).await
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
