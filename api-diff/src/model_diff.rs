//! The whole document: service endpoints, scopes, standard parameters, resources and
//! methods, schemas. The entry point of the semantic diff.
//!
//! Left out on purpose, because they never reach the generated crate: `revision` and
//! `etag` (they change with every publication), `kind`, `discoveryVersion`, `id`,
//! `protocol`, `batchPath`, `baseUrl`/`basePath` (legacy forms of `rootUrl` + `servicePath`),
//! `icons`, `labels`, `features`, `ownerDomain`, `ownerName`, `packagePath`, `canonicalName`,
//! `versionModule`, a method's `id`, `flatPath`, `useMediaDownloadService`,
//! `supportsSubscription`, `minimum`/`maximum`, and the standard parameters the runtime owns.

use codegen::parse::RestDescription;

use super::pairs::pairs;
use super::param_diff;
use super::resource_diff::{self, Node, ScopeChanges};
use super::schema_diff::{self, Models, text};
use crate::change::Change;
use crate::kind::Kind;
use crate::resolved::Resolved;

/// Every change from `old` to `new`, in document order: service, scopes, standard
/// parameters, resources and methods, schemas.
///
/// Both documents are resolved by the generator first: what each schema and parameter
/// becomes in the generated crate comes from there. A document the generator cannot resolve
/// is an error (naming where in the document), since it has no generated crate to compare.
pub fn diff(old: &RestDescription, new: &RestDescription) -> Result<Vec<Change>, codegen::Error> {
    Ok(diff_resolved(old, new, &Resolved::of(old)?, &Resolved::of(new)?))
}

/// [`diff`] with both documents already resolved.
pub fn diff_resolved(
    old: &RestDescription,
    new: &RestDescription,
    old_model: &Resolved,
    new_model: &Resolved,
) -> Vec<Change> {
    let models = Models {
        old: old_model,
        new: new_model,
    };
    let mut out = Vec::new();
    service(old, new, &mut out);
    let scopes = scopes(old, new, &mut out);
    param_diff::parameters(&old.parameters, &new.parameters, "", models, &mut out);
    resource_diff::resources(root(old), root(new), "", &scopes, models, &mut out);
    schema_diff::schemas(&old.schemas, &new.schemas, models, &mut out);
    out
}

/// The document's own methods and resources.
fn root(doc: &RestDescription) -> Node<'_> {
    Node {
        methods: &doc.methods,
        resources: &doc.resources,
    }
}

/// Endpoints, path encoding, and the API's title, description and documentation link.
fn service(old: &RestDescription, new: &RestDescription, out: &mut Vec<Change>) {
    for (key, before, after) in [
        ("rootUrl", &old.root_url, &new.root_url),
        ("servicePath", &old.service_path, &new.service_path),
        ("mtlsRootUrl", &old.mtls_root_url, &new.mtls_root_url),
    ] {
        if before != after {
            out.push(Change::at(Kind::EndpointChanged, key).values(non_empty(before), non_empty(after)));
        }
    }
    let endpoints = |doc: &RestDescription| {
        let list: Vec<String> = doc
            .endpoints
            .iter()
            .map(|endpoint| format!("{} ({})", endpoint.endpoint_url, endpoint.location))
            .collect();
        (!list.is_empty()).then(|| list.join(", "))
    };
    if endpoints(old) != endpoints(new) {
        out.push(Change::at(Kind::EndpointChanged, "endpoints").values(endpoints(old), endpoints(new)));
    }
    if old.fully_encode_reserved_expansion != new.fully_encode_reserved_expansion {
        out.push(
            Change::at(Kind::PathEncodingChanged, "fullyEncodeReservedExpansion")
                .before(old.fully_encode_reserved_expansion.to_string())
                .after(new.fully_encode_reserved_expansion.to_string()),
        );
    }
    for (key, before, after) in [
        ("title", &old.title, &new.title),
        ("description", &old.description, &new.description),
        ("documentationLink", &old.documentation_link, &new.documentation_link),
    ] {
        text(&non_empty(before), &non_empty(after), key, out);
    }
}

/// The OAuth scopes of the `auth` section; returns which appeared and disappeared.
fn scopes<'a>(old: &'a RestDescription, new: &'a RestDescription, out: &mut Vec<Change>) -> ScopeChanges<'a> {
    const PATH: &str = "auth.oauth2.scopes";
    let mut changes = ScopeChanges::default();
    for (url, before, after) in pairs(&old.auth.oauth2.scopes, &new.auth.oauth2.scopes) {
        match (before, after) {
            (None, Some(_)) => {
                changes.added.insert(url);
                out.push(Change::at(Kind::ScopeAdded, PATH).of(url));
            }
            (Some(_), None) => {
                changes.removed.insert(url);
                out.push(Change::at(Kind::ScopeRemoved, PATH).of(url));
            }
            (Some(before), Some(after)) if before.description != after.description => out.push(
                Change::at(Kind::DescriptionChanged, PATH)
                    .of(url)
                    .values(non_empty(&before.description), non_empty(&after.description)),
            ),
            _ => {}
        }
    }
    changes
}

/// `None` for an empty string (the parser's default for an absent key).
fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}
