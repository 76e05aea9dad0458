//! Checks that a generated crate carries nothing from its document as code: used by the
//! fuzzer on every input and by the hostile-document suite.
//!
//! - every file is at a plain path (`Cargo.toml`, `README.md`, `src/**/*.rs`), never `build.rs`;
//! - `Cargo.toml` has only `[package]` (known keys, no `build`), `[lib]` with `doctest = false`,
//!   one dependency, the runtime, and perhaps `[features]` that enable nothing but each other;
//! - every `.rs` file parses, starts with the one-line `// @generated` header, has only the
//!   inner attributes the generator writes, no `include!`-like macro, and doc attributes that
//!   are string literals whose Markdown has no code block rustdoc would run (a fenced block is
//!   ```` ```text ````, there is no indented block).

use std::collections::BTreeSet;

use codegen::GeneratedCrate;
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};

/// The `[package]` keys the generator writes.
const PACKAGE_KEYS: &[&str] = &[
    "name",
    "version",
    "edition",
    "rust-version",
    "description",
    "license",
    "readme",
    "keywords",
    "categories",
];

/// The inner attributes the generator writes.
const INNER_ATTRIBUTES: &[&str] = &["doc", "allow", "cfg_attr"];

/// Macros that read files or the environment at compile time.
const FORBIDDEN_MACROS: &[&str] = &["include", "include_str", "include_bytes", "option_env"];

/// Every problem found in `generated`, one line each (empty when the crate is clean).
pub fn check_crate(generated: &GeneratedCrate) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, content) in &generated.files {
        if !is_plain_path(path) {
            problems.push(format!("unexpected file {path:?}"));
        } else if path == "Cargo.toml" {
            problems.extend(check_manifest(content).into_iter().map(|p| format!("Cargo.toml: {p}")));
        } else if path.ends_with(".rs") {
            problems.extend(check_rust(content).into_iter().map(|p| format!("{path}: {p}")));
        }
    }
    if !generated.files.contains_key("Cargo.toml") {
        problems.push("no Cargo.toml".to_owned());
    }
    problems
}

fn toml_strings(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::String(text) => out.push(text.clone()),
        toml::Value::Array(items) => items.iter().for_each(|item| toml_strings(item, out)),
        toml::Value::Table(table) => {
            for (key, item) in table {
                out.push(key.clone());
                toml_strings(item, out);
            }
        }
        _ => {}
    }
}

fn is_plain_path(path: &str) -> bool {
    if path == "Cargo.toml" || path == "README.md" {
        return true;
    }
    let Some(rest) = path.strip_prefix("src/").and_then(|p| p.strip_suffix(".rs")) else {
        return false;
    };
    !rest.is_empty()
        && rest.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// Problems with a `[features]` table: each feature enables nothing (`[]`), except `default`,
/// which lists other features of the table (never a dependency or a dependency's feature).
fn check_features(features: &toml::Value) -> Vec<String> {
    let Some(features) = features.as_table() else {
        return vec!["[features] is not a table".to_owned()];
    };
    let mut problems = Vec::new();
    for (name, enables) in features {
        let Some(enables) = enables.as_array() else {
            problems.push(format!("feature {name:?} is not a list"));
            continue;
        };
        if name != "default" && !enables.is_empty() {
            problems.push(format!("feature {name:?} enables {enables:?}"));
        }
        for enabled in enables {
            let known = enabled
                .as_str()
                .is_some_and(|e| e != "default" && features.contains_key(e));
            if !known {
                problems.push(format!(
                    "feature {name:?} enables {enabled:?}, not a feature of the table"
                ));
            }
        }
    }
    problems
}

/// Problems with a generated `Cargo.toml`.
pub fn check_manifest(text: &str) -> Vec<String> {
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => return vec![format!("not TOML: {error}")],
    };
    let mut problems = Vec::new();
    if text.chars().any(|c| c.is_control() && c != '\n') {
        problems.push("a control character (cargo would put it in a CARGO_PKG_* variable)".to_owned());
    }
    let mut strings = Vec::new();
    toml_strings(&toml::Value::Table(table.clone()), &mut strings);
    if strings.iter().any(|s| s.chars().any(char::is_control)) {
        problems.push("a string value with a control character".to_owned());
    }
    let mut sections: BTreeSet<&str> = table.keys().map(String::as_str).collect();
    sections.remove("features");
    if sections != BTreeSet::from(["package", "lib", "dependencies"]) {
        problems.push(format!(
            "sections {sections:?}, expected [package], [lib], [dependencies] and perhaps [features]"
        ));
    }
    if let Some(features) = table.get("features") {
        problems.extend(check_features(features));
    }
    if let Some(package) = table.get("package").and_then(toml::Value::as_table) {
        for key in package.keys() {
            if !PACKAGE_KEYS.contains(&key.as_str()) {
                problems.push(format!("unexpected [package] key {key:?}"));
            }
        }
    }
    let doctest = table
        .get("lib")
        .and_then(|lib| lib.get("doctest"))
        .and_then(toml::Value::as_bool);
    let lib_keys = table.get("lib").and_then(toml::Value::as_table).map(|t| t.len());
    if doctest != Some(false) || lib_keys != Some(1) {
        problems.push("[lib] must be exactly `doctest = false`".to_owned());
    }
    let dependencies: Vec<&str> = table
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if dependencies != ["discovery-runtime"] {
        problems.push(format!(
            "dependencies {dependencies:?}, expected only discovery-runtime"
        ));
    }
    let header_ok = text
        .lines()
        .next()
        .is_some_and(|line| line.starts_with("# @generated by codegen "));
    if !header_ok {
        problems.push("the first line is not the @generated header".to_owned());
    }
    problems
}

/// Problems with one generated `.rs` file.
pub fn check_rust(text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if !text.starts_with("// @generated by codegen ") {
        problems.push("does not start with the @generated header".to_owned());
    }
    if let Err(error) = syn::parse_file(text) {
        problems.push(format!("does not parse: {error}"));
        return problems;
    }
    // The file parses, so it lexes.
    let tokens: TokenStream = match text.parse() {
        Ok(tokens) => tokens,
        Err(error) => return vec![format!("does not lex: {error}")],
    };
    let mut docs = Vec::new();
    scan(tokens, &mut docs, &mut problems);
    if !docs.is_empty() {
        check_docs(&docs.join("\n"), &mut problems);
    }
    problems
}

/// Walks the tokens: attributes, macros and doc text (consecutive doc attributes of one
/// item form one block, as rustdoc reads them).
fn scan(tokens: TokenStream, docs: &mut Vec<String>, problems: &mut Vec<String>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let inner = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                let at = if inner { i + 2 } else { i + 1 };
                if let Some(TokenTree::Group(group)) = trees.get(at)
                    && group.delimiter() == Delimiter::Bracket
                {
                    attribute(group.stream(), inner, docs, problems);
                    i = at + 1;
                    continue;
                }
                flush_docs(docs, problems);
            }
            TokenTree::Ident(ident) => {
                flush_docs(docs, problems);
                let name = ident.to_string();
                let is_macro = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                if is_macro && FORBIDDEN_MACROS.contains(&name.as_str()) {
                    problems.push(format!("uses {name}!"));
                }
                if is_macro && name == "env" {
                    let allowed = matches!(trees.get(i + 2), Some(TokenTree::Group(g))
                        if matches!(g.stream().to_string().as_str(), "\"CARGO_PKG_NAME\"" | "\"CARGO_PKG_VERSION\""));
                    if !allowed {
                        problems.push("uses env! for something other than the package name or version".to_owned());
                    }
                }
            }
            TokenTree::Group(group) => {
                flush_docs(docs, problems);
                scan(group.stream(), docs, problems);
            }
            _ => flush_docs(docs, problems),
        }
        i += 1;
    }
    flush_docs(docs, problems);
}

fn attribute(stream: TokenStream, inner: bool, docs: &mut Vec<String>, problems: &mut Vec<String>) {
    let trees: Vec<TokenTree> = stream.clone().into_iter().collect();
    let name = match trees.first() {
        Some(TokenTree::Ident(ident)) => ident.to_string(),
        _ => String::new(),
    };
    if inner && !INNER_ATTRIBUTES.contains(&name.as_str()) {
        problems.push(format!("unexpected inner attribute #![{stream}]"));
    }
    if name == "path" {
        problems.push(format!("unexpected attribute #[{stream}]"));
    }
    if name != "doc" {
        // Attributes hold no items, but macros could hide in them.
        let mut nested = Vec::new();
        scan(stream, &mut nested, problems);
        return;
    }
    let value = match trees.as_slice() {
        [_, TokenTree::Punct(eq), TokenTree::Literal(literal)] if eq.as_char() == '=' => {
            syn::parse_str::<syn::LitStr>(&literal.to_string())
                .ok()
                .map(|l| l.value())
        }
        _ => None,
    };
    match value {
        Some(text) => docs.push(text),
        None => problems.push(format!("a doc attribute that is not a string literal: #[{stream}]")),
    }
}

fn flush_docs(docs: &mut Vec<String>, problems: &mut Vec<String>) {
    if !docs.is_empty() {
        check_docs(&docs.join("\n"), problems);
        docs.clear();
    }
}

/// rustdoc runs every code block of a doc comment except those marked with a language it
/// does not test: here, the only code blocks allowed are fenced ```` ```text ```` blocks.
pub fn check_docs(markdown: &str, problems: &mut Vec<String>) {
    for event in Parser::new(markdown) {
        if let Event::Start(Tag::CodeBlock(kind)) = event {
            match kind {
                CodeBlockKind::Fenced(info) if info.as_ref() == "text" => {}
                CodeBlockKind::Fenced(info) => {
                    problems.push(format!(
                        "a code block marked {:?} in {:?}",
                        info.as_ref(),
                        excerpt(markdown)
                    ));
                }
                CodeBlockKind::Indented => problems.push(format!("an indented code block in {:?}", excerpt(markdown))),
            }
        }
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_code_blocks_that_would_run() {
        let mut problems = Vec::new();
        check_docs(" a\n\n```text\nx\n```\n", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        for bad in [
            " ```\nx\n```",
            "~~~\nx\n~~~",
            "- a\n\n      code",
            "> ```rust\n> x\n> ```",
            "\n\n    code",
        ] {
            let mut problems = Vec::new();
            check_docs(bad, &mut problems);
            assert_eq!(problems.len(), 1, "{bad:?}: {problems:?}");
        }
    }

    #[test]
    fn finds_injected_attributes_and_macros() {
        let header = "// @generated by codegen 0.1.0 from x. DO NOT EDIT.\n";
        assert!(check_rust(&format!("{header}//! Docs.\npub struct A;\n")).is_empty());
        let injected = format!("{header}#![doc = include_str!(\"/etc/hostname\")]\npub struct A;\n");
        let problems = check_rust(&injected);
        assert!(problems.iter().any(|p| p.contains("include_str")), "{problems:?}");
        let problems = check_rust(&format!("{header}#![no_std]\n"));
        assert!(problems.iter().any(|p| p.contains("inner attribute")), "{problems:?}");
        let problems = check_rust(&format!("{header}/// ```\n/// fn x() {{}}\n/// ```\npub struct A;\n"));
        assert!(problems.iter().any(|p| p.contains("code block")), "{problems:?}");
    }

    #[test]
    fn finds_extra_dependencies_and_build_scripts() {
        let good = "# @generated by codegen 0.1.0\n[package]\nname = \"x\"\n[lib]\ndoctest = false\n[dependencies]\ndiscovery-runtime = { path = \"../runtime\" }\n";
        assert!(check_manifest(good).is_empty(), "{:?}", check_manifest(good));
        let extra = format!("{good}[target.'cfg(all())'.dependencies]\npwn = {{ path = \"/tmp\" }}\n");
        assert!(!check_manifest(&extra).is_empty());
        let build = good.replace("name = \"x\"", "name = \"x\"\nbuild = \"pwn.rs\"");
        assert!(!check_manifest(&build).is_empty());
        let nul = good.replace("name = \"x\"", "name = \"x\"\ndescription = \"a\\u0000b\"");
        assert!(!check_manifest(&nul).is_empty());
        let features = format!("{good}[features]\ndefault = [\"a\", \"b\"]\na = []\nb = []\n");
        assert!(check_manifest(&features).is_empty(), "{:?}", check_manifest(&features));
        let dep_feature = format!("{good}[features]\ndefault = [\"a\"]\na = [\"discovery-runtime/x\"]\n");
        assert!(!check_manifest(&dep_feature).is_empty());
        let unknown = format!("{good}[features]\ndefault = [\"dep:pwn\"]\n");
        assert!(!check_manifest(&unknown).is_empty());
        assert!(!is_plain_path("build.rs") && !is_plain_path("src/../x.rs") && is_plain_path("src/resources/a_b.rs"));
    }
}
