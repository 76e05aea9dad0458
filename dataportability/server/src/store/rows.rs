//! Rows to the store's types, for both databases: the tables have the same columns with the
//! same meaning on SQLite and PostgreSQL (the two migrations are kept in step), and each
//! column is text, a 64-bit integer or bytes on both.

use sqlx::{ColumnIndex, Decode, Row, Type};

use super::{Archive, Connection, ConnectionStatus, Event, Item, Status};
use crate::crypto::Sealed;

/// A row of either database, read by column name.
pub(super) trait Columns {
    /// A text column.
    fn text(&self, column: &'static str) -> String;
    /// A text column that may be NULL.
    fn maybe(&self, column: &'static str) -> Option<String>;
    /// An integer column.
    fn int(&self, column: &'static str) -> i64;
    /// An integer column that may be NULL.
    fn maybe_int(&self, column: &'static str) -> Option<i64>;
    /// A bytes column.
    fn bytes(&self, column: &'static str) -> Vec<u8>;
}

impl<R> Columns for R
where
    R: Row,
    &'static str: ColumnIndex<R>,
    String: Type<R::Database> + for<'r> Decode<'r, R::Database>,
    i64: Type<R::Database> + for<'r> Decode<'r, R::Database>,
    Vec<u8>: Type<R::Database> + for<'r> Decode<'r, R::Database>,
{
    fn text(&self, column: &'static str) -> String {
        self.get(column)
    }

    fn maybe(&self, column: &'static str) -> Option<String> {
        self.get(column)
    }

    fn int(&self, column: &'static str) -> i64 {
        self.get(column)
    }

    fn maybe_int(&self, column: &'static str) -> Option<i64> {
        self.get(column)
    }

    fn bytes(&self, column: &'static str) -> Vec<u8> {
        self.get(column)
    }
}

/// A row of `items`.
pub(super) fn item(row: &impl Columns) -> Item {
    Item {
        connection_id: row.text("connection_id"),
        group: row.text("group_name"),
        granted: row.int("granted") != 0,
        status: Status::parse(&row.text("status")),
        round: row.int("round"),
        range_start: row.maybe("range_start"),
        job_id: row.maybe("job_id"),
        job_state: row.maybe("job_state"),
        access_type: row.maybe("access_type"),
        polls: row.int("polls"),
        attempts: row.int("attempts"),
        last_error: row.maybe("last_error"),
        last_export_time: row.maybe("last_export_time"),
        last_export_at: row.maybe("last_export_at"),
        next_allowed_at: row.maybe("next_allowed_at"),
        due_at: row.int("due_at"),
    }
}

/// A row of `connections`.
pub(super) fn connection(row: &impl Columns) -> Connection {
    Connection {
        id: row.text("id"),
        user_ref: row.text("user_ref"),
        groups: serde_json::from_str(&row.text("groups")).unwrap_or_default(),
        return_url: row.maybe("return_url"),
        status: ConnectionStatus::parse(&row.text("status")),
        access_type: row.maybe("access_type"),
        grant_end: row.maybe("grant_end"),
        created_at: row.text("created_at"),
    }
}

/// A row of `archives`.
pub(super) fn archive(row: &impl Columns) -> Archive {
    Archive {
        connection_id: row.text("connection_id"),
        group: row.text("group_name"),
        round: row.int("round"),
        object_key: row.text("object_key"),
        job_id: row.text("job_id"),
        size: row.int("size"),
        crc32c: row.text("crc32c"),
        md5: row.maybe("md5"),
        start_time: row.maybe("start_time"),
        export_time: row.maybe("export_time"),
        stored_at: row.text("stored_at"),
    }
}

/// A row of `events`.
pub(super) fn event(row: &impl Columns) -> Event {
    Event {
        seq: row.int("seq"),
        kind: row.text("kind"),
        connection_id: row.text("connection_id"),
        group: row.maybe("group_name"),
        data: serde_json::from_str(&row.text("data")).unwrap_or_default(),
        at: row.text("at"),
    }
}

/// A row of `grants`.
pub(super) fn sealed(row: &impl Columns) -> Sealed {
    Sealed {
        key_id: row.text("key_id"),
        nonce: row.bytes("nonce"),
        ciphertext: row.bytes("ciphertext"),
    }
}
