//! An archive as a list of segments that can be read at any offset without materializing it:
//! small in-memory byte runs (headers, small files) and long runs of a repeating filler block.

/// One run of bytes of an archive.
pub(crate) enum Segment {
    /// Bytes held in memory.
    Bytes(Vec<u8>),
    /// `len` bytes of the layout's filler block, repeated from its start.
    Filler {
        /// Length in bytes.
        len: u64,
    },
}

impl Segment {
    fn len(&self) -> u64 {
        match self {
            Segment::Bytes(bytes) => bytes.len() as u64,
            Segment::Filler { len } => *len,
        }
    }
}

/// The bytes of an archive, readable at any offset in O(log segments).
pub(crate) struct Layout {
    segments: Vec<Segment>,
    /// The offset where each segment starts.
    starts: Vec<u64>,
    block: Box<[u8]>,
    len: u64,
}

impl Layout {
    /// A layout of `segments`; `block` must not be empty if a filler segment is not.
    pub fn new(segments: Vec<Segment>, block: Box<[u8]>) -> Self {
        let mut starts = Vec::with_capacity(segments.len());
        let mut len = 0u64;
        for segment in &segments {
            starts.push(len);
            len += segment.len();
        }
        Self {
            segments,
            starts,
            block,
            len,
        }
    }

    /// The archive's size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Fills `buf` with the bytes from `offset`, and returns how many were written (fewer than
    /// `buf.len()` only at the end of the archive).
    pub fn read_at(&self, mut offset: u64, buf: &mut [u8]) -> usize {
        let mut written = 0;
        // The segment that holds `offset`: the last one starting at or before it.
        let mut index = self.starts.partition_point(|start| *start <= offset).saturating_sub(1);
        while written < buf.len() && offset < self.len {
            let Some(segment) = self.segments.get(index) else { break };
            let within = offset - self.starts[index];
            let remaining = segment.len() - within;
            let want = remaining.min((buf.len() - written) as u64) as usize;
            let out = &mut buf[written..written + want];
            match segment {
                Segment::Bytes(bytes) => out.copy_from_slice(&bytes[within as usize..within as usize + want]),
                Segment::Filler { .. } => self.fill(within, out),
            }
            written += want;
            offset += want as u64;
            index += 1;
        }
        written
    }

    fn fill(&self, mut position: u64, out: &mut [u8]) {
        let block_len = self.block.len() as u64;
        let mut done = 0;
        while done < out.len() {
            let at = (position % block_len) as usize;
            let n = (self.block.len() - at).min(out.len() - done);
            out[done..done + n].copy_from_slice(&self.block[at..at + n]);
            done += n;
            position += n as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        let segments = vec![
            Segment::Bytes(b"head".to_vec()),
            Segment::Filler { len: 7 },
            Segment::Bytes(b"tail".to_vec()),
        ];
        Layout::new(segments, b"abc".to_vec().into_boxed_slice())
    }

    #[test]
    fn reads_any_range_across_segments() {
        let layout = layout();
        let whole = b"headabcabcatail";
        assert_eq!(layout.len(), whole.len() as u64);
        for start in 0..whole.len() {
            for end in start..=whole.len() + 2 {
                let mut buf = vec![0; end - start];
                let n = layout.read_at(start as u64, &mut buf);
                let expected = &whole[start..end.min(whole.len())];
                assert_eq!(&buf[..n], expected, "{start}..{end}");
            }
        }
    }

    #[test]
    fn reading_past_the_end_gives_nothing() {
        let mut buf = [0u8; 4];
        assert_eq!(layout().read_at(100, &mut buf), 0);
    }
}
