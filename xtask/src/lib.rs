//! The workspace's task runner (`cargo xtask ...`), as a library so that the workspace
//! tests can reuse its directory comparison.
//!
//! - [`fetch`]: replace the committed Discovery document (from a URL or a file).
//! - [`generate`]: regenerate the committed client crate, or check that it is up to date.
//! - [`diff`]: what changed between two revisions of a document, breaking or compatible for
//!   users of the generated crate (and [`changes`], the summary `fetch` prints).
//! - [`compare_dir`] and [`render_diffs`]: compare a generated crate held in memory with a
//!   directory, and show the differences as short unified diffs.

pub mod api;
pub mod changes;
pub mod compare;
pub mod corpus;
pub mod diff;
pub mod diff_text;
pub mod document;
pub mod fetch;
pub mod fuzz;
pub mod generate;
pub mod hostile;
pub mod normalize;
pub mod output_check;
pub mod revision;
pub mod source;
pub mod workspace;
pub mod write;

#[cfg(test)]
mod test_support;

pub use codegen::GeneratedCrate;
pub use compare::{FileDiff, compare_dir};
pub use diff_text::{DEFAULT_MAX_DIFF_LINES, FIX_COMMAND, render_diffs, stale_message};
pub use write::{WriteReport, write_dir};
