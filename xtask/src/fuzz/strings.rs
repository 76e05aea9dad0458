//! Strings an attacker would put in a Discovery document: line breaks and comment ends
//! that try to leave a header, TOML that adds a dependency, fences that make a doctest,
//! names that start outside ASCII or are keywords, and escapes of every context.

/// Hostile strings, used as values and as keys.
pub const HOSTILE: &[&str] = &[
    "evil:v1\n[target.'cfg(all())'.dependencies]\npwn = { path = \"/tmp/pwn\" }\n#",
    "x\n#![doc = include_str!(\"/etc/hostname\")] //",
    "x\r#![no_std]",
    "a\u{2028}b\u{2029}c\u{85}d",
    "\n```\nstd::fs::write(\"/tmp/pwned\", \"\").unwrap();\n```\n",
    "\n~~~\nstd::process::exit(1);\n~~~\n",
    "\n~~~rust\nfn main() {}\n~~~",
    "- item\n\n      std::process::exit(1);",
    "> ```rust\n> std::process::exit(1);\n> ```",
    "1. ```\n   panic!()\n   ```",
    "\n\n    indented();\n",
    "```",
    "~~~",
    "`",
    "``x``",
    "\"",
    "\\",
    "\"; pwn(); \"",
    "*/ fn pwn() {} /*",
    "-->",
    "<script>",
    "[x](javascript:alert(1))",
    "\u{0}",
    "\u{1b}[2J",
    "\u{7f}",
    "\u{202e}txt.exe",
    "éfn",
    "éfoo",
    "Ḟoo",
    "日本語",
    "fn",
    "self",
    "Self",
    "crate",
    "super",
    "type",
    "_",
    "__",
    "1",
    "",
    " ",
    "$ref",
    "foo-bar",
    "FOO_BAR",
    "fooBar",
    "Unknown",
    "Client",
    "Option",
    "String",
    "send",
    "new",
    "{+name}",
    "v1/{name}:x",
    "../../etc/passwd",
    "https://evil.example/",
    "http://127.0.0.1:1/steal",
];

/// Names that pass the document checks, so that generation goes further.
pub const PLAIN_NAMES: &[&str] = &[
    "foo",
    "bar",
    "fooBar",
    "foo_bar",
    "Foo",
    "FOO",
    "type",
    "self",
    "fn",
    "get",
    "list",
    "name",
    "id",
    "items",
    "kind",
    "value",
    "send",
    "new",
    "call",
    "client",
    "request",
    "pageToken",
    "nextPageToken",
    "a",
    "b",
    "x1",
    "well-known",
    "Patient-everything",
    "Unknown",
];

/// A random string: hostile, plain, or a random mix of characters.
pub fn any(rng: &mut fastrand::Rng) -> String {
    match rng.u8(0..10) {
        0..=3 => HOSTILE[rng.usize(0..HOSTILE.len())].to_owned(),
        4..=7 => PLAIN_NAMES[rng.usize(0..PLAIN_NAMES.len())].to_owned(),
        _ => random_chars(rng),
    }
}

/// A few random characters from an alphabet rich in syntax.
pub fn random_chars(rng: &mut fastrand::Rng) -> String {
    const ALPHABET: &[char] = &[
        'a', 'Z', '0', '_', '-', '.', '/', '{', '}', '+', '*', '`', '~', '#', '!', '[', ']', '(', ')', '"', '\'', '\\',
        '\n', '\r', '\t', ' ', '<', '>', '$', ':', '=', 'é', 'Ḟ', '\u{2028}', '\u{0}', '日', '🦀',
    ];
    let len = rng.usize(0..12);
    (0..len).map(|_| ALPHABET[rng.usize(0..ALPHABET.len())]).collect()
}
