//! Descriptions to doc comments that rustdoc and clippy accept: no broken intra-doc links,
//! no stray HTML tags, no bare URLs, and no code block that rustdoc would compile.

use crate::resolve::ir::Docs;

/// The doc comment lines of `docs`: the description made safe, then the notes.
pub fn doc_lines(docs: &Docs) -> Vec<String> {
    let mut lines = markdown_lines(&docs.description);
    let mut notes = Vec::new();
    if docs.deprecated {
        notes.push("**Deprecated.**".to_owned());
    }
    notes.extend(docs.notes.iter().map(|n| doc_inline(n)));
    if !notes.is_empty() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(notes.join(" "));
    }
    lines
}

/// A value that belongs on one line of prose (a title, a key, a path): line breaks removed,
/// Markdown escaped; it can start neither a code block nor a new paragraph.
pub fn doc_inline(text: &str) -> String {
    let line = one_line(text);
    let escaped = escape_prose(line.trim());
    // A line of prose must not open a fence, whatever follows it.
    match escaped.strip_prefix('~') {
        Some(rest) => format!("\\~{rest}"),
        None => escaped,
    }
}

/// `text` on one line: line breaks, other control characters and Unicode line and paragraph
/// separators become spaces.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() || is_line_separator(c) { ' ' } else { c })
        .collect()
}

fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Free text to safe Markdown lines. Every code block becomes a ```` ```text ```` block that
/// rustdoc never compiles: a fence of backticks or tildes, with or without a language, at the
/// top level or inside a list or block quote, is replaced by a top-level ```` ``` ```` fence;
/// prose loses its indentation and runs of spaces, so no indented code block remains.
pub fn markdown_lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in text.trim().lines() {
        // Control characters (a tab, a form feed) and Unicode line separators are spaces.
        let line: String = raw
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let line = line.trim_end();
        if is_fence(line) {
            out.push(if in_fence { "```" } else { "```text" }.to_owned());
            in_fence = !in_fence;
        } else if in_fence {
            out.push(line.to_owned());
        } else {
            // Leading indentation (also after a list marker or `>`) would make an indented
            // code block, which rustdoc compiles: prose keeps single spaces only.
            let words: Vec<&str> = line.split_whitespace().collect();
            out.push(escape_prose(&words.join(" ")));
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    // Collapse runs of blank lines.
    out.dedup_by(|a, b| a.is_empty() && b.is_empty());
    out
}

/// Whether a line opens or closes a fenced code block: after any block quote markers, list
/// markers and spaces, three backticks or three tildes.
fn is_fence(line: &str) -> bool {
    let mut rest = line.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix('>') {
            rest = after.trim_start();
            continue;
        }
        if let Some(after) = rest.strip_prefix(['-', '*', '+'])
            && (after.is_empty() || after.starts_with(char::is_whitespace))
        {
            rest = after.trim_start();
            continue;
        }
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if (1..=9).contains(&digits)
            && let Some(after) = rest[digits..].strip_prefix(['.', ')'])
            && (after.is_empty() || after.starts_with(char::is_whitespace))
        {
            rest = after.trim_start();
            continue;
        }
        break;
    }
    rest.starts_with("```") || rest.starts_with("~~~")
}

/// Escapes one line of prose so that rustdoc reads it as text: code spans (which are literal
/// in Markdown) are kept, as are `[text](https://...)` links and `<https://...>` autolinks;
/// every other `[`, `]` and `<` is escaped (no intra-doc link, reference definition, footnote,
/// raw HTML or other autolink can start), bare URLs become autolinks, a `!` before a kept link
/// is escaped (no image), and every backslash is doubled, so a backslash in the document cannot
/// escape the backtick this scanner takes for the start of a code span (in Markdown `` \` `` is a
/// literal backtick: `` \`<img onerror=..>` `` would otherwise reach rustdoc as a live tag).
///
/// The rules are CommonMark's (<https://spec.commonmark.org/0.31.2/#code-spans>: a span closes at
/// a backtick run of exactly the opening's length; a run with no closer is literal text).
pub fn escape_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            let run = backtick_run(rest);
            if let Some(end) = closing_run(&rest[run..], run) {
                let span_end = run + end + run;
                out.push_str(&rest[..span_end]);
                rest = &rest[span_end..];
            } else {
                out.push_str(&"\\`".repeat(run));
                rest = &rest[run..];
            }
            continue;
        }
        let kept = match c {
            '[' => markdown_link_len(rest),
            // An autolink the author wrote: `<https://...>`.
            '<' => url_len(&rest[1..])
                .filter(|&n| rest[1 + n..].starts_with('>'))
                .map(|n| n + 2),
            _ => None,
        };
        if let Some(len) = kept {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if let Some(url_len) = url_len(rest) {
            out.push('<');
            out.push_str(&rest[..url_len]);
            out.push('>');
            rest = &rest[url_len..];
            continue;
        }
        match c {
            '[' | ']' | '<' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '!' if rest[1..].starts_with('[') => out.push_str("\\!"),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of the run of backticks starting `text`.
fn backtick_run(text: &str) -> usize {
    text.len() - text.trim_start_matches('`').len()
}

/// Where in `text` a run of exactly `len` backticks starts (a longer or shorter run does not
/// close a code span).
fn closing_run(text: &str, len: usize) -> Option<usize> {
    let mut offset = 0;
    while let Some(start) = text[offset..].find('`') {
        let at = offset + start;
        let run = backtick_run(&text[at..]);
        if run == len {
            return Some(at);
        }
        offset = at + run;
    }
    None
}

/// The length of a URL starting `text`, without trailing punctuation.
fn url_len(text: &str) -> Option<usize> {
    if !(text.starts_with("http://") || text.starts_with("https://")) {
        return None;
    }
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
        .unwrap_or(text.len());
    let url = text[..end].trim_end_matches(['.', ',', ';', ':', ')', '\'', ']', '!', '?']);
    if url.contains('\\') {
        return None;
    }
    let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
    (url.len() > scheme_len).then_some(url.len())
}

/// The length of a Markdown link `[text](http...)` starting `text`.
fn markdown_link_len(text: &str) -> Option<usize> {
    let close = text.find(']')?;
    let label = &text[1..close];
    if label.is_empty() || label.contains(['[', '`', '<', '\\', '!']) {
        return None;
    }
    let after = &text[close + 1..];
    let target = after.strip_prefix('(')?;
    let end = target.find(')')?;
    let url = &target[..end];
    let is_url = url.starts_with("https://") || url.starts_with("http://");
    let plain = !url.contains(|c: char| c.is_whitespace() || matches!(c, '\\' | '<' | '>' | '`' | '"' | '\'' | '('));
    (is_url && plain).then_some(close + 1 + 1 + end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_rustdoc_would_misread() {
        assert_eq!(escape_prose("a [b] <c> d_e"), r"a \[b\] \<c> d_e");
        assert_eq!(escape_prose("see https://x.com/a_b."), "see <https://x.com/a_b>.");
        assert_eq!(
            escape_prose("a [link](https://x.com/y) b"),
            "a [link](https://x.com/y) b"
        );
        assert_eq!(escape_prose("code `a[0] <b>` ok"), "code `a[0] <b>` ok");
        assert_eq!(escape_prose("odd ` tick"), r"odd \` tick");
        assert_eq!(escape_prose("a\\b"), r"a\\b");
        assert_eq!(
            escape_prose("see <https://x.com/a> or <b>"),
            r"see <https://x.com/a> or \<b>"
        );
    }

    /// A backslash before a backtick, a code span closed by a longer run, an image, reference
    /// definitions and autolinks of other schemes: all text.
    #[test]
    fn no_html_or_link_survives() {
        assert_eq!(
            escape_prose(r"Evil \`<img src=x onerror=alert(1)>` API"),
            r"Evil \\`<img src=x onerror=alert(1)>` API"
        );
        assert_eq!(escape_prose(r"\`[std::process::exit]`"), r"\\`[std::process::exit]`");
        assert_eq!(escape_prose("`a``<b>"), r"\`a\`\`\<b>");
        assert_eq!(escape_prose("``a`b``"), "``a`b``");
        assert_eq!(escape_prose("![x](https://e.com/p.png)"), r"\![x](https://e.com/p.png)");
        assert_eq!(escape_prose("[x]: std::process::exit"), r"\[x\]: std::process::exit");
        assert_eq!(
            escape_prose("<javascript:alert(1)> <a@b.c>"),
            r"\<javascript:alert(1)> \<a@b.c>"
        );
        assert_eq!(escape_prose(r"[a\](https://x.com)"), r"\[a\\\](<https://x.com>)");
        assert_eq!(
            escape_prose("[a](https://x.com/`<b>`)"),
            r"\[a\](<https://x.com/>`<b>`)"
        );
    }

    #[test]
    fn code_blocks_are_never_compiled() {
        let lines = markdown_lines("Example:\n```\nfn x() {}\n```\n    indented\n");
        assert_eq!(lines, ["Example:", "```text", "fn x() {}", "```", "indented"]);
        assert_eq!(markdown_lines("```json\n{}"), ["```text", "{}", "```"]);
    }

    #[test]
    fn every_fence_form_becomes_a_text_block() {
        for fence in ["```", "~~~", "````rust", "~~~ rust,should_panic", "```{.rust}"] {
            for container in ["", "> ", "- ", "* ", "1. ", "> - ", "  2) ", ">>"] {
                let text = format!(
                    "Before.\n{container}{fence}\n{container}std::process::exit(1);\n{container}{fence}\nAfter."
                );
                let lines = markdown_lines(&text);
                assert_eq!(lines[1], "```text", "{text:?} gave {lines:?}");
                assert_eq!(lines[3], "```", "{text:?} gave {lines:?}");
                assert_eq!(lines[4], "After.");
            }
        }
        // An unclosed fence is closed; a tilde fence inside a backtick block closes it too.
        assert_eq!(markdown_lines("~~~\ncode"), ["```text", "code", "```"]);
        assert_eq!(markdown_lines("```\na\n~~~\nb"), ["```text", "a", "```", "b"]);
    }

    #[test]
    fn indented_code_in_lists_and_quotes_is_flattened() {
        assert_eq!(
            markdown_lines("-     code()\n>     more()\n\t\tx()"),
            ["- code()", "> more()", "x()"]
        );
        assert_eq!(markdown_lines("a\rb\r\nc"), ["a", "b", "c"]);
        assert_eq!(markdown_lines("a\u{2028}b\u{c}c"), ["a b c"]);
    }
}
