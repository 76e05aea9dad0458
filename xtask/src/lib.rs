//! The workspace's task runner (`cargo xtask ...`).
//!
//! - [`fetch`]: replace the committed Discovery document (from a URL or a file).
//! - [`generate`]: regenerate the committed client crate, or check that it is up to date.
//! - [`diff_cli`]: `cargo xtask diff` over the [`api_diff`] library (and [`changes`], the
//!   summary `fetch` prints); [`diff_history`] checks the reports of published revisions.

pub mod add;
pub mod api;
pub mod changes;
pub mod compare;
pub mod corpus;
pub mod diff_cli;
pub mod diff_history;
pub mod document;
pub mod fetch;
pub mod fuzz;
pub mod generate;
pub mod hostile;
pub mod import_cycles;
pub mod manifest;
pub mod nested_cargo;
pub mod normalize;
pub mod output_check;
pub mod render_diffs;
pub mod revision;
pub mod source;
pub mod workspace;
pub mod write;

#[cfg(test)]
mod test_support;

pub use codegen::GeneratedCrate;
pub use compare::{FileDiff, compare_dir};
pub use render_diffs::{DEFAULT_MAX_DIFF_LINES, FIX_COMMAND, render_diffs, stale_message};
pub use write::{WriteReport, write_dir};
