//! Document text to generated output: one function per output context. Every string that
//! comes from a Discovery document reaches a generated file through one of these, so that no
//! document text can become code (a TOML table, an attribute, a doctest, an item).
//!
//! | context                         | function                          |
//! | ------------------------------- | --------------------------------- |
//! | TOML basic string (`Cargo.toml`)| [`toml_string`]                   |
//! | TOML key (a feature name)       | [`toml_key`]                      |
//! | line comment (`//`, `#`, HTML)  | [`line_comment`]                  |
//! | doc text, several lines         | [`doc_text`]                      |
//! | doc text, one line              | [`doc_inline`], [`code_span`]     |
//! | Rust string literal             | [`string_literal`]                |
//! | Rust identifier                 | [`ident`]                         |

pub use super::docs::doc_inline;
use super::docs::{markdown_lines, one_line};
use crate::resolve::names::is_keyword;

/// A TOML basic string (with its quotes) on one line: quotes and backslashes escaped, control
/// characters and line separators replaced by spaces, so the value can never end the string
/// or the line (and never puts a NUL in the `CARGO_PKG_*` variables cargo sets from it).
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in one_line(text).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it is only ASCII letters, digits, `_` and `-` (a feature name made by
/// the resolve stage), otherwise a quoted key made by [`toml_string`].
pub fn toml_key(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        text.to_owned()
    } else {
        toml_string(text)
    }
}

/// Text for the body of a line comment (`// ...`, `# ...`, `<!-- ... -->`): one line, with
/// control characters and line separators replaced by spaces and `-->` broken up.
pub fn line_comment(text: &str) -> String {
    one_line(text).replace("-->", "- ->")
}

/// A description as doc-comment lines: safe Markdown in which every code block is a
/// ```` ```text ```` block (never a doctest), with no indented code, bare URLs or stray tags.
pub fn doc_text(text: &str) -> Vec<String> {
    markdown_lines(text)
}

/// A value as inline code (`` `value` ``) on one line: the delimiter is one backtick longer
/// than any run of backticks in the value, so the value cannot close the span.
pub fn code_span(text: &str) -> String {
    let value = one_line(text);
    let mut longest = 0;
    let mut run = 0;
    for c in value.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 && !value.is_empty() {
        return format!("`{value}`");
    }
    let fence = "`".repeat(longest + 1);
    // The spaces keep a value that starts or ends with a backtick apart from the fence.
    format!("{fence} {value} {fence}")
}

/// A Rust string literal holding `text` exactly: `"`, `\` and every character that
/// `char::escape_debug` escapes (control characters, line separators, unprintable ones) escaped, the rest as it is
/// (the escaping `proc_macro2::Literal::string` does, so the output did not change when the
/// generator stopped printing token streams).
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            // `\0` followed by an octal digit reads as an octal escape to clippy.
            '\0' if chars.as_str().starts_with(|next: char| next.is_digit(8)) => out.push_str("\\x00"),
            '\0' => out.push_str("\\0"),
            // `escape_debug` escapes it, which a string literal does not need.
            '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

/// A Rust identifier. Names from the IR are already valid identifiers that are not keywords
/// (the resolve stage makes them so); anything else is repaired here rather than panicking:
/// characters outside `[A-Za-z0-9_]` become `_`, a leading digit gets a `_`, a keyword a `_`.
pub fn ident(name: &str) -> String {
    let mut repaired: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if repaired.is_empty() || repaired.starts_with(|c: char| c.is_ascii_digit()) {
        repaired.insert(0, '_');
    }
    if repaired == "_" || is_keyword(&repaired) || matches!(repaired.as_str(), "Self" | "self" | "super" | "crate") {
        repaired.push('_');
    }
    repaired
}

/// [`ident`]`(name)`, without a copy when `name` needs no repair
/// (the names of the IR always do not).
pub fn ident_text(name: &str) -> std::borrow::Cow<'_, str> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name != "_"
        && !is_keyword(name)
        && !matches!(name, "Self" | "self" | "super" | "crate");
    if valid {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(ident(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_cannot_end_the_string_or_the_line() {
        assert_eq!(toml_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            toml_string("x\n[target.'cfg(all())'.dependencies]\r\u{7f}\u{0}"),
            r#""x [target.'cfg(all())'.dependencies]   ""#
        );
        assert_eq!(toml_string("a\u{2028}b"), r#""a b""#);
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(line_comment("evil:v1\n#![doc = x] //\r\n"), "evil:v1 #![doc = x] //  ");
        assert_eq!(line_comment("a --> b"), "a - -> b");
        assert_eq!(line_comment("a\u{2029}b"), "a b");
    }

    #[test]
    fn inline_docs_cannot_open_a_code_block() {
        // A closed run is a code span on one line; an unclosed one is escaped.
        assert_eq!(doc_inline("x\n```\nfn main() {}\n```"), "x ``` fn main() {} ```");
        assert_eq!(doc_inline("```\nfn main() {}"), r"\`\`\` fn main() {}");
        assert_eq!(doc_inline("~~~rust"), r"\~~~rust");
        assert_eq!(doc_inline("    indented"), "indented");
    }

    #[test]
    fn code_spans_cannot_be_closed_by_their_value() {
        assert_eq!(code_span("GET v1/{+name}"), "`GET v1/{+name}`");
        assert_eq!(code_span("a`b"), "`` a`b ``");
        assert_eq!(code_span("```\nfn x(){}"), "```` ``` fn x(){} ````");
        assert_eq!(code_span(""), "`  `");
    }

    #[test]
    fn identifiers_are_repaired_never_a_panic() {
        assert_eq!(ident("foo_bar"), "foo_bar");
        assert_eq!(ident("fn"), "fn_");
        assert_eq!(ident("é"), "__");
        assert_eq!(ident("1a"), "_1a");
        assert_eq!(ident(""), "__");
        assert_eq!(ident("Self"), "Self_");
        for name in ["foo_bar", "fn", "é", "1a", "", "Self", "_", "_x", "r#type"] {
            assert_eq!(ident_text(name), ident(name), "{name}");
        }
    }

    #[test]
    fn string_literals_escape_everything() {
        assert_eq!(string_literal("a\"\n\\"), r#""a\"\n\\""#);
        assert_eq!(
            string_literal("it's\u{0}7\u{0}x\t\u{2028}é"),
            r#""it's\x007\0x\t\u{2028}é""#
        );
    }
}
