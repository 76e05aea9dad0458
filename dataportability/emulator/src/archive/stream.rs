//! An archive's bytes as an HTTP body stream, generated chunk by chunk.

use std::io;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures_util::Stream;

use super::Archive;

/// The size of one generated chunk.
const CHUNK: u64 = 64 * 1024;
/// How long a dropped download waits before failing, so the bytes before it reach the client.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

/// The bytes `range` of `archive` as a stream of chunks. With `drop_after`, the stream fails
/// after sending that many bytes, so the server aborts the connection mid-body (an injected
/// fault: the client sees fewer bytes than `Content-Length`).
pub(crate) fn body_stream(
    archive: Arc<Archive>,
    range: Range<u64>,
    drop_after: Option<u64>,
) -> impl Stream<Item = Result<Bytes, io::Error>> + Send + 'static {
    let end = drop_after.map_or(range.end, |n| range.end.min(range.start.saturating_add(n)));
    let failing = end < range.end;
    futures_util::stream::unfold((range.start, false), move |(position, done)| {
        let archive = Arc::clone(&archive);
        async move {
            if done {
                return None;
            }
            if position >= end {
                if !failing {
                    return None;
                }
                // Pause first, so the server flushes what was sent before the connection drops.
                tokio::time::sleep(FLUSH_PAUSE).await;
                let error = io::Error::new(io::ErrorKind::ConnectionAborted, "injected fault: download dropped");
                return Some((Err(error), (position, true)));
            }
            let len = CHUNK.min(end - position) as usize;
            let mut chunk = vec![0u8; len];
            let n = archive.read_at(position, &mut chunk);
            chunk.truncate(n);
            if n == 0 {
                return None;
            }
            Some((Ok(Bytes::from(chunk)), (position + n as u64, false)))
        }
    })
}
