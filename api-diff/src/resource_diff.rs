//! Resources and methods: added and removed, and for a method that stays, its HTTP
//! method, path, parameters, positional order, request, response, scopes and media support.

use std::collections::{BTreeMap, BTreeSet};

use codegen::parse::{JsonSchema, MediaUpload, RestMethod, RestResource};
use codegen::resolve::ir::RustType;

use super::pairs::pairs;
use super::param_diff;
use super::schema_diff::{Models, compare, deprecation, text, typed};
use super::shape::written;
use crate::change::Change;
use crate::kind::Kind;
use crate::resolved::{MethodView, Resolved};
use codegen::json_path::{child, join};

/// The methods and child resources of a resource, or of the document's root.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    /// Methods by key.
    pub methods: &'a BTreeMap<String, RestMethod>,
    /// Child resources by key.
    pub resources: &'a BTreeMap<String, RestResource>,
}

impl<'a> Node<'a> {
    /// The node of a resource.
    pub fn of(resource: &'a RestResource) -> Self {
        Self {
            methods: &resource.methods,
            resources: &resource.resources,
        }
    }
}

/// The scopes that appeared in or disappeared from the document's `auth` section. A
/// method's scope list follows them, so those are not reported again for every method.
#[derive(Clone, Debug, Default)]
pub struct ScopeChanges<'a> {
    /// Scope URLs only the new document declares.
    pub added: BTreeSet<&'a str>,
    /// Scope URLs only the old document declares.
    pub removed: BTreeSet<&'a str>,
}

/// Compares the methods and resources below `path` (empty for the document's root).
pub fn resources(
    old: Node<'_>,
    new: Node<'_>,
    path: &str,
    scopes: &ScopeChanges<'_>,
    models: Models<'_>,
    out: &mut Vec<Change>,
) {
    for (name, old, new) in pairs(old.methods, new.methods) {
        let path = join(path, &["methods", name]);
        match (old, new) {
            (None, Some(new)) => out.push(Change::at(Kind::MethodAdded, path).after(signature(new))),
            (Some(old), None) => out.push(Change::at(Kind::MethodRemoved, path).before(signature(old))),
            (Some(old), Some(new)) => method(old, new, &path, scopes, models, out),
            (None, None) => {}
        }
    }
    for (name, old, new) in pairs(old.resources, new.resources) {
        let path = join(path, &["resources", name]);
        match (old, new) {
            (None, Some(new)) => everything(new, &path, Kind::ResourceAdded, Kind::MethodAdded, out),
            (Some(old), None) => everything(old, &path, Kind::ResourceRemoved, Kind::MethodRemoved, out),
            (Some(old), Some(new)) => {
                deprecation(old.deprecated, new.deprecated, &path, out);
                resources(Node::of(old), Node::of(new), &path, scopes, models, out);
            }
            (None, None) => {}
        }
    }
}

/// A resource that appeared or disappeared as a whole: the resource, then each of its
/// methods and child resources.
fn everything(resource: &RestResource, path: &str, resource_kind: Kind, method_kind: Kind, out: &mut Vec<Change>) {
    out.push(Change::at(resource_kind, path));
    for (name, method) in &resource.methods {
        let change = Change::at(method_kind, join(path, &["methods", name]));
        out.push(if method_kind == Kind::MethodAdded {
            change.after(signature(method))
        } else {
            change.before(signature(method))
        });
    }
    for (name, child_resource) in &resource.resources {
        everything(
            child_resource,
            &join(path, &["resources", name]),
            resource_kind,
            method_kind,
            out,
        );
    }
}

/// Compares two versions of the method at `path`.
fn method(
    old: &RestMethod,
    new: &RestMethod,
    path: &str,
    scopes: &ScopeChanges<'_>,
    models: Models<'_>,
    out: &mut Vec<Change>,
) {
    let no_method = MethodView::default();
    let old_view = models.old.method(path).unwrap_or(&no_method);
    let new_view = models.new.method(path).unwrap_or(&no_method);
    deprecation(old.deprecated, new.deprecated, path, out);
    text(&old.description, &new.description, &child(path, "description"), out);
    if !old.http_method.eq_ignore_ascii_case(&new.http_method) {
        out.push(
            Change::at(Kind::HttpMethodChanged, child(path, "httpMethod"))
                .before(old.http_method.to_uppercase())
                .after(new.http_method.to_uppercase()),
        );
    }
    if old.path != new.path {
        out.push(
            Change::at(Kind::PathChanged, child(path, "path"))
                .before(&old.path)
                .after(&new.path),
        );
    }
    param_diff::parameters(&old.parameters, &new.parameters, path, models, out);
    positional(old_view, new_view, path, out);
    let request = (Kind::RequestAdded, Kind::RequestRemoved, Kind::RequestTypeChanged);
    let bodies = |method: &MethodView| method.request.clone();
    body(
        (&old.request, bodies(old_view), models.old),
        (&new.request, bodies(new_view), models.new),
        &child(path, "request"),
        request,
        out,
    );
    let response = (Kind::ResponseAdded, Kind::ResponseRemoved, Kind::ResponseTypeChanged);
    body(
        (&old.response, old_view.response.clone(), models.old),
        (&new.response, new_view.response.clone(), models.new),
        &child(path, "response"),
        response,
        out,
    );
    method_scopes(&old.scopes, &new.scopes, &child(path, "scopes"), scopes, out);
    media((old, old_view), (new, new_view), path, out);
}

/// Positional arguments that both versions have, in another order.
fn positional(old: &MethodView, new: &MethodView, path: &str, out: &mut Vec<Change>) {
    let common = |order: &[String], other: &[String]| -> Vec<String> {
        order.iter().filter(|name| other.contains(name)).cloned().collect()
    };
    if common(&old.positional, &new.positional) != common(&new.positional, &old.positional) {
        out.push(
            Change::at(Kind::PositionalOrderChanged, child(path, "parameterOrder"))
                .before(old.positional.join(", "))
                .after(new.positional.join(", ")),
        );
    }
}

/// One side of a request or response body: the document's schema, the type the generator
/// made of it, and that document's resolved model.
type Body<'a> = (&'a Option<JsonSchema>, Option<RustType>, &'a Resolved);

/// A request or response body: appeared, disappeared, or compared.
fn body(
    (old, old_type, old_model): Body<'_>,
    (new, new_type, new_model): Body<'_>,
    path: &str,
    (added, removed, retyped): (Kind, Kind, Kind),
    out: &mut Vec<Change>,
) {
    match (old, new) {
        (None, Some(new)) => out.push(Change::at(added, path).after(written(Some(new)))),
        (Some(old), None) => out.push(Change::at(removed, path).before(written(Some(old)))),
        (Some(old), Some(new)) => {
            let (old_type, new_type) = (old_type.unwrap_or(RustType::Json), new_type.unwrap_or(RustType::Json));
            compare(
                typed(old, &old_type, old_model),
                typed(new, &new_type, new_model),
                path,
                retyped,
                out,
            );
        }
        (None, None) => {}
    }
}

/// Scopes a method started or stopped accepting, leaving out the scopes that appeared in
/// or disappeared from the whole document (reported once, as scope changes).
fn method_scopes(old: &[String], new: &[String], path: &str, global: &ScopeChanges<'_>, out: &mut Vec<Change>) {
    let old_set: BTreeSet<&str> = old.iter().map(String::as_str).collect();
    let new_set: BTreeSet<&str> = new.iter().map(String::as_str).collect();
    for scope in old_set.difference(&new_set) {
        if !global.removed.contains(scope) {
            out.push(Change::at(Kind::MethodScopeRemoved, path).of(*scope));
        }
    }
    for scope in new_set.difference(&old_set) {
        if !global.added.contains(scope) {
            out.push(Change::at(Kind::MethodScopeAdded, path).of(*scope));
        }
    }
}

/// Media download and upload support, and the upload settings.
fn media(
    (old, old_view): (&RestMethod, &MethodView),
    (new, new_view): (&RestMethod, &MethodView),
    path: &str,
    out: &mut Vec<Change>,
) {
    if old.supports_media_download != new.supports_media_download {
        let kind = if new.supports_media_download {
            Kind::MediaDownloadAdded
        } else {
            Kind::MediaDownloadRemoved
        };
        out.push(Change::at(kind, child(path, "supportsMediaDownload")));
    }
    let path = child(path, "mediaUpload");
    match (upload(old, old_view), upload(new, new_view)) {
        (None, Some(new)) => out.push(Change::at(Kind::MediaUploadAdded, path).after(describe_upload(new))),
        (Some(old), None) => out.push(Change::at(Kind::MediaUploadRemoved, path).before(describe_upload(old))),
        (Some(old), Some(new)) if describe_upload(old) != describe_upload(new) => out.push(
            Change::at(Kind::MediaUploadChanged, path)
                .before(describe_upload(old))
                .after(describe_upload(new)),
        ),
        _ => {}
    }
}

/// The upload settings of a method the generated crate can upload with.
fn upload<'a>(method: &'a RestMethod, view: &MethodView) -> Option<&'a MediaUpload> {
    method.media_upload.as_ref().filter(|_| view.media_upload)
}

/// `accept */*; max size 10MB; simple v1/upload (multipart)`.
fn describe_upload(upload: &MediaUpload) -> String {
    let mut protocols = Vec::new();
    for (name, protocol) in [
        ("simple", &upload.protocols.simple),
        ("resumable", &upload.protocols.resumable),
    ] {
        if let Some(protocol) = protocol {
            let multipart = if protocol.multipart { " (multipart)" } else { "" };
            protocols.push(format!("{name} {}{multipart}", protocol.path));
        }
    }
    format!(
        "accept {}; max size {}; {}",
        if upload.accept.is_empty() {
            "anything".to_owned()
        } else {
            upload.accept.join(", ")
        },
        upload.max_size.as_deref().unwrap_or("unlimited"),
        if protocols.is_empty() {
            "no protocols".to_owned()
        } else {
            protocols.join(", ")
        }
    )
}

/// `POST v1/{+name}:cancel`.
fn signature(method: &RestMethod) -> String {
    format!("{} {}", method.http_method.to_uppercase(), method.path)
}
