//! Unit snapshot tests of the generator on small hand-written Discovery documents, and the
//! errors it gives for bad ones. Run with `UPDATE_EXPECT=1` to accept a new output.

use codegen::tiny_document::TinyDocument;
use expect_test::expect_file;
use serde_json::{Value, json};

/// A minimal document with the given schemas and resources.
fn document(schemas: Value, resources: Value) -> String {
    TinyDocument::new("tiny", "v1")
        .revision("20260101")
        .schemas(schemas)
        .resources(resources)
        .text()
}

fn generate(json: &str) -> codegen::GeneratedCrate {
    codegen::generate(json, &codegen::Options::default()).expect("the document generates")
}

/// `src/models.rs`, then `src/object_impls.rs` (the serde impls of its structs).
fn models(schemas: Value) -> String {
    let files = generate(&document(schemas, json!({}))).files;
    let mut out = files["src/models.rs"].clone();
    if let Some(impls) = files.get("src/object_impls.rs") {
        out.push_str("\n// ---- src/object_impls.rs ----\n\n");
        out.push_str(impls);
    }
    out
}

fn error(json: &str) -> String {
    codegen::generate(json, &codegen::Options::default())
        .expect_err("the document is rejected")
        .to_string()
}

#[test]
fn keyword_and_non_identifier_field_names() {
    let out = models(json!({"Thing": {"type": "object", "properties": {
        "type": {"type": "string"}, "self": {"type": "string"}, "ref": {"type": "string"},
        "match": {"type": "string"}, "@type": {"type": "string"}, "foo-bar": {"type": "string"},
        "fooBar": {"type": "string"}, "a.b$": {"type": "string"}
    }}}));
    expect_file!["snapshots/keywords.rs"].assert_eq(&out);
}

#[test]
fn schemas_named_like_std_and_generated_types() {
    let out = models(json!({
        "Client": {"type": "object", "properties": {"result": {"$ref": "Result"}}},
        "Result": {"type": "object", "properties": {"value": {"$ref": "Option"}}},
        "Option": {"type": "object", "properties": {"text": {"$ref": "String"}}},
        "String": {"type": "object", "properties": {"boxes": {"type": "array", "items": {"$ref": "Box"}}}},
        "Box": {"type": "object", "properties": {"size": {"type": "integer", "format": "int32"}}},
        "FooBar": {"type": "object", "properties": {"a": {"type": "string"}}},
        "foo_bar": {"type": "object", "properties": {"b": {"type": "string"}}}
    }));
    expect_file!["snapshots/shadowing.rs"].assert_eq(&out);
}

#[test]
fn nested_inline_objects_and_enums_are_hoisted() {
    let out = models(json!({"Job": {"type": "object", "properties": {
        "state": {"type": "string", "enum": ["STATE_UNSPECIFIED", "RUNNING", "UNKNOWN", "1080P"],
                  "enumDescriptions": ["Unset.", "Running.", "A declared UNKNOWN.", "Starts with a digit."]},
        "config": {"type": "object", "properties": {
            "retry": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["ON", "OFF"]}}}
        }},
        "steps": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}
    }}}));
    expect_file!["snapshots/nested.rs"].assert_eq(&out);
}

#[test]
fn recursive_schemas_are_boxed() {
    let out = models(json!({
        "Tree": {"type": "object", "properties": {
            "parent": {"$ref": "Tree"}, "children": {"type": "array", "items": {"$ref": "Tree"}},
            "left": {"$ref": "Forest"}
        }},
        "Forest": {"type": "object", "properties": {"tree": {"$ref": "Tree"}, "name": {"type": "string"}}},
        "Leaf": {"type": "object", "properties": {"tree": {"$ref": "Tree"}}}
    }));
    expect_file!["snapshots/recursive.rs"].assert_eq(&out);
    assert!(out.contains("pub parent: Option<Box<Tree>>"));
    assert!(out.contains("pub children: Vec<Tree>"), "a Vec needs no Box");
    assert!(out.contains("pub tree: Option<Tree>"), "Leaf is not in a cycle");
}

#[test]
fn wire_formats_maps_and_any() {
    let out = models(json!({"Formats": {"type": "object", "properties": {
        "int64": {"type": "string", "format": "int64"},
        "uint64": {"type": "string", "format": "uint64"},
        "ids": {"type": "array", "items": {"type": "string", "format": "int64"}},
        "bytes": {"type": "string", "format": "byte"},
        "any": {"type": "any"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "counts": {"type": "object", "additionalProperties": {"type": "string", "format": "uint64"}},
        "entries": {"type": "object", "additionalProperties": {"type": "object", "properties": {"v": {"type": "string"}}}},
        "ttl": {"type": "string", "format": "google-duration"},
        "when": {"type": "string", "format": "google-datetime"}
    }},
    "Open": {"type": "object", "properties": {"known": {"type": "string"}}, "additionalProperties": {"type": "any"}}}));
    expect_file!["snapshots/formats.rs"].assert_eq(&out);
}

#[test]
fn output_is_deterministic() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/special_cases.json"
    ))
    .expect("fixture readable");
    assert_eq!(generate(&doc), generate(&doc));
}

#[test]
fn a_dangling_ref_names_its_path() {
    let json = document(
        json!({"A": {"type": "object", "properties": {"b": {"type": "array", "items": {"$ref": "Missing"}}}}}),
        json!({}),
    );
    assert_eq!(
        error(&json),
        r#"schemas.A.properties.b.items.$ref: $ref names an unknown schema "Missing""#
    );
}

#[test]
fn a_ref_cycle_without_an_object_is_an_error() {
    let json = document(json!({"A": {"$ref": "B"}, "B": {"$ref": "A"}}), json!({}));
    assert_eq!(
        error(&json),
        "schemas.A: cycle of $ref with no object in between: A → B → A"
    );
}

#[test]
fn a_wrong_type_for_a_known_key_names_its_path() {
    let json = document(
        json!({"A": {"type": "object", "properties": {"b": {"required": "yes"}}}}),
        json!({}),
    );
    let message = error(&json);
    assert!(
        message.starts_with("schemas.A.properties.b.required: invalid type: string \"yes\", expected a boolean"),
        "{message}"
    );
}

#[test]
fn truncated_and_empty_documents_are_errors() {
    assert_eq!(error("  "), "$: the document is empty");
    let message = error(r#"{"kind": "discovery#restDescription", "schemas": {"A": {"#);
    assert!(message.contains("EOF"), "{message}");
    assert_eq!(error("{}"), "name: is missing or empty");
}

#[test]
fn a_path_naming_an_undeclared_parameter_is_an_error() {
    let json = document(
        json!({}),
        json!({"things": {"methods": {"get": {
            "id": "tiny.things.get", "path": "v1/{+name}", "httpMethod": "GET", "parameters": {}
        }}}}),
    );
    assert_eq!(
        error(&json),
        r#"resources.things.methods.get.path: "v1/{+name}" names parameter "name", which is not declared"#
    );
}

#[test]
fn an_unknown_http_method_is_an_error() {
    let json = document(
        json!({}),
        json!({"things": {"methods": {"get": {
            "id": "tiny.things.get", "path": "v1/things", "httpMethod": "FETCH"
        }}}}),
    );
    assert_eq!(
        error(&json),
        r#"resources.things.methods.get.httpMethod: unknown HTTP method "FETCH""#
    );
}

#[test]
fn every_rust_file_parses_and_carries_the_header() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/special_cases.json"
    ))
    .expect("fixture readable");
    let generated = generate(&doc);
    assert_eq!(generated.name, "specialcases-v1");
    for (path, text) in &generated.files {
        assert!(text.contains("DO NOT EDIT"), "{path} lacks the header");
        if path.ends_with(".rs") {
            syn::parse_file(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
        }
    }
}

/// Every `pub` item name (`pub struct X`, `pub fn y`, `pub z:` fields) of a crate's Rust files.
fn public_names(generated: &codegen::GeneratedCrate) -> std::collections::BTreeSet<String> {
    generated
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .flat_map(|(path, text)| text.lines().map(move |line| (path, line.trim())))
        .filter(|(_, line)| line.starts_with("pub "))
        .map(|(path, line)| {
            format!(
                "{path}: {}",
                line.split(['(', '{', '=', '<']).next().unwrap_or(line).trim()
            )
        })
        .collect()
}

#[test]
fn adding_schemas_and_methods_renames_nothing_that_exists() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/special_cases.json");
    let original: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON");
    let mut grown = original.clone();
    grown["schemas"]["AaaFirst"] = json!({"type": "object", "properties": {"type": {"type": "string"}, "kind": {"type": "string", "enum": ["A"]}}});
    grown["schemas"]["Client"]["properties"]["aNewField"] = json!({"type": "string"});
    grown["schemas"]["Nested"]["properties"]["inner"]["properties"]["aaa"] = json!({"type": "string", "enum": ["X"]});
    grown["resources"]["aaa"] =
        json!({"methods": {"get": {"id": "specialcases.aaa.get", "path": "aaa", "httpMethod": "GET"}}});

    let before = public_names(&generate(&original.to_string()));
    let after = public_names(&generate(&grown.to_string()));

    let lost: Vec<_> = before.difference(&after).collect();
    assert!(lost.is_empty(), "names changed or disappeared: {lost:#?}");
    assert!(after.len() > before.len());
}

/// The hostile-document attacks (see `cargo xtask hostile`), tried on the generator as a whole.
#[test]
fn document_text_never_becomes_code() {
    let mut doc: Value = serde_json::from_str(&document(
        json!({
            "éfn": {"type": "object", "description": "~~~\nstd::process::exit(1);\n~~~", "properties": {"x": {"type": "string"}}},
            "éfoo": {"type": "object", "properties": {"y": {"type": "string"}}},
            "foo": {"type": "object", "properties": {"z": {"$ref": "éfoo"}}},
            "Ḟoo": {"type": "string", "enum": ["A", "A", "B"]}
        }),
        json!({"things": {"methods": {"get": {
            "id": "tiny.things.get\n```\nfn main() {}\n```",
            "path": "v1/things\n```\nfn main() -> () ;\n```",
            "httpMethod": "GET"
        }}}}),
    ))
    .expect("JSON");
    doc["title"] = json!("Tiny\n```\nstd::process::exit(1);\n```");
    doc["description"] = json!("> ```rust\n> std::process::exit(1);\n> ```\n\n-     indented();");
    let generated = generate(&doc.to_string());

    let lib = &generated.files["src/lib.rs"];
    // The title is one line: its fence is an inline code span.
    assert!(
        lib.contains("//! # Tiny ``` std::process::exit(1); ``` (v1) client\n"),
        "{lib}"
    );
    assert!(
        lib.contains("//! ```text\n//! > std::process::exit(1);\n//! ```"),
        "{lib}"
    );
    assert!(lib.contains("//! - indented();"), "{lib}");
    let models = &generated.files["src/models.rs"];
    assert!(
        models.contains("/// ```text\n/// std::process::exit(1);\n/// ```\n"),
        "{models}"
    );
    // `éfn` is `Fn`, not the keyword; `éfoo` and `foo` both want `Foo`; `Ḟoo` is `Oo`.
    for item in [
        "pub struct Fn {",
        "pub struct Foo {",
        "pub struct Foo2 {",
        "pub enum Oo {",
    ] {
        assert!(models.contains(item), "{item} in {models}");
    }
    // A value listed twice is one variant.
    assert_eq!(models.matches("= \"A\",").count(), 1, "{models}");
    let things = &generated.files["src/resources/things.rs"];
    assert!(
        things.contains("/// Request builder for ```` tiny.things.get ``` fn main() {} ``` ````.\n"),
        "{things}"
    );
    assert!(
        things.contains("/// ```` GET v1/things ``` fn main() -> () ; ``` ````\n"),
        "{things}"
    );
    assert!(generated.files["Cargo.toml"].contains("[lib]\ndoctest = false\n"));
}

#[test]
fn keys_must_have_googles_shapes_and_an_id_is_only_text() {
    let mut doc: Value = serde_json::from_str(&document(json!({}), json!({}))).expect("JSON");
    doc["id"] = json!("evil:v1\n[target.'cfg(all())'.dependencies]\npwn = { path = \"/tmp\" }\n#");
    let generated = generate(&doc.to_string());
    let manifest = &generated.files["Cargo.toml"];
    assert!(!manifest.contains("\n[target."), "{manifest}");
    assert!(manifest.starts_with("# @generated by codegen ") && manifest.contains("evil:v1 [target."));
    let doc = document(
        json!({}),
        json!({"things": {"methods": {"get\n```": {"path": "x", "httpMethod": "GET"}}}}),
    );
    assert!(
        error(&doc).starts_with(r#"resources.things.methods["get\n```"]: "#),
        "{}",
        error(&doc)
    );
    let list = r#"{"kind": "discovery#directoryList", "items": []}"#;
    assert!(
        error(list).contains("this is a Discovery directory list"),
        "{}",
        error(list)
    );
}

/// The `UploadInfo` consts of a generated file, each from `const` to its closing `);`.
fn upload_consts(source: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in source.lines() {
        inside |= line.trim_start().starts_with("const ") && line.contains("UploadInfo");
        if inside {
            out.push_str(line);
            out.push('\n');
            inside = line.trim_start() != ");";
        }
    }
    out
}

#[test]
fn uploads_start_at_the_simple_path_and_the_resumable_path_only_without_one() {
    let upload = |protocols: Value| {
        json!({
            "id": "tiny.things.insert", "path": "v1/{+parent}/things", "httpMethod": "POST",
            "parameters": {"parent": {"type": "string", "location": "path", "required": true}},
            "supportsMediaUpload": true,
            "mediaUpload": {"accept": ["*/*"], "protocols": protocols}
        })
    };
    let both = upload(json!({
        "simple": {"multipart": true, "path": "/upload/tiny/v1/{+parent}/things"},
        "resumable": {"multipart": true, "path": "/resumable/upload/tiny/v1/{+parent}/things"}
    }));
    let mut resumable_only = upload(json!({
        "resumable": {"multipart": true, "path": "/resumable/upload/tiny/v1/{+parent}/things:import"}
    }));
    resumable_only["id"] = json!("tiny.things.import");
    resumable_only["path"] = json!("v1/{+parent}/things:import");
    let simple_only = upload(json!({"simple": {"multipart": true, "path": "/upload/tiny/v1/{+parent}/things:put"}}));
    let json = document(
        json!({}),
        json!({"things": {"methods": {"insert": both, "import": resumable_only, "put": simple_only}}}),
    );
    let generated = generate(&json);
    let source = &generated.files["src/resources/things.rs"];
    expect_file!["snapshots/uploads.rs"].assert_eq(&upload_consts(source));
    assert_eq!(source.matches("pub async fn upload_resumable").count(), 2, "{source}");
    assert_eq!(source.matches("pub async fn upload(").count(), 2, "{source}");
}

#[test]
fn a_document_over_the_size_limit_is_refused_naming_the_limit() {
    let json = document(json!({}), json!({}));
    let options = codegen::Options {
        max_document_bytes: json.len() - 1,
        ..codegen::Options::default()
    };
    let error = codegen::generate(&json, &options)
        .expect_err("over the limit")
        .to_string();
    assert_eq!(
        error,
        format!(
            "document: {} bytes, more than the limit of {} bytes (Options::max_document_bytes, the codegen binary's --max-document-bytes)",
            json.len(),
            json.len() - 1
        )
    );
    let options = codegen::Options {
        max_document_bytes: json.len(),
        ..codegen::Options::default()
    };
    assert!(codegen::generate(&json, &options).is_ok());
}

/// Google's `securesourcemanager.v1` ships `"revision": "0"`: it generates, and the package
/// version carries it as build metadata.
#[test]
fn a_revision_of_any_shape_generates() {
    let zero = document(json!({}), json!({})).replace("20260101", "0");
    let generated = generate(&zero);
    assert!(generated.files["Cargo.toml"].contains("version = \"0.1.0+0\""));
    let odd = document(json!({}), json!({})).replace("20260101", "`<b>` [x] 1/2");
    let generated = generate(&odd);
    assert!(generated.files["Cargo.toml"].contains("version = \"0.1.0\"\n"));
    assert!(generated.files["src/lib.rs"].contains(r#"pub const REVISION: &str = "`<b>` [x] 1/2";"#));
}
