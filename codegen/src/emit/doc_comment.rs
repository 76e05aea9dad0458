//! Doc comment lines as source text (`/// ...`, `//! ...`), with prose wrapped at [`WIDTH`] columns.

use crate::resolve::ir::Docs;

/// The column at which prose in doc comments is wrapped.
pub const WIDTH: usize = 100;

/// `docs` as `///` lines, each prefixed by `indent`, ending in a newline.
pub fn write_docs(out: &mut String, docs: &Docs, indent: &str) {
    write_lines(out, &super::docs::doc_lines(docs), indent);
}

/// Already safe Markdown `lines` as `///` lines at `indent`, prose wrapped at [`WIDTH`].
pub fn write_lines(out: &mut String, lines: &[String], indent: &str) {
    write_marked(out, lines, indent, "///");
}

/// Already safe Markdown `lines` as the `//!` docs of a module at the top of its file.
pub fn write_inner_lines(out: &mut String, lines: &[String]) {
    write_marked(out, lines, "", "//!");
}

fn write_marked(out: &mut String, lines: &[String], indent: &str, marker: &str) {
    let width = WIDTH.saturating_sub(indent.len() + marker.len() + 1).max(40);
    let mut in_fence = false;
    for line in lines {
        let fence = line.starts_with("```");
        if fence || in_fence || !wrappable(line) {
            push_line(out, indent, marker, line);
        } else {
            for piece in wrap(line, width) {
                push_line(out, indent, marker, piece);
            }
        }
        if fence {
            in_fence = !in_fence;
        }
    }
}

fn push_line(out: &mut String, indent: &str, marker: &str, line: &str) {
    out.push_str(indent);
    out.push_str(marker);
    if line.is_empty() {
        out.push('\n');
    } else {
        out.push(' ');
        out.push_str(line);
        out.push('\n');
    }
}

/// Whether a line of prose may be split: not a table row (`| a | b |`), which must stay on
/// one line.
fn wrappable(line: &str) -> bool {
    !line.starts_with('|')
}

/// Splits `line` at spaces into pieces of at most `width` characters where it can (a word
/// longer than `width` stays whole). A piece never starts with text Markdown would read as
/// the start of a block (a list marker, a heading, a quote, a fence, a table row, a link
/// reference or footnote definition, a thematic break), so the
/// wrapped lines render as the one line did.
fn wrap(line: &str, width: usize) -> Vec<&str> {
    if line.len() <= width || line.chars().count() <= width {
        return vec![line];
    }
    // Allowed breaks as (byte offset, characters before it), then the end of the line.
    let mut breaks = Vec::new();
    for (chars, (offset, c)) in line.char_indices().enumerate() {
        if c == ' ' && offset > 0 && may_start_line(&line[offset + 1..]) {
            breaks.push((offset, chars));
        }
    }
    breaks.push((line.len(), line.chars().count()));
    let mut pieces = Vec::new();
    // The piece being built starts at byte `start`, which is character `start_chars`.
    let (mut start, mut start_chars) = (0, 0);
    let mut previous: Option<(usize, usize)> = None;
    for &(at, at_chars) in &breaks {
        if at_chars - start_chars > width {
            if let Some((before, before_chars)) = previous.filter(|&(before, _)| before > start) {
                pieces.push(&line[start..before]);
                (start, start_chars) = (before + 1, before_chars + 1);
            }
            if at < line.len() && at_chars - start_chars > width {
                // One word longer than the width: a line of its own.
                pieces.push(&line[start..at]);
                (start, start_chars) = (at + 1, at_chars + 1);
                previous = None;
                continue;
            }
        }
        previous = Some((at, at_chars));
    }
    pieces.push(&line[start..]);
    pieces
}

/// Whether `rest` can begin a continuation line without starting a Markdown block.
fn may_start_line(rest: &str) -> bool {
    let word = rest.split(' ').next().unwrap_or_default();
    if word.is_empty() {
        return false;
    }
    let first = word.chars().next().unwrap_or(' ');
    // `[` would begin a link reference or footnote definition (`[x]: ...`, `[^1]: ...`), which
    // pulldown-cmark lets interrupt a paragraph; `_` a thematic break (`___`).
    if matches!(
        first,
        '-' | '*' | '+' | '#' | '>' | '|' | '=' | '`' | '~' | '<' | '[' | '_'
    ) {
        return false;
    }
    // An ordered list marker: digits then `.` or `)`.
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    !(digits > 0 && word[digits..].starts_with(['.', ')']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, indent: &str) -> String {
        let mut out = String::new();
        write_lines(&mut out, &[text.to_owned()], indent);
        out
    }

    #[test]
    fn wraps_prose_at_the_width_with_the_indent_counted() {
        let words = vec!["word"; 40].join(" ");
        let out = lines(&words, "    ");
        for line in out.lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
            assert!(line.starts_with("    /// word"), "{line}");
        }
        let joined: Vec<&str> = out.lines().map(|l| l.trim_start_matches("    /// ")).collect();
        assert_eq!(joined.join(" "), words);
    }

    #[test]
    fn never_starts_a_line_with_a_block_marker() {
        let text = format!(
            "{} - not a list, 1. not a list either, # no heading",
            vec!["a"; 45].join(" ")
        );
        for width in 10..60 {
            for piece in wrap(&text, width).iter().skip(1) {
                assert!(may_start_line(piece), "{width}: {piece:?}");
            }
            assert_eq!(wrap(&text, width).join(" "), text);
        }
    }

    #[test]
    fn never_starts_a_line_with_a_definition_or_a_break() {
        let text = format!(
            "`GET {} [x]: std::process::exit see [x] [^1]: note ___`",
            vec!["a"; 45].join(" ")
        );
        for width in 10..60 {
            for piece in wrap(&text, width).iter().skip(1) {
                assert!(!piece.starts_with(['[', '_']), "{width}: {piece:?}");
            }
            assert_eq!(wrap(&text, width).join(" "), text);
        }
    }

    #[test]
    fn keeps_long_words_tables_and_code_whole() {
        let url = format!("https://example.com/{}", "x".repeat(150));
        assert_eq!(wrap(&format!("see {url} now"), 50), vec!["see", url.as_str(), "now"]);
        let row = format!("| {} |", vec!["cell"; 40].join(" | "));
        assert_eq!(lines(&row, "").lines().count(), 1);
        let mut out = String::new();
        let code = vec!["x"; 80].join(" ");
        write_lines(&mut out, &["```text".into(), code.clone(), "```".into()], "");
        assert_eq!(out, format!("/// ```text\n/// {code}\n/// ```\n"));
        assert_eq!(lines("", "  "), "  ///\n");
    }
}
