//! Small random Discovery documents: every part of the format (identity, parameters,
//! scopes, schemas with every type and format, nested resources, methods with path
//! templates, media upload and download), with names and text drawn from [`super::strings`].

use serde_json::{Map, Value, json};

use super::strings;

/// A random document. Its identity is valid most of the time, so that generation usually gets
/// past the document checks and reaches names, types and text.
pub fn document(rng: &mut fastrand::Rng) -> Value {
    let valid_identity = rng.u8(0..10) < 8;
    let (api_name, version) = if valid_identity {
        (
            pick(rng, &["tiny", "youtubeAnalytics", "prod_tt_sasportal"]),
            pick(rng, &["v1", "v2beta1", "directory_v1"]),
        )
    } else {
        (strings::any(rng), strings::any(rng))
    };
    let mut doc = Map::new();
    doc.insert("kind".into(), json!("discovery#restDescription"));
    doc.insert("name".into(), json!(api_name));
    doc.insert("version".into(), json!(version));
    if rng.bool() {
        let id = if valid_identity {
            format!("{api_name}:{version}")
        } else {
            strings::any(rng)
        };
        doc.insert("id".into(), json!(id));
    }
    if rng.bool() {
        let revision = if valid_identity && rng.bool() {
            "20260101".to_owned()
        } else {
            strings::any(rng)
        };
        doc.insert("revision".into(), json!(revision));
    }
    for key in ["title", "description", "documentationLink", "servicePath", "ownerName"] {
        if rng.bool() {
            doc.insert(key.into(), json!(text(rng)));
        }
    }
    let root_url = if rng.u8(0..10) < 9 {
        "https://tiny.googleapis.com/".to_owned()
    } else {
        strings::any(rng)
    };
    doc.insert("rootUrl".into(), json!(root_url));
    if rng.u8(0..4) == 0 {
        doc.insert("mtlsRootUrl".into(), json!(strings::any(rng)));
    }
    if rng.u8(0..4) == 0 {
        let endpoints: Vec<Value> = (0..rng.usize(1..3))
            .map(|_| json!({"endpointUrl": strings::any(rng), "location": strings::any(rng), "description": text(rng)}))
            .collect();
        doc.insert("endpoints".into(), Value::Array(endpoints));
    }
    doc.insert("parameters".into(), parameters(rng, 3, false));
    let scopes: Map<String, Value> = (0..rng.usize(0..4))
        .map(|_| (scope_url(rng), json!({"description": text(rng)})))
        .collect();
    doc.insert("auth".into(), json!({"oauth2": {"scopes": scopes}}));
    let schema_ids: Vec<String> = (0..rng.usize(0..5)).map(|_| name(rng)).collect();
    let schemas: Map<String, Value> = schema_ids
        .iter()
        .map(|id| (id.clone(), schema(rng, &schema_ids, 2, Some(id))))
        .collect();
    doc.insert("schemas".into(), Value::Object(schemas));
    doc.insert("methods".into(), methods(rng, &schema_ids));
    doc.insert("resources".into(), resources(rng, &schema_ids, 2));
    if rng.u8(0..=255) == 0 {
        add_alias_chain(rng, &mut doc);
    }
    Value::Object(doc)
}

/// Sometimes a long chain of aliases (`C0 → C1 → ... → Cn`, arrays or plain `$ref`s) and a path
/// `pattern` of many `.*`: shapes that cost superlinear time in a naive generator or runtime,
/// which the run's time check catches.
pub(super) fn add_alias_chain(rng: &mut fastrand::Rng, doc: &mut Map<String, Value>) {
    let n = rng.usize(1000..3000);
    let Some(Value::Object(schemas)) = doc.get_mut("schemas") else {
        return;
    };
    for i in 0..n {
        let next = json!({"$ref": format!("C{}", i + 1)});
        let schema = if rng.bool() {
            json!({"type": "array", "items": next})
        } else {
            next
        };
        schemas.insert(format!("C{i}"), schema);
    }
    schemas.insert(
        format!("C{n}"),
        json!({"type": "object", "properties": {"c": {"$ref": "C0"}}}),
    );
    let pattern = format!("^{}a$", ".*".repeat(rng.usize(1..2000)));
    doc.insert(
        "methods".into(),
        json!({"chain": {"id": "x.chain", "path": "v1/{+name}", "httpMethod": "GET",
            "parameters": {"name": {"type": "string", "location": "path", "required": true, "pattern": pattern}},
            "response": {"$ref": "C0"}}}),
    );
}

fn pick(rng: &mut fastrand::Rng, options: &[&str]) -> String {
    options[rng.usize(0..options.len())].to_owned()
}

/// A resource, method or schema key (checked by the generator): rarely hostile, so that most
/// documents get past the checks.
fn key(rng: &mut fastrand::Rng) -> String {
    if rng.u8(0..20) == 0 {
        strings::any(rng)
    } else {
        pick(rng, strings::PLAIN_NAMES)
    }
}

/// A property, parameter or enum value name (turned into identifiers): often hostile.
fn name(rng: &mut fastrand::Rng) -> String {
    if rng.u8(0..10) < 6 {
        pick(rng, strings::PLAIN_NAMES)
    } else {
        strings::any(rng)
    }
}

/// Prose: plain words, hostile text, or both.
fn text(rng: &mut fastrand::Rng) -> String {
    match rng.u8(0..3) {
        0 => "A description with `code` and https://example.com/a_b.".to_owned(),
        1 => strings::any(rng),
        _ => format!("Text {} more {}", strings::any(rng), strings::any(rng)),
    }
}

fn scope_url(rng: &mut fastrand::Rng) -> String {
    match rng.u8(0..3) {
        0 => format!("https://www.googleapis.com/auth/tiny.{}", name(rng)),
        1 => format!("https://www.googleapis.com/auth/{}", name(rng)),
        _ => strings::any(rng),
    }
}

fn schema(rng: &mut fastrand::Rng, ids: &[String], depth: u8, own_id: Option<&str>) -> Value {
    let mut out = Map::new();
    if let Some(id) = own_id
        && rng.bool()
    {
        out.insert("id".into(), json!(id));
    }
    let choice = if depth == 0 { rng.u8(0..5) } else { rng.u8(0..9) };
    match choice {
        0 => {
            out.insert("type".into(), json!("string"));
            let format = pick(
                rng,
                &[
                    "",
                    "byte",
                    "date-time",
                    "google-datetime",
                    "date",
                    "google-duration",
                    "int64",
                    "uint64",
                    "google-fieldmask",
                ],
            );
            if !format.is_empty() {
                out.insert("format".into(), json!(format));
            }
        }
        1 => {
            out.insert("type".into(), json!(pick(rng, &["integer", "number"])));
            out.insert(
                "format".into(),
                json!(pick(rng, &["int32", "uint32", "int64", "uint64", "float", "double"])),
            );
        }
        2 => {
            out.insert("type".into(), json!(pick(rng, &["boolean", "any", "null"])));
        }
        3 => {
            out.insert("type".into(), json!("string"));
            let values: Vec<String> = (0..rng.usize(0..4)).map(|_| name(rng)).collect();
            let descriptions: Vec<String> = values.iter().map(|_| text(rng)).collect();
            let deprecated: Vec<bool> = values.iter().map(|_| rng.bool()).collect();
            out.insert("enum".into(), json!(values));
            out.insert("enumDescriptions".into(), json!(descriptions));
            out.insert("enumDeprecated".into(), json!(deprecated));
        }
        4 if !ids.is_empty() => {
            out.insert("$ref".into(), json!(ids[rng.usize(0..ids.len())]));
        }
        4 => {
            out.insert("$ref".into(), json!(strings::any(rng)));
        }
        5 | 6 => {
            out.insert("type".into(), json!("object"));
            let properties: Map<String, Value> = (0..rng.usize(0..4))
                .map(|_| (name(rng), schema(rng, ids, depth - 1, None)))
                .collect();
            out.insert("properties".into(), Value::Object(properties));
        }
        7 => {
            out.insert("type".into(), json!("array"));
            out.insert("items".into(), schema(rng, ids, depth - 1, None));
        }
        _ => {
            out.insert("type".into(), json!("object"));
            out.insert("additionalProperties".into(), schema(rng, ids, depth - 1, None));
        }
    }
    for (key, value) in [
        ("description", json!(text(rng))),
        ("default", json!(strings::any(rng))),
        ("pattern", json!(strings::any(rng))),
        ("readOnly", json!(true)),
        ("deprecated", json!(true)),
        ("required", json!(true)),
        ("annotations", json!({"required": [strings::any(rng)]})),
    ] {
        if rng.u8(0..4) == 0 {
            out.insert(key.into(), value);
        }
    }
    Value::Object(out)
}

fn parameters(rng: &mut fastrand::Rng, max: usize, with_path: bool) -> Value {
    let mut params = Map::new();
    for _ in 0..rng.usize(0..=max) {
        let mut param = match schema(rng, &[], 0, None) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        param.remove("$ref");
        let location = if with_path && rng.bool() { "path" } else { "query" };
        param.insert("location".into(), json!(location));
        if rng.u8(0..4) == 0 {
            param.insert("repeated".into(), json!(true));
        }
        params.insert(name(rng), Value::Object(param));
    }
    Value::Object(params)
}

fn methods(rng: &mut fastrand::Rng, ids: &[String]) -> Value {
    let methods: Map<String, Value> = (0..rng.usize(0..3)).map(|_| (key(rng), method(rng, ids))).collect();
    Value::Object(methods)
}

fn method(rng: &mut fastrand::Rng, ids: &[String]) -> Value {
    let parameters = parameters(rng, 3, true);
    let names: Vec<String> = parameters
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let path_params: Vec<&String> = names
        .iter()
        .filter(|n| parameters[n.as_str()]["location"] == "path")
        .collect();
    let mut path = String::from("v1/");
    for name in &path_params {
        let expansion = if rng.bool() { "+" } else { "" };
        path.push_str(&format!("{{{expansion}{name}}}/"));
    }
    if rng.u8(0..20) == 0 {
        path = strings::any(rng);
    }
    let mut method = Map::new();
    method.insert(
        "id".into(),
        json!(if rng.bool() {
            "tiny.things.get".to_owned()
        } else {
            strings::any(rng)
        }),
    );
    method.insert("path".into(), json!(path));
    method.insert("flatPath".into(), json!(strings::any(rng)));
    method.insert(
        "httpMethod".into(),
        json!(pick(
            rng,
            &[
                "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "get", "GET", "POST", "TRACE"
            ]
        )),
    );
    method.insert("description".into(), json!(text(rng)));
    method.insert("parameterOrder".into(), json!(path_params));
    method.insert("parameters".into(), parameters);
    if !ids.is_empty() && rng.bool() {
        method.insert(
            "request".into(),
            json!({"$ref": ids[rng.usize(0..ids.len())], "parameterName": key(rng)}),
        );
    }
    if !ids.is_empty() && rng.bool() {
        method.insert("response".into(), json!({"$ref": ids[rng.usize(0..ids.len())]}));
    }
    method.insert("scopes".into(), json!([scope_url(rng)]));
    if rng.u8(0..4) == 0 {
        method.insert("supportsMediaDownload".into(), json!(true));
    }
    if rng.u8(0..4) == 0 {
        method.insert("supportsMediaUpload".into(), json!(true));
        method.insert(
            "mediaUpload".into(),
            json!({
                "accept": [strings::any(rng)],
                "maxSize": pick(rng, &["10MB", "1GB", "5", "5TB", "10MB", "lots"]),
                "protocols": {
                    "simple": {"multipart": true, "path": format!("/upload/{path}")},
                    "resumable": {"multipart": true, "path": if rng.bool() { format!("/resumable/upload/{path}") } else { strings::any(rng) }},
                },
            }),
        );
    }
    if rng.u8(0..8) == 0 {
        method.insert("deprecated".into(), json!(true));
    }
    Value::Object(method)
}

fn resources(rng: &mut fastrand::Rng, ids: &[String], depth: u8) -> Value {
    let mut out = Map::new();
    for _ in 0..rng.usize(0..3) {
        let mut resource = Map::new();
        resource.insert("methods".into(), methods(rng, ids));
        if depth > 0 {
            resource.insert("resources".into(), resources(rng, ids, depth - 1));
        }
        if rng.u8(0..8) == 0 {
            resource.insert("deprecated".into(), json!(true));
        }
        out.insert(key(rng), Value::Object(resource));
    }
    Value::Object(out)
}
