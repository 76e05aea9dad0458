//! Where a resumable upload reads its media from: anything it can seek in, so that it can
//! go back to the offset the server reports after an interruption.

use std::fmt;
use std::io;
use std::path::Path;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt};

/// The unit of resumable upload chunks: every chunk but the last is a multiple of it.
pub const UPLOAD_GRANULARITY: u64 = 256 * 1024;

/// The default chunk size of resumable uploads.
pub const DEFAULT_CHUNK_SIZE: u64 = 8 * 1024 * 1024;

/// A seekable byte source: a file, an in-memory buffer, ...
pub trait MediaSource: AsyncRead + AsyncSeek + Send + Unpin {}

impl<T: AsyncRead + AsyncSeek + Send + Unpin> MediaSource for T {}

/// Media for a resumable upload: its type, its length and where to read it from.
pub struct ResumableMedia {
    content_type: String,
    length: u64,
    source: Box<dyn MediaSource>,
    chunk_size: u64,
}

impl ResumableMedia {
    /// `length` bytes of type `content_type` read from `source`, from its start.
    pub fn new(content_type: impl Into<String>, length: u64, source: impl MediaSource + 'static) -> Self {
        Self {
            content_type: content_type.into(),
            length,
            source: Box::new(source),
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }

    /// Media held in memory.
    pub fn from_bytes(content_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        let data: Bytes = data.into();
        Self::new(content_type, data.len() as u64, std::io::Cursor::new(data))
    }

    /// Media read from the file at `path`; its length is the file's current size.
    pub async fn from_file(content_type: impl Into<String>, path: impl AsRef<Path>) -> io::Result<Self> {
        let file = tokio::fs::File::open(path).await?;
        let length = file.metadata().await?.len();
        Ok(Self::new(content_type, length, file))
    }

    /// Sends chunks of about `bytes` (rounded up to a multiple of 256 KiB).
    pub fn with_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1).div_ceil(UPLOAD_GRANULARITY) * UPLOAD_GRANULARITY;
        self
    }

    /// The media type.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether the media is empty.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The chunk that starts at `offset`: up to the chunk size, or to the end.
    pub(super) async fn read_chunk(&mut self, offset: u64) -> io::Result<Bytes> {
        let size = self.chunk_size.min(self.length.saturating_sub(offset));
        let size = usize::try_from(size).map_err(|_| io::Error::other("chunk larger than memory"))?;
        self.source.seek(io::SeekFrom::Start(offset)).await?;
        let mut chunk = vec![0; size];
        self.source.read_exact(&mut chunk).await?;
        Ok(Bytes::from(chunk))
    }
}

impl fmt::Debug for ResumableMedia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResumableMedia")
            .field("content_type", &self.content_type)
            .field("length", &self.length)
            .field("chunk_size", &self.chunk_size)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn chunks_follow_the_offset_and_stop_at_the_end() {
        let data: Vec<u8> = (0..=255).cycle().take(600 * 1024).collect();
        let mut media = ResumableMedia::from_bytes("application/octet-stream", data.clone()).with_chunk_size(1);
        let first = media.read_chunk(0).await.unwrap();
        assert_eq!(first.len() as u64, UPLOAD_GRANULARITY);
        let last = media.read_chunk(2 * UPLOAD_GRANULARITY).await.unwrap();
        assert_eq!(&last[..], &data[2 * UPLOAD_GRANULARITY as usize..]);
        let again = media.read_chunk(100).await.unwrap();
        assert_eq!(&again[..10], &data[100..110]);
    }
}
