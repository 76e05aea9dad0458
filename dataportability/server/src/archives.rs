//! The `--archives` choice: a local directory or an object store, and the sink it opens.

use std::path::PathBuf;

use crate::object_sink::ObjectSink;
use crate::sink::{ArchiveSink, LocalDir};

/// Where archives go: `--archives DIR`, `file://DIR`, `s3://BUCKET/PREFIX` or
/// `gs://BUCKET/PREFIX`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Archives {
    /// A local directory.
    Local(PathBuf),
    /// An object store URL, with the local directory downloads are staged in.
    Object {
        /// `s3://...` or `gs://...`.
        url: String,
        /// The staging directory.
        staging: PathBuf,
    },
}

impl Archives {
    /// `s3://` and `gs://` are object stores (staged in `staging`); `file://DIR` and any other
    /// text a local directory.
    pub fn parse(text: &str, staging: PathBuf) -> Self {
        if text.starts_with("s3://") || text.starts_with("gs://") {
            Self::Object {
                url: text.to_owned(),
                staging,
            }
        } else {
            Self::Local(text.strip_prefix("file://").unwrap_or(text).into())
        }
    }

    /// The sink.
    pub fn open(&self) -> std::io::Result<std::sync::Arc<dyn ArchiveSink>> {
        Ok(match self {
            Self::Local(dir) => std::sync::Arc::new(
                LocalDir::new(dir).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?,
            ),
            Self::Object { url, staging } => {
                std::fs::create_dir_all(staging)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", staging.display())))?;
                std::sync::Arc::new(ObjectSink::from_url(url, staging).map_err(std::io::Error::other)?)
            }
        })
    }
}

impl From<PathBuf> for Archives {
    fn from(dir: PathBuf) -> Self {
        Self::Local(dir)
    }
}
