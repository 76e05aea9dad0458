//! Stage 4: token streams to formatted source text with `prettyplease`.

use proc_macro2::TokenStream;

use crate::Error;

/// The placeholder type name in an [`impl_macro`] template.
const PLACEHOLDER: &str = "__Builder";

/// The attribute the emitters put on an enum that becomes an `open_enum!` invocation.
pub const OPEN_ENUM_MARKER: &str = "__open_enum";

/// The invocation that replaces the marker.
const OPEN_ENUM_MACRO: &str = "::discovery_runtime::open_enum! {";

/// Tells `rustfmt` (and so `cargo fmt --all`) to leave a generated file as prettyplease wrote it;
/// `cfg(rustfmt)` is never set when compiling, so the compiler ignores it.
const RUSTFMT_SKIP: &str = "#![cfg_attr(rustfmt, rustfmt::skip)]";

/// Formats one Rust file, prefixed by a `// header` line and a `rustfmt` skip attribute.
pub fn format_rust(path: &str, tokens: TokenStream, header: &str) -> Result<String, Error> {
    let file = parse_file(path, tokens)?;
    Ok(format!(
        "// {header}\n{RUSTFMT_SKIP}\n\n{}",
        space_items(&wrap_open_enums(&prettyplease::unparse(&file)))
    ))
}

/// Wraps each enum marked with [`OPEN_ENUM_MARKER`] (formatted as an ordinary enum, whose
/// variants have string discriminants) in an invocation of the runtime's `open_enum!`.
fn wrap_open_enums(text: &str) -> String {
    let marker = format!("#[{OPEN_ENUM_MARKER}]");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut closing: Option<String> = None;
    for line in text.lines() {
        if line.trim_start() == marker {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}{OPEN_ENUM_MACRO}\n"));
            closing = Some(format!("{indent}}}"));
            continue;
        }
        match &closing {
            Some(end) => {
                if !line.is_empty() {
                    out.push_str("    ");
                }
                out.push_str(line);
                out.push('\n');
                if line == end {
                    out.push_str(end);
                    out.push('\n');
                    closing = None;
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A `macro_rules!` that implements `template` (an `impl __Builder { .. }` block) for each
/// type it is given. prettyplease leaves macro bodies unformatted, so the template is
/// formatted as ordinary code first and placed in the macro afterwards.
pub fn impl_macro(path: &str, name: &str, docs: &str, template: TokenStream) -> Result<String, Error> {
    let file = parse_file(path, template)?;
    let body = space_items(&prettyplease::unparse(&file));
    // Unused when every resource's feature is off.
    let mut out = format!(
        "/// {docs}\n#[allow(unused_macros)]\nmacro_rules! {name} {{\n    ($($builder:ident),* $(,)?) => {{$(\n"
    );
    for line in body.trim_end().lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("        ");
            out.push_str(&line.replace(PLACEHOLDER, "$builder"));
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "    )*}};\n}}\n\n#[allow(unused_imports)]\npub(crate) use {name};\n"
    ));
    Ok(out)
}

fn parse_file(path: &str, tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2(tokens).map_err(|e| Error::Internal {
        message: format!("generated {path} is not valid Rust: {e}"),
    })
}

/// Puts a blank line between consecutive items at the same depth, and after inner docs, so
/// that the output reads like hand-formatted code.
fn space_items(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        if lines.get(i + 1).is_some_and(|next| needs_blank_line(line, next)) {
            out.push('\n');
        }
    }
    out
}

fn needs_blank_line(line: &str, next: &str) -> bool {
    let indent = |s: &str| s.len() - s.trim_start().len();
    let (current, following) = (line.trim_start(), next.trim_start());
    if current.starts_with("//!") {
        return !following.starts_with("//!");
    }
    if !starts_item(following) || indent(next) > indent(line) {
        return false;
    }
    let ends_block = indent(line) == indent(next) && matches!(current, "}" | "};" | ");");
    // An item that ends with `;`: a one-line item, or the last line of a multi-line one
    // whose continuation is indented (`static API: ApiInfo = ...\n    .with(..);`).
    let ends_with_semicolon = current.ends_with(';')
        && !current.starts_with("//")
        && (starts_item(current) || indent(next) < indent(line) || indent(line) == 0);
    let declaration = |s: &str| {
        let s = s
            .strip_prefix("pub ")
            .or_else(|| s.strip_prefix("pub(crate) "))
            .unwrap_or(s);
        s.starts_with("mod ") || s.starts_with("use ")
    };
    ends_block || (ends_with_semicolon && !(declaration(current) && declaration(following)))
}

fn starts_item(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "///",
        "#[",
        "pub ",
        "pub(",
        "impl",
        "const ",
        "static ",
        "fn ",
        "async fn ",
        "mod ",
        "use ",
        "macro_rules!",
        "type ",
        "enum ",
        "struct ",
        "crate::",
        OPEN_ENUM_MACRO,
    ];
    STARTS.iter().any(|s| line.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_items_but_not_declarations() {
        let doc = "/// Ends with a semicolon;\npub fn f() {}\n";
        assert_eq!(space_items(doc), doc);
        let text = "//! Docs.\nmod a;\nmod b;\npub const X: u8 = 1;\n/// Y.\nstruct Y {}\nimpl Y {\n    fn a() {}\n    fn b() {}\n}\n";
        let expected = "//! Docs.\n\nmod a;\nmod b;\n\npub const X: u8 = 1;\n\n/// Y.\nstruct Y {}\nimpl Y {\n    fn a() {}\n    fn b() {}\n}\n";
        assert_eq!(space_items(text), expected);
    }
}
