//! What users of a generated crate rely on, checked on the generated source with `syn`:
//!
//! - **The construction contract.** Structs are built with `..Default::default()`; so every
//!   struct derives `Default`, is not `#[non_exhaustive]`, and has only `pub` fields. This is
//!   what makes the API diff's rule "a new field is compatible" true: code written as
//!   `Foo { a, ..Default::default() }` compiles against the next revision too.
//! - **Features per resource.** A resource's feature enables exactly the schemas its methods
//!   reach; schemas reached by no method are behind `unreferenced_schemas`.

use std::collections::BTreeMap;

use codegen::tiny_document::TinyDocument;
use quote::ToTokens;
use serde_json::json;

fn generate(json: &str) -> codegen::GeneratedCrate {
    codegen::generate(json, &codegen::Options::default()).expect("the document generates")
}

fn read(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every struct of a file, with its path (`nested::Inner`), at any module depth.
fn structs(source: &str) -> Vec<(String, syn::ItemStruct)> {
    fn walk(items: &[syn::Item], prefix: &str, out: &mut Vec<(String, syn::ItemStruct)>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => out.push((format!("{prefix}{}", s.ident), s.clone())),
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        walk(items, &format!("{prefix}{}::", m.ident), out);
                    }
                }
                _ => {}
            }
        }
    }
    let file = syn::parse_file(source).expect("generated source parses");
    let mut out = Vec::new();
    walk(&file.items, "", &mut out);
    out
}

fn attrs_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc"))
        .map(|a| a.to_token_stream().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_struct_can_be_built_with_default_and_struct_update_syntax() {
    for document in [
        "../tests/fixtures/special_cases.json",
        "../discovery/dataportability.v1.json",
    ] {
        let generated = generate(&read(document));
        let models = structs(&generated.files["src/models.rs"]);
        assert!(models.len() > 5, "{document}: {} structs", models.len());
        for (name, item) in models {
            let attrs = attrs_text(&item.attrs);
            assert!(
                attrs.contains("Default"),
                "{document}: {name} does not derive Default: {attrs}"
            );
            assert!(
                !attrs.contains("non_exhaustive"),
                "{document}: {name} is non_exhaustive"
            );
            for field in &item.fields {
                assert!(
                    matches!(field.vis, syn::Visibility::Public(_)),
                    "{document}: {name}.{:?} is not pub",
                    field.ident
                );
            }
        }
    }
}

#[test]
fn a_new_property_only_adds_a_pub_field_with_a_default() {
    let schemas = |properties: serde_json::Value| {
        TinyDocument::new("tiny", "v1")
            .schemas(json!({"Thing": {"id": "Thing", "type": "object", "properties": properties}}))
            .text()
    };
    let fields = |json: &str| -> Vec<String> {
        let (_, thing) = structs(&generate(json).files["src/models.rs"]).remove(0);
        thing
            .fields
            .iter()
            .map(|f| f.ident.as_ref().unwrap().to_string())
            .collect()
    };
    let old = fields(&schemas(json!({"a": {"type": "string"}})));
    let new = fields(&schemas(json!({"a": {"type": "string"}, "b": {"type": "integer"}})));
    assert_eq!(old, ["a", "_unknown_fields"]);
    assert_eq!(new, ["a", "b", "_unknown_fields"]);
}

/// The `#[cfg(..)]` of every top-level struct of `models.rs`.
fn struct_cfgs(models: &str) -> BTreeMap<String, String> {
    structs(models)
        .into_iter()
        .filter(|(name, _)| !name.contains("::"))
        .map(|(name, item)| {
            let cfg = item
                .attrs
                .iter()
                .find(|a| a.path().is_ident("cfg"))
                .map(|a| a.to_token_stream().to_string())
                .unwrap_or_default();
            (name, cfg)
        })
        .collect()
}

#[test]
fn a_feature_enables_exactly_the_schemas_its_resource_reaches() {
    let object = |properties: serde_json::Value| json!({"type": "object", "properties": properties});
    let method = |id: &str, request: Option<&str>, response: &str| {
        let mut m = json!({"id": id, "path": id, "httpMethod": "POST", "response": {"$ref": response}});
        if let Some(request) = request {
            m["request"] = json!({"$ref": request});
        }
        m
    };
    let doc = TinyDocument::new("tiny", "v1").merge(json!({
        "schemas": {
            "A": object(json!({"b": {"$ref": "B"}})),
            "B": object(json!({"list": {"type": "array", "items": {"$ref": "Shared"}}})),
            "C": object(json!({"inline": {"type": "object", "properties": {"s": {"$ref": "Shared"}}}})),
            "Shared": object(json!({"x": {"type": "string"}})),
            "Lonely": object(json!({"x": {"type": "string"}})),
            "Top": object(json!({"x": {"type": "string"}})),
        },
        "methods": {"top": method("top", None, "Top")},
        "resources": {
            "alpha": {"methods": {"go": method("alpha.go", Some("A"), "Top")}},
            "beta": {"resources": {"inner": {"methods": {"go": method("beta.inner.go", None, "C")}}}},
            "default": {"methods": {"go": method("default.go", None, "Shared")}},
        },
    }));
    let generated = generate(&doc.text());
    let cfgs = struct_cfgs(&generated.files["src/models.rs"]);
    let expected: BTreeMap<String, String> = [
        ("A", r#"# [cfg (feature = "alpha")]"#),
        ("B", r#"# [cfg (feature = "alpha")]"#),
        ("C", r#"# [cfg (feature = "beta")]"#),
        (
            "Shared",
            r#"# [cfg (any (feature = "alpha" , feature = "beta" , feature = "default_resource"))]"#,
        ),
        ("Lonely", r#"# [cfg (feature = "unreferenced_schemas")]"#),
        ("Top", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(cfgs, expected);
    let manifest = &generated.files["Cargo.toml"];
    assert!(
        manifest.contains(
            "[features]\ndefault = [\n    \"alpha\",\n    \"beta\",\n    \"default_resource\",\n    \"unreferenced_schemas\",\n]\n"
        ),
        "{manifest}"
    );
    let resources = &generated.files["src/resources/mod.rs"];
    assert!(
        resources.contains("#[cfg(feature = \"beta\")]\npub mod beta;"),
        "{resources}"
    );
}
