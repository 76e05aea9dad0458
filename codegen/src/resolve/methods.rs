//! Resources and methods: accessors, request builders, positional and optional parameters,
//! path templates.

use std::collections::BTreeMap;

use super::ir::{
    Docs, HttpMethod, MediaUpload, Method, Pagination, Param, ParamLocation, PathPiece, PathStyle, RequestBody,
    Resource, RustType, TypeDef,
};
use super::names::{Namespace, camel, claim_all, claim_all_or, shouty, snake};
use super::types::{SchemaNames, Scope, TypeBuilder, hoist_param_enum, property_docs};
use crate::Error;
use crate::emit::text::code_span;
use crate::json_path::{child, join};
use crate::parse::{JsonSchema, RestMethod, RestResource, SchemaType};

/// Names a builder cannot give to a parameter setter: its own methods.
pub const BUILDER_RESERVED: &[&str] = &[
    "send",
    "new",
    "header",
    "timeout",
    "attempt_timeout",
    "retry",
    "idempotent",
    "max_response_bytes",
    "call",
    "pages",
    "items",
    "download",
    "upload",
    "upload_resumable",
];

/// Names the generated `Client` already uses.
pub const CLIENT_RESERVED: &[&str] = &["builder", "new", "from", "clone", "runtime", "base_url"];

/// Builds resources and methods.
pub struct MethodBuilder<'a> {
    pub names: &'a SchemaNames,
    /// `fullyEncodeReservedExpansion` of the document.
    pub fully_encode_reserved: bool,
    /// Setter names taken by standard parameters, by their JSON name.
    pub standard_params: &'a BTreeMap<String, String>,
    /// How to page through each response type that has a `nextPageToken`.
    pub page_shapes: &'a BTreeMap<String, Pagination>,
}

/// What the document's top level and a resource both hold.
pub struct Members {
    pub methods: Vec<Method>,
    pub resources: Vec<Resource>,
    pub param_types: Vec<TypeDef>,
}

impl MethodBuilder<'_> {
    /// The document's top level (the module `resources`): its methods, reached from `Client`,
    /// and everything below it. Each top-level resource has no feature yet (see
    /// [`super::features`]).
    pub fn root(
        &self,
        methods: &BTreeMap<String, RestMethod>,
        resources: &BTreeMap<String, RestResource>,
    ) -> Result<(Vec<String>, Members), Error> {
        let module_path = vec!["resources".to_owned()];
        let members = self.members("Client", CLIENT_RESERVED, methods, resources, &module_path, "")?;
        Ok((module_path, members))
    }

    /// A resource of the document and everything below it.
    fn resource(
        &self,
        key: &str,
        resource: &RestResource,
        module_path: Vec<String>,
        json_path: &str,
    ) -> Result<Resource, Error> {
        let handle = camel(key);
        let members = self.members(
            &handle,
            &["new"],
            &resource.methods,
            &resource.resources,
            &module_path,
            json_path,
        )?;
        Ok(Resource {
            json_name: key.to_owned(),
            json_path: json_path.to_owned(),
            module: module_path.last().cloned().unwrap_or_default(),
            handle,
            accessor: snake(key),
            module_path,
            deprecated: resource.deprecated,
            methods: members.methods,
            resources: members.resources,
            param_types: members.param_types,
        })
    }

    /// The methods, child resources and parameter types of the module at `module_path`, whose
    /// handle is `handle` (`Client` at the top level) and whose accessors cannot be named
    /// `accessor_reserved`.
    fn members(
        &self,
        handle: &str,
        accessor_reserved: &[&str],
        methods: &BTreeMap<String, RestMethod>,
        resources: &BTreeMap<String, RestResource>,
        module_path: &[String],
        json_path: &str,
    ) -> Result<Members, Error> {
        // Types of this module: the handle, the builders, then parameter enums.
        let mut types = Namespace::with_reserved(&[handle]);
        let mut consts = Namespace::default();
        let mut accessors = Namespace::with_reserved(accessor_reserved);
        let method_keys: Vec<&str> = methods.keys().map(String::as_str).collect();
        let accessor_names = claim_all_or(&mut accessors, &method_keys, snake, Some("_method"), "_");
        let resource_keys: Vec<&str> = resources.keys().map(String::as_str).collect();
        let resource_accessors = claim_all_or(&mut accessors, &resource_keys, snake, Some("_resource"), "_");
        let mut modules = Namespace::default();
        let resource_modules = claim_all(&mut modules, &resource_keys, snake, "_");
        let builder_names: Vec<String> = method_keys
            .iter()
            // `self` is the type name `Self_` but the builder `SelfCall`.
            .map(|k| types.claim(format!("{}Call", camel(k).trim_end_matches('_')), ""))
            .collect();
        let mut reserved: Vec<&str> = builder_names.iter().map(String::as_str).collect();
        reserved.push(handle);
        let mut param_types = Scope::with_reserved(module_path.to_vec(), &reserved);
        let mut built_methods = Vec::with_capacity(methods.len());
        for (i, (method_key, method)) in methods.iter().enumerate() {
            let path = join(json_path, &["methods", method_key]);
            let info_const = consts.claim(shouty(method_key), "_");
            let upload_const = consts.claim(format!("{info_const}_UPLOAD"), "_");
            let names = MethodNames {
                accessor: accessor_names[i].clone(),
                builder: builder_names[i].clone(),
                info_const,
                upload_const,
            };
            built_methods.push(self.method(method_key, method, names, &path, &mut param_types)?);
        }
        let mut children = Vec::with_capacity(resources.len());
        for (i, (child_key, child)) in resources.iter().enumerate() {
            let mut child_path = module_path.to_vec();
            child_path.push(resource_modules[i].clone());
            let mut resource = self.resource(
                child_key,
                child,
                child_path,
                &join(json_path, &["resources", child_key]),
            )?;
            resource.accessor = resource_accessors[i].clone();
            children.push(resource);
        }
        Ok(Members {
            methods: built_methods,
            resources: children,
            param_types: param_types.into_defs(),
        })
    }

    fn method(
        &self,
        key: &str,
        method: &RestMethod,
        names: MethodNames,
        json_path: &str,
        param_types: &mut Scope,
    ) -> Result<Method, Error> {
        let http_method = http_method(&method.http_method).ok_or_else(|| {
            unsupported(
                &format!("{json_path}.httpMethod"),
                format!("unknown HTTP method {:?}", method.http_method),
            )
        })?;
        let path = parse_path(&method.path, &method.parameters, self.fully_encode_reserved)
            .map_err(|message| unsupported(&format!("{json_path}.path"), message))?;

        // Positional: required parameters in `parameterOrder`, then other required ones.
        let mut positional: Vec<&str> = method
            .parameter_order
            .iter()
            .map(String::as_str)
            .filter(|p| method.parameters.get(*p).is_some_and(|s| s.required || is_path(s)))
            .collect();
        for (name, schema) in &method.parameters {
            if (schema.required || is_path(schema)) && !positional.contains(&name.as_str()) {
                positional.push(name);
            }
        }
        for name in &method.parameter_order {
            if !method.parameters.contains_key(name) {
                return Err(unsupported(
                    &format!("{json_path}.parameterOrder"),
                    format!("names {name:?}, which is not a declared parameter"),
                ));
            }
        }
        let optional: Vec<&str> = method
            .parameters
            .iter()
            .filter(|(name, _)| !positional.contains(&name.as_str()))
            .filter(|(name, _)| !self.standard_params.contains_key(*name))
            .map(|(name, _)| name.as_str())
            .collect();

        let mut args = Namespace::with_reserved(&["client", "call"]);
        let mut setters = Namespace::with_reserved(BUILDER_RESERVED);
        for setter in self.standard_params.values() {
            setters.claim(setter.clone(), "_");
        }
        let builder = TypeBuilder { names: self.names };
        let mut param = |name: &str, namespace: &mut Namespace| -> Result<Param, Error> {
            let schema = &method.parameters[name];
            let hint = format!("{}{}", camel(key), camel(name));
            let param_path = join(json_path, &["parameters", name]);
            let rust_name = namespace.claim_or(snake(name), Some("_param"), "_");
            param_from_schema(&builder, name, rust_name, schema, &param_path, param_types, &hint)
        };
        let required_params = positional
            .iter()
            .map(|name| param(name, &mut args))
            .collect::<Result<Vec<_>, _>>()?;
        let optional_params = optional
            .iter()
            .map(|name| param(name, &mut setters))
            .collect::<Result<Vec<_>, _>>()?;

        let request = match &method.request {
            Some(request) => Some(RequestBody {
                arg_name: args.claim("request".to_owned(), "_"),
                ty: builder.field_type(
                    request,
                    &format!("{json_path}.request"),
                    param_types,
                    &format!("{}Request", camel(key)),
                )?,
            }),
            None => None,
        };
        let response = match &method.response {
            Some(response) => {
                let hint = format!("{}Response", camel(key));
                Some(builder.field_type(response, &format!("{json_path}.response"), param_types, &hint)?)
            }
            None => None,
        };
        let notes = vec![code_span(&format!(
            "{} {}",
            method.http_method.to_uppercase(),
            method.path
        ))];
        let pagination = self.pagination(method, response.as_ref());
        let media_upload = match (&method.media_upload, method.supports_media_upload) {
            (Some(upload), true) => {
                Some(self.media_upload(upload, &method.parameters, &names.upload_const, json_path)?)
            }
            _ => None,
        };
        Ok(Method {
            id: method.id.clone(),
            json_name: key.to_owned(),
            json_path: json_path.to_owned(),
            accessor: names.accessor,
            builder: names.builder,
            info_const: names.info_const,
            http_method,
            path_template: method.path.clone(),
            path,
            docs: Docs {
                description: method.description.clone().unwrap_or_default(),
                notes,
                deprecated: method.deprecated,
            },
            required_params,
            request,
            optional_params,
            response,
            scopes: method.scopes.clone(),
            pagination,
            media_download: method.supports_media_download,
            media_upload,
        })
    }

    /// Paging applies when the method takes a `pageToken` and its response has a `nextPageToken`.
    fn pagination(&self, method: &RestMethod, response: Option<&RustType>) -> Option<Pagination> {
        let token = method.parameters.get("pageToken")?;
        if token.location.as_deref() != Some("query") || token.required {
            return None;
        }
        match response? {
            RustType::Named { path, .. } if path.len() == 2 && path[0] == "models" => {
                self.page_shapes.get(&path[1]).cloned()
            }
            _ => None,
        }
    }

    fn media_upload(
        &self,
        upload: &crate::parse::MediaUpload,
        parameters: &BTreeMap<String, JsonSchema>,
        info_const: &str,
        json_path: &str,
    ) -> Result<MediaUpload, Error> {
        let path_of =
            |protocol: &Option<crate::parse::MediaProtocol>, name: &str| -> Result<Option<Vec<PathPiece>>, Error> {
                match protocol {
                    Some(p) if !p.path.is_empty() => {
                        parse_path(p.path.trim_start_matches('/'), parameters, self.fully_encode_reserved)
                            .map(Some)
                            .map_err(|message| {
                                unsupported(&format!("{json_path}.mediaUpload.protocols.{name}.path"), message)
                            })
                    }
                    _ => Ok(None),
                }
            };
        let max_size = match &upload.max_size {
            Some(text) => Some(parse_size(text).ok_or_else(|| {
                unsupported(
                    &format!("{json_path}.mediaUpload.maxSize"),
                    format!("{text:?} is not a size"),
                )
            })?),
            None => None,
        };
        let simple_path = path_of(&upload.protocols.simple, "simple")?;
        // Google's own clients start every upload, resumable ones included, at the simple path
        // with `uploadType=resumable`; emulators and proxies serve only that path. The document's
        // `resumable.path` (`/resumable/upload/...`) is used only when there is no simple path.
        // Sources: google-api-go-generator (`mediaUploadPath()` is `protocols.simple.path`, for
        // every upload type), googleapiclient/discovery.py (`_media_path_url_from_info`: rootUrl +
        // `upload/` + servicePath + path, for every `uploadType`), and Cloud Storage's guide
        // (https://cloud.google.com/storage/docs/performing-resumable-uploads: `POST
        // /upload/storage/v1/b/BUCKET/o?uploadType=resumable`).
        let resumable_path = match &upload.protocols.resumable {
            Some(_) if simple_path.is_some() => simple_path.clone(),
            _ => path_of(&upload.protocols.resumable, "resumable")?,
        };
        Ok(MediaUpload {
            info_const: info_const.to_owned(),
            simple_path,
            resumable_path,
            max_size,
            accept: upload.accept.clone(),
        })
    }
}

/// `"10737418240"`, `"10MB"`, `"1GB"`, `"5TB"` (binary multiples, as Google means them).
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().ok()?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "KB" | "K" => 10,
        "MB" | "M" => 20,
        "GB" | "G" => 30,
        "TB" | "T" => 40,
        _ => return None,
    };
    number.checked_mul(1u64 << shift)
}

struct MethodNames {
    accessor: String,
    builder: String,
    info_const: String,
    upload_const: String,
}

/// A parameter with its Rust type; an enum parameter gets a type in `scope` named `hint`.
pub fn param_from_schema(
    builder: &TypeBuilder<'_>,
    json_name: &str,
    rust_name: String,
    schema: &JsonSchema,
    json_path: &str,
    scope: &mut Scope,
    hint: &str,
) -> Result<Param, Error> {
    let location = match schema.location.as_deref() {
        Some("path") => ParamLocation::Path,
        Some("query") | None => ParamLocation::Query,
        Some(other) => {
            return Err(unsupported(
                &format!("{json_path}.location"),
                format!("unknown parameter location {other:?}"),
            ));
        }
    };
    // Discovery marks a repeated parameter with `repeated`, sometimes as an array type.
    let (item, repeated, value_path) = match (&schema.schema_type, &schema.items) {
        (Some(SchemaType::Array), Some(items)) => (items.as_ref(), true, child(json_path, "items")),
        _ => (schema, schema.repeated, json_path.to_owned()),
    };
    let ty = if !item.enum_values.is_empty() {
        hoist_param_enum(scope, hint, json_name, item, &value_path)
    } else {
        match builder.field_type(item, &value_path, scope, hint)? {
            RustType::Json | RustType::Vec(_) | RustType::Map(_) | RustType::Bytes => RustType::String,
            RustType::Named { .. } => RustType::String,
            other => other,
        }
    };
    let mut docs = property_docs(schema);
    if docs.description.is_empty() {
        docs.description = format!("The {} parameter.", code_span(json_name));
    }
    if schema.required && location == ParamLocation::Query {
        docs.notes.push("Required.".to_owned());
    }
    Ok(Param {
        json_name: json_name.to_owned(),
        json_path: json_path.to_owned(),
        value_path,
        rust_name,
        location,
        ty,
        repeated,
        docs,
    })
}

fn is_path(schema: &JsonSchema) -> bool {
    schema.location.as_deref() == Some("path")
}

fn http_method(text: &str) -> Option<HttpMethod> {
    Some(match text.to_ascii_uppercase().as_str() {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        "HEAD" => HttpMethod::Head,
        _ => return None,
    })
}

/// Splits a path template into literals and parameters; every parameter must be declared.
pub fn parse_path(
    template: &str,
    parameters: &BTreeMap<String, JsonSchema>,
    fully_encode_reserved: bool,
) -> Result<Vec<PathPiece>, String> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(PathPiece::Literal(rest[..open].to_owned()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in {template:?}"))?
            + open;
        let expression = &rest[open + 1..close];
        let (style, name) = match expression.strip_prefix('+') {
            Some(name) if fully_encode_reserved => (PathStyle::ReservedSlashOnly, name),
            Some(name) => (PathStyle::Reserved, name),
            None => (PathStyle::Simple, expression),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(format!("unsupported expression `{{{expression}}}` in {template:?}"));
        }
        let schema = parameters
            .get(name)
            .ok_or_else(|| format!("{template:?} names parameter {name:?}, which is not declared"))?;
        pieces.push(PathPiece::Param {
            name: name.to_owned(),
            style,
            pattern: schema.pattern.clone(),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(PathPiece::Literal(rest.to_owned()));
    }
    Ok(pieces)
}

fn unsupported(path: &str, message: String) -> Error {
    Error::Unsupported {
        path: path.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_bytes_and_binary_units() {
        assert_eq!(parse_size("10737418240"), Some(10 << 30));
        assert_eq!(parse_size("10MB"), Some(10 << 20));
        assert_eq!(parse_size("1GB"), Some(1 << 30));
        assert_eq!(parse_size("5TB"), Some(5 << 40));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("99999999999TB"), None);
    }
}
