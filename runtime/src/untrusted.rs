//! Text from a server, made safe to print: the one function every message that carries a
//! server's words (an error's message, a body snippet, a URL, a job id) goes through before it
//! reaches a terminal or a log.
//!
//! A server (or anything on the path to it) can put anything in a string: an escape sequence
//! that moves the cursor, retitles the window or rewrites what was printed before, a carriage
//! return that overwrites the line, a bidirectional override that shows text in another order
//! than it is, or a megabyte of text. [`printable`] escapes every control character, C1 code
//! and bidirectional formatting character as `\u{..}` (`\n`, `\r` and `\t` as themselves), and
//! cuts the text after a number of characters with a marker that says how much was left out.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The default cut of [`printable`] for a server's message in an error: long enough for any
/// real message, short enough that a hostile one stays one readable line.
pub const MESSAGE_CHARS: usize = 1024;

/// `text` with control, C1 and bidirectional formatting characters escaped, cut after
/// `max_chars` characters with a marker (`… (N more characters)`). Borrowed when nothing
/// needed to change.
///
/// ```
/// use discovery_runtime::untrusted::printable;
/// assert_eq!(printable("plain text", 100), "plain text");
/// assert_eq!(printable("\u{1b}]0;owned\u{7}red\r\n", 100), r"\u{1b}]0;owned\u{7}red\r\n");
/// assert_eq!(printable("abcdef", 3), "abc… (3 more characters)");
/// ```
pub fn printable(text: &str, max_chars: usize) -> Cow<'_, str> {
    let mut cut_at = None;
    let mut clean = true;
    for (kept, (index, c)) in text.char_indices().enumerate() {
        if kept == max_chars {
            cut_at = Some(index);
            break;
        }
        clean &= !needs_escape(c);
    }
    if clean && cut_at.is_none() {
        return Cow::Borrowed(text);
    }
    let shown = &text[..cut_at.unwrap_or(text.len())];
    let mut out = String::with_capacity(shown.len() + 32);
    for c in shown.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    if let Some(at) = cut_at {
        let rest = text[at..].chars().count();
        let _ = write!(out, "… ({rest} more characters)");
    }
    Cow::Owned(out)
}

/// Whether a character is escaped: C0 controls, DEL, C1 controls (`U+009B` starts an escape
/// sequence on some terminals), and the bidirectional formatting characters that reorder
/// what is shown (Unicode's "Trojan Source" set, with the marks).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_kind_of_control_and_keeps_other_text() {
        assert_eq!(printable("naïve café — ok", 100), "naïve café — ok");
        assert!(matches!(printable("ok", 2), Cow::Borrowed(_)));
        assert_eq!(printable("\u{1b}[2J\u{9b}31m\u{7f}", 100), r"\u{1b}[2J\u{9b}31m\u{7f}");
        assert_eq!(printable("a\u{202e}cba\u{2066}", 100), r"a\u{202e}cba\u{2066}");
        assert_eq!(printable("\0\t", 100), r"\u{0}\t");
    }

    #[test]
    fn cuts_long_text_with_a_marker_counted_in_characters() {
        let long = "é".repeat(5000);
        let shown = printable(&long, 10);
        assert_eq!(shown, format!("{}… (4990 more characters)", "é".repeat(10)));
        assert_eq!(printable("abc", 3), "abc");
        assert_eq!(printable("abc", 0), "… (3 more characters)");
    }
}
