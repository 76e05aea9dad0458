//! Stage 4: an emitted file to the file's text. The emitters write Rust as `rustfmt` would
//! format it; this stage puts the header line on top of every Rust file, and the attribute
//! that keeps `rustfmt` (whose settings in the workspace that holds a generated crate may
//! differ) from reformatting it.

use crate::emit::Output;

/// Tells `rustfmt` (and so `cargo fmt --all`) to leave a generated file as it was written;
/// `cfg(rustfmt)` is never set when compiling, so the compiler ignores it.
const RUSTFMT_SKIP: &str = "#![cfg_attr(rustfmt, rustfmt::skip)]";

/// The text of one output file: the one entry point of this stage, used by
/// [`crate::generate`] and the codegen benchmark alike.
pub fn format_output(output: Output, header: &str) -> String {
    match output {
        Output::Rust(text) => format!("// {header}\n{RUSTFMT_SKIP}\n\n{text}"),
        Output::Text(text) => text,
    }
}
