//! The ZIP format, written as a [`Layout`]: entries are stored (no compression), so every
//! header can be written before the data is generated, and ZIP64 records are used when the
//! archive reaches 4 GiB.

use super::layout::{Layout, Segment};

/// A fixed modification time for every entry, so archives are byte-for-byte deterministic:
/// 2020-01-01 00:00:00 in MS-DOS format.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = ((2020 - 1980) << 9) | (1 << 5) | 1;
/// General purpose flags: bit 11, names are UTF-8.
const FLAGS: u16 = 0x0800;
/// Regular file, mode 0644, in the high half of the external attributes ("made by" Unix).
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
const LOCAL_HEADER: u64 = 30;
const CENTRAL_HEADER: u64 = 46;
const END_OF_CENTRAL_DIRECTORY: u64 = 22;
const ZIP64_LOCAL_EXTRA: u64 = 4 + 16;
const ZIP64_CENTRAL_EXTRA: u64 = 4 + 24;
const ZIP64_END: u64 = 56 + 20;

/// The data of one entry.
pub(crate) enum Data {
    /// Small content, held in memory.
    Bytes(Vec<u8>),
    /// `len` bytes of the layout's repeating filler block, whose CRC-32 the caller computed.
    Filler {
        /// Length in bytes.
        len: u64,
        /// CRC-32 (ZIP's checksum) of the data.
        crc32: u32,
    },
}

impl Data {
    fn len(&self) -> u64 {
        match self {
            Data::Bytes(bytes) => bytes.len() as u64,
            Data::Filler { len, .. } => *len,
        }
    }

    fn crc32(&self) -> u32 {
        match self {
            Data::Bytes(bytes) => crc32fast::hash(bytes),
            Data::Filler { crc32, .. } => *crc32,
        }
    }
}

/// One file of the archive.
pub(crate) struct Entry {
    /// The path inside the archive.
    pub name: String,
    /// The content.
    pub data: Data,
}

/// The archive's size without the entries' data: headers, central directory and end records.
pub(crate) fn overhead(names: &[&str], zip64: bool) -> u64 {
    let per_entry = LOCAL_HEADER
        + CENTRAL_HEADER
        + if zip64 {
            ZIP64_LOCAL_EXTRA + ZIP64_CENTRAL_EXTRA
        } else {
            0
        };
    // Each name is written twice: in the local header and in the central directory.
    let name_bytes: u64 = names.iter().map(|n| 2 * n.len() as u64).sum();
    name_bytes + per_entry * names.len() as u64 + END_OF_CENTRAL_DIRECTORY + if zip64 { ZIP64_END } else { 0 }
}

/// Whether an archive of `total` bytes needs ZIP64 records (some size or offset ≥ 4 GiB − 1).
pub(crate) fn needs_zip64(total: u64) -> bool {
    total >= u64::from(u32::MAX)
}

/// Lays out a ZIP archive of `entries`; `block` is the filler block of [`Data::Filler`] entries.
pub(crate) fn write(entries: Vec<Entry>, block: Box<[u8]>) -> Layout {
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    let data_len: u64 = entries.iter().map(|e| e.data.len()).sum();
    let zip64 = needs_zip64(overhead(&names, false) + data_len);
    let version: u16 = if zip64 { 45 } else { 20 };

    let mut segments = Vec::new();
    let mut central = Vec::new();
    let mut offset = 0u64;
    for entry in &entries {
        let len = entry.data.len();
        let crc = entry.data.crc32();
        let name = entry.name.as_bytes();
        let mut local = Vec::with_capacity(LOCAL_HEADER as usize + name.len() + 20);
        put32(&mut local, 0x0403_4b50);
        put16(&mut local, version);
        put16(&mut local, FLAGS);
        put16(&mut local, 0); // stored
        put16(&mut local, DOS_TIME);
        put16(&mut local, DOS_DATE);
        put32(&mut local, crc);
        put32(&mut local, if zip64 { u32::MAX } else { small(len) });
        put32(&mut local, if zip64 { u32::MAX } else { small(len) });
        put16(&mut local, name_len(name));
        put16(&mut local, if zip64 { ZIP64_LOCAL_EXTRA as u16 } else { 0 });
        local.extend_from_slice(name);
        if zip64 {
            put16(&mut local, 0x0001);
            put16(&mut local, 16);
            put64(&mut local, len);
            put64(&mut local, len);
        }

        put32(&mut central, 0x0201_4b50);
        put16(&mut central, 0x0300 | version); // made by Unix
        put16(&mut central, version);
        put16(&mut central, FLAGS);
        put16(&mut central, 0);
        put16(&mut central, DOS_TIME);
        put16(&mut central, DOS_DATE);
        put32(&mut central, crc);
        put32(&mut central, if zip64 { u32::MAX } else { small(len) });
        put32(&mut central, if zip64 { u32::MAX } else { small(len) });
        put16(&mut central, name_len(name));
        put16(&mut central, if zip64 { ZIP64_CENTRAL_EXTRA as u16 } else { 0 });
        put16(&mut central, 0); // comment
        put16(&mut central, 0); // disk
        put16(&mut central, 0); // internal attributes
        put32(&mut central, EXTERNAL_ATTRIBUTES);
        put32(&mut central, if zip64 { u32::MAX } else { small(offset) });
        central.extend_from_slice(name);
        if zip64 {
            put16(&mut central, 0x0001);
            put16(&mut central, 24);
            put64(&mut central, len);
            put64(&mut central, len);
            put64(&mut central, offset);
        }

        offset += local.len() as u64 + len;
        match &entry.data {
            Data::Bytes(bytes) => {
                local.extend_from_slice(bytes);
                segments.push(Segment::Bytes(local));
            }
            Data::Filler { len, .. } => {
                segments.push(Segment::Bytes(local));
                segments.push(Segment::Filler { len: *len });
            }
        }
    }

    let count = entries.len() as u64;
    let central_offset = offset;
    let central_size = central.len() as u64;
    let mut end = central;
    if zip64 {
        let zip64_end_offset = central_offset + central_size;
        put32(&mut end, 0x0606_4b50);
        put64(&mut end, 44);
        put16(&mut end, 0x0300 | version);
        put16(&mut end, version);
        put32(&mut end, 0);
        put32(&mut end, 0);
        put64(&mut end, count);
        put64(&mut end, count);
        put64(&mut end, central_size);
        put64(&mut end, central_offset);
        put32(&mut end, 0x0706_4b50);
        put32(&mut end, 0);
        put64(&mut end, zip64_end_offset);
        put32(&mut end, 1);
    }
    put32(&mut end, 0x0605_4b50);
    put16(&mut end, 0);
    put16(&mut end, 0);
    put16(&mut end, u16::try_from(count).unwrap_or(u16::MAX));
    put16(&mut end, u16::try_from(count).unwrap_or(u16::MAX));
    put32(&mut end, if zip64 { u32::MAX } else { small(central_size) });
    put32(&mut end, if zip64 { u32::MAX } else { small(central_offset) });
    put16(&mut end, 0);
    segments.push(Segment::Bytes(end));
    Layout::new(segments, block)
}

/// A value known to fit in 32 bits (the archive is not ZIP64).
fn small(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

fn name_len(name: &[u8]) -> u16 {
    u16::try_from(name.len()).unwrap_or(u16::MAX)
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_le_bytes());
}
