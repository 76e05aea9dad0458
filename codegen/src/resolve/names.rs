//! Rust names from Discovery names: case conversion, keyword escapes, collisions.

use std::collections::BTreeSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, all editions), which cannot name a field, module or function.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `name` is a Rust keyword (strict or reserved, any edition).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// A `snake_case` identifier for a field, parameter, function or module: keywords get a
/// trailing `_` (`type` → `type_`), a leading digit a leading `_`.
pub fn snake(raw: &str) -> String {
    let mut name = raw.to_snake_case();
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() {
        name.push_str("value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) || name == "_" {
        name.push('_');
    }
    name
}

/// An `UpperCamelCase` identifier for a type or variant: a leading digit gets a `V` prefix
/// (`1` → `V1`), and `Self` becomes `Self_`. Letters outside ASCII are dropped, and the first
/// letter of what remains is upper case (`éfoo` → `Foo`, `Ḟoo` → `Oo`), so the name is never
/// a keyword or a lower-case type.
pub fn camel(raw: &str) -> String {
    let mut name = raw.to_upper_camel_case();
    name.retain(|c| c.is_ascii_alphanumeric());
    if name.is_empty() {
        name.push_str("Value");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if let Some(first) = name.get(..1) {
        name.replace_range(..1, &first.to_ascii_uppercase());
    }
    if name == "Self" {
        name.push('_');
    }
    name
}

/// A `SHOUTY_SNAKE_CASE` identifier for a constant.
pub fn shouty(raw: &str) -> String {
    let mut name = raw.to_shouty_snake_case();
    name.retain(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.chars().all(|c| c == '_') || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "M_");
    }
    name
}

/// The names taken in one namespace. Names are claimed in a stable order; a name already
/// taken gets a numeric suffix.
#[derive(Debug, Default)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Claims `wanted`, or `wanted` with the first free suffix. `separator` goes between the
    /// name and the number (`_` for snake case, empty for camel case).
    pub fn claim(&mut self, wanted: String, separator: &str) -> String {
        self.claim_or(wanted, None, separator)
    }

    /// Claims `wanted`; if taken, `wanted` + `alternate` (e.g. `_param`); then numbered names.
    pub fn claim_or(&mut self, wanted: String, alternate: Option<&str>, separator: &str) -> String {
        if self.taken.insert(wanted.clone()) {
            return wanted;
        }
        if let Some(suffix) = alternate {
            let candidate = format!("{}{suffix}", wanted.trim_end_matches('_'));
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        let base = wanted.trim_end_matches('_');
        (2..)
            .map(|n| format!("{base}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or(wanted)
    }
}

/// Claims names for `items` (their original names) in `namespace`. On a collision the most
/// natural original wins: one that is already the converted name, then a keyword that only
/// gained a `_`, then a plain identifier in another case, then anything else (`@type`,
/// `foo-bar`); so adding a colliding item later does not rename one that had the natural name.
pub fn claim_all(
    namespace: &mut Namespace,
    originals: &[&str],
    convert: fn(&str) -> String,
    separator: &str,
) -> Vec<String> {
    claim_all_or(namespace, originals, convert, None, separator)
}

/// [`claim_all`], with an `alternate` suffix tried before numbers.
pub fn claim_all_or(
    namespace: &mut Namespace,
    originals: &[&str],
    convert: fn(&str) -> String,
    alternate: Option<&str>,
    separator: &str,
) -> Vec<String> {
    let converted: Vec<String> = originals.iter().map(|original| convert(original)).collect();
    let naturalness = |original: &str, converted: &str| {
        if converted == original {
            0
        } else if converted.trim_end_matches('_') == original {
            1
        } else if original.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            2
        } else {
            3
        }
    };
    let mut order: Vec<usize> = (0..originals.len()).collect();
    order.sort_by_key(|&i| (naturalness(originals[i], &converted[i]), i));
    let mut names = vec![String::new(); originals.len()];
    for i in order {
        names[i] = namespace.claim_or(converted[i].clone(), alternate, separator);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_odd_names_become_identifiers() {
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("@type"), "type_");
        assert_eq!(snake("foo-bar.baz$"), "foo_bar_baz");
        assert_eq!(snake("1st"), "_1st");
        assert_eq!(snake("$.xgafv"), "xgafv");
        assert_eq!(snake("archiveJobs"), "archive_jobs");
        assert_eq!(camel("IN_PROGRESS"), "InProgress");
        assert_eq!(camel("1"), "V1");
        assert_eq!(camel("Self"), "Self_");
        assert_eq!(camel(""), "Value");
        assert_eq!(shouty("getPortabilityArchiveState"), "GET_PORTABILITY_ARCHIVE_STATE");
    }

    #[test]
    fn names_starting_outside_ascii_are_still_identifiers() {
        assert_eq!(camel("éfn"), "Fn");
        assert_eq!(camel("éfoo"), "Foo");
        assert_eq!(camel("Ḟoo"), "Oo");
        assert_eq!(camel("ébar_baz"), "BarBaz");
        assert_eq!(camel("日本"), "Value");
        assert_eq!(snake("éfn"), "fn_");
        assert_eq!(snake("Ḟoo"), "oo");
        assert_eq!(snake("éself"), "self_");
        assert_eq!(shouty("é"), "M_");
        let mut ns = Namespace::default();
        assert_eq!(
            claim_all(&mut ns, &["éfoo", "foo", "Foo"], camel, ""),
            ["Foo3", "Foo2", "Foo"]
        );
        let mut ns = Namespace::default();
        assert_eq!(claim_all(&mut ns, &["éfn", "fn"], snake, "_"), ["fn_2", "fn_"]);
    }

    #[test]
    fn every_name_is_an_identifier_whatever_it_starts_with() {
        let starts = ["é", "Ḟ", "日", "ß", "İ", "ﬀ", "\u{301}", "1", "_", "-", "$", "@", ""];
        let rests = [
            "fn", "self", "Self", "type", "foo", "FOO", "_", "", "1", "crate", "super",
        ];
        for start in starts {
            for rest in rests {
                let raw = format!("{start}{rest}");
                for name in [snake(&raw), camel(&raw), shouty(&raw)] {
                    let parsed = syn::parse_str::<syn::Ident>(&name);
                    assert!(parsed.is_ok(), "{raw:?} gave {name:?}, not an identifier");
                    assert!(!is_keyword(&name) && name != "_", "{raw:?} gave {name:?}");
                }
            }
        }
    }

    #[test]
    fn collisions_get_suffixes_and_exact_names_win() {
        let mut ns = Namespace::default();
        let names = claim_all(&mut ns, &["foo-bar", "fooBar", "foo_bar"], snake, "_");
        assert_eq!(names, ["foo_bar_3", "foo_bar_2", "foo_bar"]);
        let mut ns = Namespace::default();
        assert_eq!(claim_all(&mut ns, &["@type", "type"], snake, "_"), ["type_2", "type_"]);
        let mut ns = Namespace::with_reserved(&["send"]);
        assert_eq!(ns.claim("send".into(), "_"), "send_2");
        assert_eq!(ns.claim_or("send".into(), Some("_param"), "_"), "send_param");
    }
}
