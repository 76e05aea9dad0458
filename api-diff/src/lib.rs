//! What changed between two revisions of a Discovery document, and what that means for code
//! that uses the generated crate.
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
//! - [`unified`]: the unified-diff renderer shared with the snapshot check (xtask).
//! - Every public function fails with the typed [`Error`], which names the document.

pub mod change;
pub mod classify;
pub mod code_diff;
pub mod error;
pub mod kind;
pub mod load;
mod model_diff;
mod pairs;
mod param_diff;
pub mod report;
pub mod report_json;
pub mod report_markdown;
pub mod report_text;
pub mod resolved;
mod resource_diff;
mod schema_diff;
mod shape;
pub mod unified;

#[cfg(test)]
mod tests;

pub use change::{Change, Summary};
pub use error::{Error, Result};
pub use kind::{Impact, Kind};
pub use load::{Loaded, Side};
pub use model_diff::{diff, diff_resolved};
pub use report::Report;
