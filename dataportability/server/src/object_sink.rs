//! Archives in an object store (`s3://BUCKET/PREFIX`, `gs://BUCKET/PREFIX`) through the
//! `object_store` crate.
//!
//! A verified archive, staged on local disk by the download, is streamed to the store as a
//! multipart upload in [`PART_SIZE`] parts with at most [`PARTS_IN_FLIGHT`] parts in memory,
//! its CRC32C and MD5 computed over the very bytes sent; an object whose bytes do not hash
//! to the download's CRC32C is deleted and the step fails (and is tried again). An upload
//! becomes an object only when it is completed (S3's and Cloud Storage's multipart semantics:
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html>), and the archive
//! is recorded only after that: an upload cut by a kill leaves no object and no row, and the
//! item's next attempt uploads again (the parts of an upload never completed are removed by
//! the bucket's lifecycle rule, `AbortIncompleteMultipartUpload`; our recommendation).
//!
//! Credentials and endpoints come from the environment, as each store documents it
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`,
//! `AWS_ALLOW_HTTP` for an S3-compatible server; `GOOGLE_SERVICE_ACCOUNT` or
//! application default credentials for Cloud Storage).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::TryStreamExt as _;
use md5::Digest as _;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, WriteMultipart};
use tokio::io::AsyncReadExt as _;

use crate::sink::{ArchiveSink, Stored};

/// The size of one uploaded part (S3's least part size is 5 MiB).
pub const PART_SIZE: usize = 8 * 1024 * 1024;
/// Parts buffered or in flight at once: the memory an upload takes is at most this many parts.
pub const PARTS_IN_FLIGHT: usize = 2;

/// Archives as objects under a prefix of a bucket.
#[derive(Debug)]
pub struct ObjectSink {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    staging: PathBuf,
}

/// The archive location could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ObjectSinkError {
    /// Not a URL this service knows.
    #[error("--archives {0:?}: expected s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, file://DIR or a directory")]
    Scheme(String),
    /// The store refused its configuration.
    #[error("--archives {url}: {source}")]
    Store {
        /// The URL.
        url: String,
        /// Why.
        source: object_store::Error,
    },
}

impl ObjectSink {
    /// The sink for `url` (`s3://` or `gs://`), staging downloads under `staging`.
    pub fn from_url(url: &str, staging: impl Into<PathBuf>) -> Result<Self, ObjectSinkError> {
        let parsed = url::Url::parse(url).map_err(|_| ObjectSinkError::Scheme(url.to_owned()))?;
        let store_error = |source| ObjectSinkError::Store {
            url: url.to_owned(),
            source,
        };
        let store: Arc<dyn ObjectStore> = match parsed.scheme() {
            "s3" => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url)
                    .build()
                    .map_err(store_error)?,
            ),
            "gs" => Arc::new(
                object_store::gcp::GoogleCloudStorageBuilder::from_env()
                    .with_url(url)
                    .build()
                    .map_err(store_error)?,
            ),
            _ => return Err(ObjectSinkError::Scheme(url.to_owned())),
        };
        Ok(Self::new(store, parsed.path().trim_matches('/'), staging))
    }

    /// A sink on `store` under `prefix`.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: &str, staging: impl Into<PathBuf>) -> Self {
        Self {
            store,
            prefix: prefix.trim_matches('/').to_owned(),
            staging: staging.into(),
        }
    }

    /// The object path of `key`.
    pub fn location(&self, key: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }
}

fn io(error: object_store::Error) -> std::io::Error {
    std::io::Error::other(error)
}

#[async_trait::async_trait]
impl ArchiveSink for ObjectSink {
    async fn put(&self, key: &str, file: &Path) -> std::io::Result<Stored> {
        crate::sink::safe(key)?;
        let location = self.location(key);
        let mut source = tokio::fs::File::open(file).await?;
        let upload = self.store.put_multipart(&location).await.map_err(io)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut crc = 0u32;
        let mut md5 = md5::Md5::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = match source.read(&mut buffer).await {
                Ok(n) => n,
                Err(error) => {
                    let _ = writer.abort().await;
                    return Err(error);
                }
            };
            if n == 0 {
                break;
            }
            if let Err(error) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = writer.abort().await;
                return Err(io(error));
            }
            crc = crc32c::crc32c_append(crc, &buffer[..n]);
            md5.update(&buffer[..n]);
            size += n as u64;
            writer.write(&buffer[..n]);
        }
        writer.finish().await.map_err(io)?;
        // What the store holds now: its size must be what was sent.
        let head = self.store.head(&location).await.map_err(io)?;
        if head.size != size {
            let _ = self.store.delete(&location).await;
            return Err(std::io::Error::other(format!(
                "{key}: the store holds {} bytes, {size} were sent",
                head.size
            )));
        }
        let _ = tokio::fs::remove_file(file).await;
        Ok(Stored {
            size,
            crc32c: crc,
            md5: hex::encode(md5.finalize()),
        })
    }

    async fn delete_prefix(&self, prefix: &str) -> std::io::Result<()> {
        crate::sink::safe(prefix)?;
        let listed: Vec<_> = self
            .store
            .list(Some(&self.location(prefix)))
            .try_collect()
            .await
            .map_err(io)?;
        for object in listed {
            match self.store.delete(&object.location).await {
                Err(object_store::Error::NotFound { .. }) | Ok(()) => {}
                Err(error) => return Err(io(error)),
            }
        }
        match tokio::fs::remove_dir_all(self.staging.join(prefix)).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn staging(&self, key_prefix: &str) -> PathBuf {
        self.staging.join(key_prefix)
    }
}
