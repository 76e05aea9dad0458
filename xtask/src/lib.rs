//! The workspace's task runner (`cargo xtask ...`): a library with one module per command and
//! per piece of workspace knowledge, and a thin binary (`main.rs`, which also holds the
//! `bench`, `e2e` and `hostile-server` commands that only the binary runs).
//!
//! Commands:
//! - [`add`]: list another API in the manifest, write its document and generate its crate.
//! - [`fetch`]: replace a committed Discovery document (from its source URL, a URL or a file),
//!   printing [`changes`], the summary of what changed.
//! - [`generate`]: regenerate the committed crates, or check that they are up to date.
//! - [`diff_cli`]: `cargo xtask diff` over the [`api_diff`] library; [`diff_history`] checks
//!   the reports of published revisions against their snapshots.
//! - [`corpus`]: generate every document of a directory (twice, compared) and compile a sample.
//! - [`fuzz`]: the generator on mutated and random documents.
//! - [`hostile`]: the hostile-document suite.
//! - [`import_cycles`]: no two files of any workspace crate import from each other.
//!
//! What only the workspace knows:
//! - [`manifest`]: `discovery/manifest.json`, the crates the workspace generates; [`api`]
//!   reads and writes it in the workspace.
//! - [`compare`]: a generated crate in memory against its directory; [`render_diffs`](mod@render_diffs): those
//!   differences as unified diffs with the fix command (also the snapshot test's output);
//!   [`write`](mod@write): the directory brought in line, touching only what differs.
//! - [`workspace`]: the workspace root; [`nested_cargo`]: the `cargo` command for the builds
//!   xtask starts itself.
//!
//! Documents:
//! - [`source`]: where a document is read from (a file or a URL); [`document`]: checking it
//!   is the expected API's; [`normalize`]: the committed form (sorted keys); [`revision`]:
//!   revisions compared.
//! - [`output_check`]: a generated crate carries nothing from its document as code.

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
