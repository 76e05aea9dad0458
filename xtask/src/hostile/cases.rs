//! The payloads put in every position, and the named cases of the suite.

use std::path::Path;

use serde_json::{Value, json};

/// Where a payload goes in the string it replaces.
#[derive(Clone, Copy, Debug)]
pub enum Placement {
    /// After the original text (`hostile` → `hostile\n[target...]`).
    Append,
    /// Before it (`Thing` → `ḞThing`).
    Prepend,
    /// Instead of it.
    Replace,
}

/// One hostile payload.
#[derive(Clone, Debug)]
pub struct Payload {
    /// A short name, also part of the compiled crate's directory name.
    pub name: &'static str,
    pub text: String,
    pub placement: Placement,
    /// Whether no identity value or resource/method key can carry it (so those must be refused).
    pub breaks_shapes: bool,
}

impl Payload {
    /// `original` with the payload placed in it.
    pub fn place(&self, original: &str) -> String {
        match self.placement {
            Placement::Append => format!("{original}{}", self.text),
            Placement::Prepend => format!("{}{original}", self.text),
            Placement::Replace => self.text.clone(),
        }
    }
}

/// The payloads. Code in them writes a marker file in `markers`; the TOML payload adds a
/// dependency on the crate at `pwn`, whose build script writes one.
pub fn payloads(markers: &Path, pwn: &Path) -> Vec<Payload> {
    let write = |name: &str| {
        format!(
            "std::fs::write({:?}, \"\").unwrap();",
            markers.join(name).to_string_lossy()
        )
    };
    let payload = |name, text: String, placement| Payload {
        name,
        text,
        placement,
        breaks_shapes: true,
    };
    vec![
        payload(
            "toml",
            format!(
                "\n[target.'cfg(all())'.dependencies]\npwn = {{ path = {:?} }}\n[package.metadata.x]\n#\"",
                pwn.to_string_lossy()
            ),
            Placement::Append,
        ),
        payload(
            "inner-attribute",
            "\n#![doc = include_str!(\"/etc/hostname\")] //".to_owned(),
            Placement::Append,
        ),
        payload(
            "backtick-fence",
            format!("\n```\n{}\n```\n", write("doctest-backtick")),
            Placement::Append,
        ),
        payload(
            "tilde-fence",
            format!("\n~~~rust\n{}\n~~~\n", write("doctest-tilde")),
            Placement::Append,
        ),
        payload(
            "list-indented",
            format!("\n\n- item\n\n      {}\n", write("doctest-list")),
            Placement::Append,
        ),
        payload(
            "quote-fence",
            format!("\n> ```\n> {}\n> ```\n", write("doctest-quote")),
            Placement::Append,
        ),
        payload(
            "indented",
            format!("\n\n    {}\n", write("doctest-indented")),
            Placement::Append,
        ),
        payload(
            "literal-breaker",
            format!("\"; */ }} fn pwn() {{ {} }} /* \\", write("literal")),
            Placement::Append,
        ),
        payload(
            "html",
            " \\`<img src=x onerror=alert(1)>` <b onmouseover=alert(1)>x</b> <!-- x --> ``a```<i>``".to_owned(),
            Placement::Append,
        ),
        payload(
            "intra-doc-link",
            " \\`[std::process::exit]` [crate::Client] [`Vec`] ![p](https://evil.example/p.png) a[^1]".to_owned(),
            Placement::Append,
        ),
        payload(
            "reference-definition",
            "\n\n[x]: std::process::exit\n[y]: javascript:alert(1)\n\nsee [x] and [y]\n\n[^1]: note".to_owned(),
            Placement::Append,
        ),
        payload(
            "autolink",
            " <javascript:alert(1)> <mailto:a@b.c> <a@b.c> <https://x.example/\"onmouseover=alert(1)>".to_owned(),
            Placement::Append,
        ),
        payload("unicode-suffix", "éfn".to_owned(), Placement::Append),
        payload("unicode-prefix", "Ḟ".to_owned(), Placement::Prepend),
        payload(
            "controls",
            "\r\u{2028}\u{2029}\u{85}\t\u{1b}[2J\u{0}".to_owned(),
            Placement::Append,
        ),
        Payload {
            name: "keyword",
            text: "self".to_owned(),
            placement: Placement::Replace,
            breaks_shapes: false,
        },
    ]
}

/// A document of the suite with what it must give.
pub struct NamedCase {
    pub name: &'static str,
    pub document: Value,
    /// `None`: a clean crate that compiles warning-free; `Some(text)`: refused with `text` in
    /// the message.
    pub expect_refusal: Option<&'static str>,
}

/// The named cases that the payload grid does not make.
pub fn named_cases(base: &Value) -> Vec<NamedCase> {
    let with = |name: &str, edit: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut document = base.clone();
        if let Value::Object(map) = &mut document {
            map.insert("name".into(), json!(name));
            map.insert("id".into(), json!(format!("{name}:v1")));
            edit(map);
        }
        document
    };
    vec![
        NamedCase {
            name: "unicode-names",
            document: with("unicodenames", &|map| {
                // Schema ids whose first letter is not ASCII: `éfn` must not become `fn`,
                // `éfoo` must not become a lower-case type beside `mod foo`, `Ḟoo` not `oo`
                // clashing with nothing; `foo` and `Foo` collide with them after conversion.
                let property = |description: &str| json!({"type": "string", "description": description});
                map.insert(
                    "schemas".into(),
                    json!({
                        "éfn": {"type": "object", "properties": {"éself": property("a"), "self": property("b"), "Self": property("c")}},
                        "éfoo": {"type": "object", "properties": {"x": property("d")}},
                        "foo": {"type": "object", "properties": {"y": property("e")}},
                        "Foo": {"type": "object", "properties": {"z": {"$ref": "éfoo"}}},
                        "Ḟoo": {"type": "string", "enum": ["éfn", "Ḟoo", "fn", "Unknown", "1"]},
                        "日本": {"type": "object", "properties": {"é": {"$ref": "Ḟoo"}, "Ḟ": {"type": "array", "items": {"$ref": "éfn"}}}}
                    }),
                );
                map.remove("methods");
                map.remove("resources");
            }),
            expect_refusal: None,
        },
        NamedCase {
            // youtubeAnalytics v1 as Google ships it: schemas, no methods.
            name: "no-methods",
            document: with("nomethods", &|map| {
                map.remove("methods");
                map.remove("resources");
            }),
            expect_refusal: None,
        },
        NamedCase {
            name: "no-schemas",
            document: with("noschemas", &|map| {
                map.remove("schemas");
                map.insert(
                    "methods".into(),
                    json!({"ping": {"id": "noschemas.ping", "path": "v1/ping", "httpMethod": "GET"}}),
                );
                map.remove("resources");
            }),
            expect_refusal: None,
        },
        NamedCase {
            name: "empty",
            document: with("empty", &|map| {
                map.remove("schemas");
                map.remove("methods");
                map.remove("resources");
                map.remove("parameters");
                map.remove("auth");
            }),
            expect_refusal: None,
        },
        NamedCase {
            name: "directory-list",
            document: json!({
                "kind": "discovery#directoryList",
                "discoveryVersion": "v1",
                "items": [{"kind": "discovery#directoryItem", "id": "abusiveexperiencereport:v1", "name": "abusiveexperiencereport", "version": "v1"}]
            }),
            expect_refusal: Some("this is a Discovery directory list"),
        },
        NamedCase {
            name: "id-with-toml",
            document: with("idtoml", &|map| {
                map.insert(
                    "id".into(),
                    json!("evil:v1\n[target.'cfg(all())'.dependencies]\npwn = { path = \"/tmp/pwn\" }\n#"),
                );
            }),
            // The id names nothing: it is written through the escaping functions only.
            expect_refusal: None,
        },
        NamedCase {
            name: "id-with-attribute",
            document: with("idattr", &|map| {
                map.insert("id".into(), json!("x\n#![doc = include_str!(\"/etc/hostname\")] //"));
            }),
            expect_refusal: None,
        },
        NamedCase {
            name: "resource-key-with-fence",
            document: with("resourcefence", &|map| {
                map.insert(
                    "resources".into(),
                    json!({"things\n```\nfn main() {}\n```": {"methods": {}}}),
                );
            }),
            expect_refusal: Some("resources[\"things\\n```"),
        },
    ]
}
