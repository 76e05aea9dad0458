//! What changed between two revisions of a Discovery document, and what that means for code
//! that uses the generated crate; and how a generated crate differs from a directory.
//!
//! - [`diff`] compares two parsed documents and lists [`Change`]s, each located by a path
//!   (`schemas.PortabilityArchiveState.properties.state.enum`) and classified as breaking,
//!   compatible or description-only ([`classify`]). What each schema and parameter becomes in
//!   the generated crate (its Rust type, positional or setter, exposed or not) comes from
//!   codegen's resolved model ([`resolved`]), whose items keep their JSON paths; the document
//!   itself supplies the wording (`string (int64)`) and the facts that only reach doc comments.
//! - [`Report`] holds the changes of two labelled documents (and, with `--code`, the diff
//!   of the generated crates, [`code_diff`]); [`report_text`], [`report_markdown`] and
//!   [`report_json`] render it.
//! - [`compare`] and [`render_diffs()`]: compare a generated crate held in memory with a
//!   directory, and show the differences as short unified diffs.

pub mod change;
pub mod classify;
pub mod code_diff;
pub mod compare;
pub mod kind;
pub mod load;
mod model_diff;
mod pairs;
mod param_diff;
pub mod render_diffs;
pub mod report;
pub mod report_json;
pub mod report_markdown;
pub mod report_text;
pub mod resolved;
mod resource_diff;
mod schema_diff;
mod shape;

#[cfg(test)]
mod tests;

pub use change::{Change, Summary};
pub use compare::{FileDiff, compare_dir};
pub use kind::{Impact, Kind};
pub use load::{Loaded, Side};
pub use model_diff::{diff, diff_resolved};
pub use render_diffs::{DEFAULT_MAX_DIFF_LINES, FIX_COMMAND, render_diffs, stale_message};
pub use report::Report;
