//! The semantic diff on small synthetic pairs of documents, one group of change kinds per
//! case; [`every_kind_is_covered`] checks that the cases produce every [`Kind`].

use std::collections::BTreeSet;

use codegen::parse::RestDescription;
use codegen::tiny_document::TinyDocument;
use serde_json::{Value, json};

use super::{Change, Impact, Kind, diff};

/// Schemas the cases name in a `$ref` without declaring them.
const REFERENCED: &[&str] = &["A", "B", "Req", "Req2", "Res", "Res2"];

/// A minimal document with `extra` merged in at the top level.
fn document(extra: Value) -> RestDescription {
    let mut value = TinyDocument::new("x", "v1").set("etag", json!("\"1\"")).value();
    if let (Value::Object(base), Value::Object(extra)) = (&mut value, extra) {
        base.extend(extra);
        // The schemas the cases refer to, the same on both sides (so never a change), unless
        // a case declares them itself: the generator resolves every `$ref`.
        let schemas = base.entry("schemas").or_insert_with(|| json!({}));
        if let Value::Object(schemas) = schemas {
            for name in REFERENCED {
                schemas
                    .entry(name.to_owned())
                    .or_insert_with(|| json!({"id": name, "type": "object"}));
            }
        }
    }
    serde_json::from_value(value).expect("a valid document")
}

/// The changes between two documents, one line each: `impact path: message`.
fn lines(old: Value, new: Value) -> Vec<String> {
    diff(&document(old), &document(new))
        .expect("both documents resolve")
        .iter()
        .map(|change| format!("{} {change}", change.impact().id()))
        .collect()
}

/// One method at `v1/jobs/{name}` with the given extra keys.
fn jobs_method(extra: Value) -> Value {
    let mut method = json!({
        "id": "x.jobs.get",
        "httpMethod": "GET",
        "path": "v1/{+name}",
        "parameters": {"name": {"type": "string", "location": "path", "required": true}},
        "parameterOrder": ["name"],
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut method, extra) {
        base.extend(extra);
    }
    method
}

/// A document whose `jobs.get` method has `extra` keys.
fn with_method(extra: Value) -> Value {
    json!({"resources": {"jobs": {"methods": {"get": jobs_method(extra)}}}})
}

/// A document with one schema `S` of the given properties.
fn with_properties(properties: Value) -> Value {
    json!({"schemas": {"S": {"id": "S", "type": "object", "properties": properties}}})
}

/// Every case: a name and its old and new document extras.
fn cases() -> Vec<(&'static str, Value, Value)> {
    vec![
        (
            "resources and methods",
            json!({"resources": {
                "jobs": {"methods": {"get": jobs_method(json!({}))}},
                "old": {"methods": {"list": {"httpMethod": "GET", "path": "v1/old"}}},
            }}),
            json!({"resources": {
                "jobs": {"methods": {
                    "get": jobs_method(json!({})),
                    "cancel": jobs_method(json!({"httpMethod": "POST", "path": "v1/{+name}:cancel"})),
                }},
                "fresh": {
                    "methods": {"check": {"httpMethod": "POST", "path": "v1/fresh:check"}},
                    "resources": {"inner": {"methods": {"peek": {"httpMethod": "GET", "path": "v1/inner"}}}},
                },
            }}),
        ),
        (
            "http method and path",
            with_method(json!({})),
            with_method(json!({"httpMethod": "POST", "path": "v2/{+name}"})),
        ),
        (
            "parameters",
            with_method(json!({"parameters": {
                "name": {"type": "string", "location": "path", "required": true, "pattern": "^jobs/[^/]+$"},
                "gone": {"type": "string", "location": "query"},
                "soon": {"type": "string", "location": "query"},
                "was": {"type": "string", "location": "query", "required": true},
                "count": {"type": "string", "location": "query"},
                "mask": {"type": "string", "format": "google-fieldmask", "location": "query"},
                "moved": {"type": "string", "location": "query"},
                "filter": {"type": "string", "location": "query", "pattern": "a"},
                "view": {"type": "string", "location": "query", "enum": ["BASIC", "FULL", "OLD"]},
                "kinds": {"type": "array", "location": "query", "items": {"type": "string", "enum": ["A"]}},
            }})),
            with_method(json!({"parameters": {
                "name": {"type": "string", "location": "path", "required": true, "pattern": "^jobs/.+$"},
                "soon": {"type": "string", "location": "query", "required": true},
                "was": {"type": "string", "location": "query"},
                "count": {"type": "integer", "format": "int32", "location": "query"},
                "mask": {"type": "string", "location": "query"},
                "moved": {"type": "string", "location": "path", "required": true},
                "filter": {"type": "string", "location": "query", "pattern": "b"},
                "view": {"type": "string", "location": "query", "enum": ["BASIC", "FULL", "NEW"]},
                "kinds": {"type": "array", "location": "query", "items": {"type": "string", "enum": ["A", "B"]}},
                "extra": {"type": "boolean", "location": "query"},
                "key2": {"type": "string", "location": "query", "required": true},
            }})),
        ),
        (
            "positional order",
            with_method(json!({
                "path": "v1/{a}/{b}",
                "parameters": {"a": {"type": "string", "location": "path"}, "b": {"type": "string", "location": "path"}},
                "parameterOrder": ["a", "b"],
            })),
            with_method(json!({
                "path": "v1/{a}/{b}",
                "parameters": {"a": {"type": "string", "location": "path"}, "b": {"type": "string", "location": "path"}},
                "parameterOrder": ["b", "a"],
            })),
        ),
        (
            "request and response",
            json!({"resources": {"jobs": {"methods": {
                "a": jobs_method(json!({"request": {"$ref": "Req"}})),
                "b": jobs_method(json!({})),
                "c": jobs_method(json!({"request": {"$ref": "Req"}, "response": {"$ref": "Res"}})),
                "d": jobs_method(json!({"response": {"$ref": "Res"}})),
                "e": jobs_method(json!({})),
                "f": jobs_method(json!({"request": {"type": "object", "properties": {"x": {"type": "string"}}}})),
            }}}}),
            json!({"resources": {"jobs": {"methods": {
                "a": jobs_method(json!({})),
                "b": jobs_method(json!({"request": {"$ref": "Req"}})),
                "c": jobs_method(json!({"request": {"$ref": "Req2"}, "response": {"$ref": "Res2"}})),
                "d": jobs_method(json!({})),
                "e": jobs_method(json!({"response": {"$ref": "Res"}})),
                "f": jobs_method(json!({"request": {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}})),
            }}}}),
        ),
        (
            "media",
            json!({"resources": {"jobs": {"methods": {
                "down": jobs_method(json!({"supportsMediaDownload": true})),
                "up": jobs_method(json!({})),
                "upGone": jobs_method(json!({"supportsMediaUpload": true, "mediaUpload": {"accept": ["*/*"]}})),
                "upChanged": jobs_method(json!({"supportsMediaUpload": true, "mediaUpload": {"accept": ["*/*"], "maxSize": "10MB"}})),
                "downNew": jobs_method(json!({})),
            }}}}),
            json!({"resources": {"jobs": {"methods": {
                "down": jobs_method(json!({})),
                "up": jobs_method(json!({"supportsMediaUpload": true, "mediaUpload": {"accept": ["image/*"], "protocols": {"simple": {"multipart": true, "path": "/upload/v1/{+name}"}}}})),
                "upGone": jobs_method(json!({})),
                "upChanged": jobs_method(json!({"supportsMediaUpload": true, "mediaUpload": {"accept": ["*/*"], "maxSize": "1MB"}})),
                "downNew": jobs_method(json!({"supportsMediaDownload": true})),
            }}}}),
        ),
        (
            "schemas",
            json!({"schemas": {
                "Gone": {"id": "Gone", "type": "object"},
                "Kind": {"id": "Kind", "type": "object", "properties": {"a": {"type": "string"}}},
                "Same": {"id": "Same", "type": "object"},
            }}),
            json!({"schemas": {
                "Kind": {"id": "Kind", "type": "string", "enum": ["A"]},
                "New": {"id": "New", "type": "object"},
                "Same": {"id": "Same", "type": "object"},
            }}),
        ),
        (
            "fields",
            with_properties(json!({
                "gone": {"type": "string"},
                "num": {"type": "string"},
                "target": {"$ref": "A"},
                "list": {"type": "array", "items": {"type": "string"}},
                "map": {"type": "object", "additionalProperties": {"type": "string"}},
                "mask": {"type": "string", "format": "google-fieldmask"},
                "big": {"type": "string", "format": "int64"},
                "nested": {"type": "object", "properties": {"x": {"type": "string"}}},
                "rows": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}},
            })),
            with_properties(json!({
                "num": {"type": "integer", "format": "int32"},
                "target": {"$ref": "B"},
                "list": {"type": "array", "items": {"type": "integer"}},
                "map": {"type": "object", "additionalProperties": {"$ref": "A"}},
                "mask": {"type": "string"},
                "big": {"type": "string", "format": "uint64"},
                "nested": {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "boolean"}}},
                "rows": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}, "z": {"type": "number"}}}},
                "added": {"type": "string", "format": "google-datetime"},
                "mode": {"type": "string", "enum": ["A", "B"]},
            })),
        ),
        (
            "additional properties of a struct",
            json!({"schemas": {
                "M": {"id": "M", "type": "object", "properties": {"a": {"type": "string"}}},
                "N": {"id": "N", "type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}},
            }}),
            json!({"schemas": {
                "M": {"id": "M", "type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}},
                "N": {"id": "N", "type": "object", "properties": {"a": {"type": "string"}}},
            }}),
        ),
        (
            "enum values",
            json!({"schemas": {
                "Top": {"id": "Top", "type": "string", "enum": ["A", "B"]},
                "S": {"id": "S", "type": "object", "properties": {
                    "state": {"type": "string", "enum": ["ON", "OFF", "GONE"], "enumDescriptions": ["on", "off", "gone"]},
                    "inner": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["X"]}}},
                    "modes": {"type": "array", "items": {"type": "string", "enum": ["P"]}},
                }},
            }}),
            json!({"schemas": {
                "Top": {"id": "Top", "type": "string", "enum": ["A", "C"]},
                "S": {"id": "S", "type": "object", "properties": {
                    "state": {"type": "string", "enum": ["ON", "OFF", "NEW"], "enumDescriptions": ["on", "switched off", "new"],
                              "enumDeprecated": [false, true, false]},
                    "inner": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["X", "Y"]}}},
                    "modes": {"type": "array", "items": {"type": "string", "enum": ["Q"]}},
                }},
            }}),
        ),
        (
            "scopes",
            json!({
                "auth": {"oauth2": {"scopes": {
                    "https://s/a": {"description": "A"},
                    "https://s/b": {"description": "B"},
                    "https://s/gone": {"description": "gone"},
                }}},
                "resources": {"jobs": {"methods": {"get": jobs_method(json!({"scopes": ["https://s/a", "https://s/gone"]}))}}},
            }),
            json!({
                "auth": {"oauth2": {"scopes": {
                    "https://s/a": {"description": "A, renamed"},
                    "https://s/b": {"description": "B"},
                    "https://s/new": {"description": "new"},
                }}},
                "resources": {"jobs": {"methods": {"get": jobs_method(json!({"scopes": ["https://s/b", "https://s/new"]}))}}},
            }),
        ),
        (
            "deprecations",
            json!({
                "resources": {"jobs": {"methods": {"get": jobs_method(json!({}))}}},
                "schemas": {"S": {"id": "S", "type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string", "deprecated": true}}}},
            }),
            json!({
                "resources": {"jobs": {"deprecated": true, "methods": {"get": jobs_method(json!({
                    "deprecated": true,
                    "parameters": {"name": {"type": "string", "location": "path", "required": true, "deprecated": true}},
                }))}}},
                "schemas": {"S": {"id": "S", "type": "object", "deprecated": true, "properties": {"a": {"type": "string", "deprecated": true}, "b": {"type": "string"}}}},
            }),
        ),
        (
            "service",
            json!({"mtlsRootUrl": "https://x.mtls.googleapis.com/", "endpoints": []}),
            json!({
                "rootUrl": "https://y.googleapis.com/",
                "servicePath": "x/",
                "mtlsRootUrl": "https://y.mtls.googleapis.com/",
                "endpoints": [{"endpointUrl": "https://eu.googleapis.com/", "location": "eu"}],
                "fullyEncodeReservedExpansion": true,
            }),
        ),
        (
            "descriptions",
            json!({
                "title": "X", "description": "old", "documentationLink": "https://a",
                "resources": {"jobs": {"methods": {"get": jobs_method(json!({"description": "gets"}))}}},
                "schemas": {"S": {"id": "S", "type": "object", "description": "S", "properties": {
                    "a": {"type": "string", "description": "a"},
                    "b": {"type": "string"},
                    "c": {"type": "string", "default": "1", "annotations": {"required": ["x.jobs.get"]}},
                }}},
            }),
            json!({
                "title": "X API", "description": "new", "documentationLink": "https://b",
                "resources": {"jobs": {"methods": {"get": jobs_method(json!({
                    "description": "gets a job",
                    "parameters": {"name": {"type": "string", "location": "path", "required": true, "description": "The name."}},
                }))}}},
                "schemas": {"S": {"id": "S", "type": "object", "description": "The S.", "properties": {
                    "a": {"type": "string", "description": "A."},
                    "b": {"type": "string", "readOnly": true},
                    "c": {"type": "string", "default": "2", "annotations": {"required": []}},
                }}},
            }),
        ),
        (
            "standard parameters",
            json!({"parameters": {
                "fields": {"type": "string", "location": "query"},
                "alt": {"type": "string", "location": "query"},
                "quotaUser": {"type": "string", "location": "query"},
            }}),
            json!({"parameters": {
                "fields": {"type": "string", "location": "query"},
                "callback": {"type": "string", "location": "query"},
                "$.xgafv": {"type": "string", "location": "query", "enum": ["1", "2"]},
            }}),
        ),
    ]
}

/// The expected lines of each case, in the order of [`cases`].
fn expected() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "compatible resources.fresh: resource added",
            "compatible resources.fresh.methods.check: method added: POST v1/fresh:check",
            "compatible resources.fresh.resources.inner: resource added",
            "compatible resources.fresh.resources.inner.methods.peek: method added: GET v1/inner",
            "compatible resources.jobs.methods.cancel: method added: POST v1/{+name}:cancel",
            "breaking resources.old: resource removed",
            "breaking resources.old.methods.list: method removed: GET v1/old",
        ],
        vec![
            "breaking resources.jobs.methods.get.httpMethod: HTTP method changed: GET → POST",
            "breaking resources.jobs.methods.get.path: path changed: v1/{+name} → v2/{+name}",
        ],
        vec![
            "breaking resources.jobs.methods.get.parameters.count: parameter type changed: string → integer (int32)",
            "compatible resources.jobs.methods.get.parameters.extra: optional parameter added: boolean in query",
            "description-only resources.jobs.methods.get.parameters.filter.pattern: description changed",
            "breaking resources.jobs.methods.get.parameters.gone: parameter removed: string in query",
            "breaking resources.jobs.methods.get.parameters.key2: required parameter added: string in query",
            "compatible resources.jobs.methods.get.parameters.kinds.items.enum: enum value added: B",
            "compatible resources.jobs.methods.get.parameters.mask: format changed (same Rust type): string (google-fieldmask) → string",
            "breaking resources.jobs.methods.get.parameters.moved: parameter location changed: query → path",
            "breaking resources.jobs.methods.get.parameters.moved: parameter made required",
            "breaking resources.jobs.methods.get.parameters.name.pattern: path parameter pattern changed: ^jobs/[^/]+$ → ^jobs/.+$",
            "breaking resources.jobs.methods.get.parameters.soon: parameter made required",
            "breaking resources.jobs.methods.get.parameters.view.enum: enum value removed: OLD",
            "compatible resources.jobs.methods.get.parameters.view.enum: enum value added: NEW",
            "breaking resources.jobs.methods.get.parameters.was: parameter made optional",
        ],
        vec!["breaking resources.jobs.methods.get.parameterOrder: positional arguments reordered: a, b → b, a"],
        vec![
            "breaking resources.jobs.methods.a.request: request body removed: Req",
            "breaking resources.jobs.methods.b.request: request body added: Req",
            "breaking resources.jobs.methods.c.request: request type changed: Req → Req2",
            "breaking resources.jobs.methods.c.response: response type changed: Res → Res2",
            "breaking resources.jobs.methods.d.response: response removed: Res",
            "breaking resources.jobs.methods.e.response: response added: Res",
            "compatible resources.jobs.methods.f.request.properties.y: field added: string",
        ],
        vec![
            "breaking resources.jobs.methods.down.supportsMediaDownload: media download removed",
            "compatible resources.jobs.methods.downNew.supportsMediaDownload: media download added",
            "compatible resources.jobs.methods.up.mediaUpload: media upload added: accept image/*; max size unlimited; simple /upload/v1/{+name} (multipart)",
            "compatible resources.jobs.methods.upChanged.mediaUpload: media upload settings changed: \
             accept */*; max size 10MB; no protocols → accept */*; max size 1MB; no protocols",
            "breaking resources.jobs.methods.upGone.mediaUpload: media upload removed: accept */*; max size unlimited; no protocols",
        ],
        vec![
            "breaking schemas.Gone: schema removed: object",
            "breaking schemas.Kind: schema type changed: object → string enum",
            "compatible schemas.New: schema added: object",
        ],
        vec![
            "compatible schemas.S.properties.added: field added: string (google-datetime)",
            "breaking schemas.S.properties.big: field type changed: string (int64) → string (uint64)",
            "breaking schemas.S.properties.gone: field removed: string",
            "breaking schemas.S.properties.list: field type changed: array of string → array of integer",
            "breaking schemas.S.properties.map: field type changed: map of string → map of A",
            "compatible schemas.S.properties.mask: format changed (same Rust type): string (google-fieldmask) → string",
            "compatible schemas.S.properties.mode: field added: string enum (A, B)",
            "compatible schemas.S.properties.nested.properties.y: field added: boolean",
            "breaking schemas.S.properties.num: field type changed: string → integer (int32)",
            "compatible schemas.S.properties.rows.items.properties.z: field added: number",
            "breaking schemas.S.properties.target: field type changed: A → B",
        ],
        vec![
            "compatible schemas.M.additionalProperties: field added: map of string",
            "breaking schemas.N.additionalProperties: field removed: map of string",
        ],
        vec![
            "compatible schemas.S.properties.inner.properties.mode.enum: enum value added: Y",
            "breaking schemas.S.properties.modes.items.enum: enum value removed: P",
            "compatible schemas.S.properties.modes.items.enum: enum value added: Q",
            "breaking schemas.S.properties.state.enum: enum value removed: GONE",
            "compatible schemas.S.properties.state.enum: deprecated: OFF",
            "description-only schemas.S.properties.state.enumDescriptions: description changed: OFF",
            "compatible schemas.S.properties.state.enum: enum value added: NEW",
            "breaking schemas.Top.enum: enum value removed: B",
            "compatible schemas.Top.enum: enum value added: C",
        ],
        vec![
            "description-only auth.oauth2.scopes: description changed: https://s/a",
            "breaking auth.oauth2.scopes: scope removed: https://s/gone",
            "compatible auth.oauth2.scopes: scope added: https://s/new",
            "breaking resources.jobs.methods.get.scopes: method no longer accepts scope: https://s/a",
            "compatible resources.jobs.methods.get.scopes: method accepts scope: https://s/b",
        ],
        vec![
            "compatible resources.jobs: deprecated",
            "compatible resources.jobs.methods.get: deprecated",
            "compatible resources.jobs.methods.get.parameters.name: deprecated",
            "compatible schemas.S: deprecated",
            "compatible schemas.S.properties.a: deprecated",
            "compatible schemas.S.properties.b: no longer deprecated",
        ],
        vec![
            "compatible rootUrl: endpoint changed: https://x.googleapis.com/ → https://y.googleapis.com/",
            "compatible servicePath: endpoint changed: x/",
            "compatible mtlsRootUrl: endpoint changed: https://x.mtls.googleapis.com/ → https://y.mtls.googleapis.com/",
            "compatible endpoints: endpoint changed: https://eu.googleapis.com/ (eu)",
            "compatible fullyEncodeReservedExpansion: path parameter encoding changed: false → true",
        ],
        vec![
            "description-only title: description changed",
            "description-only description: description changed",
            "description-only documentationLink: description changed",
            "description-only resources.jobs.methods.get.description: description changed",
            "description-only resources.jobs.methods.get.parameters.name.description: description changed",
            "description-only schemas.S.description: description changed",
            "description-only schemas.S.properties.a.description: description changed",
            "description-only schemas.S.properties.b.readOnly: description changed",
            "description-only schemas.S.properties.c.default: description changed",
            "description-only schemas.S.properties.c.annotations.required: description changed",
        ],
        vec![
            "compatible parameters[\"$.xgafv\"]: optional parameter added: string enum (1, 2) in query",
            "breaking parameters.quotaUser: parameter removed: string in query",
        ],
    ]
}

#[test]
fn each_case_reports_exactly_its_changes() {
    let expected = expected();
    let cases = cases();
    assert_eq!(cases.len(), expected.len());
    for ((name, old, new), expected) in cases.into_iter().zip(expected) {
        assert_eq!(lines(old, new), expected, "case {name:?}");
    }
}

#[test]
fn every_kind_is_covered() {
    let mut seen = BTreeSet::new();
    for (_, old, new) in cases() {
        seen.extend(
            diff(&document(old), &document(new))
                .expect("resolves")
                .iter()
                .map(|change| change.kind),
        );
    }
    let missing: Vec<Kind> = Kind::ALL.iter().copied().filter(|kind| !seen.contains(kind)).collect();
    assert_eq!(missing, vec![], "kinds no case produces");
}

#[test]
fn the_same_document_has_no_changes_even_with_a_new_revision_and_etag() {
    let old = document(with_properties(json!({"a": {"type": "string"}})));
    let mut new = old.clone();
    new.revision = "20990101".into();
    new.etag = "\"2\"".into();
    assert_eq!(diff(&old, &new).expect("resolves"), vec![]);
}

#[test]
fn a_method_following_a_scope_the_document_adds_or_removes_is_not_reported_again() {
    let old = json!({
        "auth": {"oauth2": {"scopes": {"https://s/a": {}, "https://s/gone": {}}}},
        "resources": {"jobs": {"methods": {"get": jobs_method(json!({"scopes": ["https://s/a", "https://s/gone"]}))}}},
    });
    let new = json!({
        "auth": {"oauth2": {"scopes": {"https://s/a": {}, "https://s/new": {}}}},
        "resources": {"jobs": {"methods": {"get": jobs_method(json!({"scopes": ["https://s/a", "https://s/new"]}))}}},
    });
    assert_eq!(
        lines(old, new),
        vec![
            "breaking auth.oauth2.scopes: scope removed: https://s/gone",
            "compatible auth.oauth2.scopes: scope added: https://s/new",
        ]
    );
}

#[test]
fn description_changes_keep_both_texts() {
    let old = document(json!({"schemas": {"S": {"id": "S", "type": "object", "description": "Before."}}}));
    let new = document(json!({"schemas": {"S": {"id": "S", "type": "object", "description": "After."}}}));
    assert_eq!(
        diff(&old, &new).expect("resolves"),
        vec![
            Change::at(Kind::DescriptionChanged, "schemas.S.description")
                .before("Before.")
                .after("After.")
        ]
    );
}

#[test]
fn a_reordered_enum_or_an_unchanged_optional_order_is_no_change() {
    let old = with_properties(json!({"s": {"type": "string", "enum": ["A", "B"]}}));
    let new = with_properties(json!({"s": {"type": "string", "enum": ["B", "A"]}}));
    assert_eq!(lines(old, new), Vec::<String>::new());
    // Only the positional arguments' order matters; adding an optional parameter keeps it.
    let old = with_method(json!({"parameterOrder": ["name"]}));
    let new = with_method(json!({
        "parameterOrder": ["name", "pageSize"],
        "parameters": {
            "name": {"type": "string", "location": "path", "required": true},
            "pageSize": {"type": "integer", "location": "query"},
        },
    }));
    assert_eq!(
        lines(old, new),
        vec!["compatible resources.jobs.methods.get.parameters.pageSize: optional parameter added: integer in query"]
    );
}

#[test]
fn impacts_are_the_classification_of_the_kind() {
    let change = Change::at(Kind::FieldAdded, "schemas.S.properties.x");
    assert_eq!(change.impact(), Impact::Compatible);
    let change = Change::at(Kind::FieldRemoved, "schemas.S.properties.x");
    assert_eq!(change.impact(), Impact::Breaking);
}

#[test]
fn a_document_the_generator_cannot_resolve_is_an_error_naming_where() {
    let old = document(json!({}));
    let mut new = old.clone();
    new.schemas.insert(
        "S".to_owned(),
        serde_json::from_value(json!({"type": "object", "properties": {"x": {"$ref": "Missing"}}})).expect("schema"),
    );
    let error = diff(&old, &new).expect_err("a dangling $ref").to_string();
    assert!(error.starts_with("schemas.S.properties.x.$ref:"), "{error}");
}

#[test]
fn a_method_parameter_the_crate_exposes_as_a_standard_setter_is_not_compared() {
    // `fields` is a standard parameter: the generated builder's `fields()` setter is the
    // standard one, so a method that also declares it gets no setter of its own.
    let standard = json!({"fields": {"type": "string", "location": "query"}});
    let old = json!({"parameters": standard, "resources": {"jobs": {"methods": {"get": jobs_method(json!({}))}}}});
    let mut parameters = jobs_method(json!({}))["parameters"].clone();
    parameters["fields"] = json!({"type": "integer", "location": "query"});
    let new = json!({
        "parameters": standard,
        "resources": {"jobs": {"methods": {"get": jobs_method(json!({"parameters": parameters}))}}},
    });
    assert_eq!(lines(old, new), Vec::<String>::new());
}
