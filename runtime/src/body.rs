//! Reading response bodies without holding more than a bound in memory.

use bytes::{Bytes, BytesMut};
use reqwest::Response;

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// The body is longer than the limit; reading stopped before going past it.
    TooLarge,
    /// The connection failed while reading.
    Transport(reqwest::Error),
}

/// Reads the whole body, failing as soon as it is known to be longer than `limit` bytes
/// (from `Content-Length`, or while reading a body without one).
pub(crate) async fn read_limited(mut response: Response, limit: u64) -> Result<Bytes, ReadError> {
    if response.content_length().is_some_and(|length| length > limit) {
        return Err(ReadError::TooLarge);
    }
    // A body that arrives in one chunk (most JSON answers) is returned as it is, not copied.
    let Some(first) = response.chunk().await.map_err(ReadError::Transport)? else {
        return Ok(Bytes::new());
    };
    if first.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(ReadError::Transport)? else {
        return Ok(first);
    };
    let mut body = BytesMut::from(&first[..]);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(ReadError::Transport)?;
    }
    Ok(body.freeze())
}

/// Reads at most `limit` bytes of the body and drops the rest; what was read before a
/// connection failure is kept. For error responses, of which only a snippet is shown.
pub(crate) async fn read_prefix(mut response: Response, limit: usize) -> Bytes {
    let mut body = BytesMut::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = limit - body.len();
        if chunk.len() >= room {
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    body.freeze()
}
