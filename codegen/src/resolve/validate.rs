//! The document's identity and keys, checked before anything is generated. Only what becomes a
//! name has a rule, each for the harm it prevents: `name` and `version` make the crate's package
//! name and directory (so no path separator, `..`, or character Cargo refuses), and resource
//! and method keys become module and function names and JSON paths of reports. Every other value
//! (`id`, `revision`, `title`, descriptions, ...) is accepted whatever its shape and reaches the output only
//! through the escaping functions of `emit::text`. A document that breaks a rule is refused with
//! the JSON path of the value.

use std::collections::BTreeMap;

use crate::Error;
use crate::json_path::{child, join};
use crate::parse::{RestDescription, RestMethod, RestResource};

/// The `kind` of Google's list of Discovery documents (`https://discovery.googleapis.com/discovery/v1/apis`).
pub const DIRECTORY_LIST_KIND: &str = "discovery#directoryList";

/// The `kind` of an API's Discovery document.
pub const REST_DESCRIPTION_KIND: &str = "discovery#restDescription";

/// Longest `name` or `version` accepted (Google's are under 30 characters).
const MAX_NAME_LEN: usize = 63;
/// Longest resource or method key accepted.
const MAX_KEY_LEN: usize = 128;

/// Checks `kind`, `name`, `version` and every resource and method key.
pub fn check_document(doc: &RestDescription) -> Result<(), Error> {
    if doc.kind == DIRECTORY_LIST_KIND {
        return Err(Error::DirectoryList);
    }
    if !doc.kind.is_empty() && doc.kind != REST_DESCRIPTION_KIND {
        return Err(refuse(
            "kind",
            format!("is {:?}, not {REST_DESCRIPTION_KIND:?}", doc.kind),
        ));
    }
    for (key, value) in [("name", &doc.name), ("version", &doc.version)] {
        if value.trim().is_empty() {
            return Err(refuse(key, "is missing or empty".to_owned()));
        }
    }
    // `name`: `dataportability`, `youtubeAnalytics`, `prod_tt_sasportal`.
    if !fits(
        &doc.name,
        MAX_NAME_LEN,
        |c| c.is_ascii_lowercase(),
        |c| c.is_ascii_alphanumeric() || c == '_',
    ) {
        return Err(refuse(
            "name",
            format!(
                "{:?} is not an API name (a lower-case ASCII letter, then letters, digits or `_`)",
                doc.name
            ),
        ));
    }
    // `version`: `v1`, `v1beta1`, `directory_v1`, `v2.1`.
    if !fits(
        &doc.version,
        MAX_NAME_LEN,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit(),
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'),
    ) {
        return Err(refuse(
            "version",
            format!(
                "{:?} is not an API version (a lower-case ASCII letter or digit, then letters, digits, `_` or `.`)",
                doc.version
            ),
        ));
    }
    // `id` has no rule either: Google's is `name:version`, but the id names nothing; it is
    // written only through `line_comment` (the header lines) and `code_span` (docs, README).
    // `revision` has no rule: Google's are mostly `YYYYMMDD` dates, but `securesourcemanager.v1`
    // ships `"0"`, and a revision reaches no file or crate name. It is escaped wherever it is
    // written (a TOML string, doc text, a string literal) and becomes the package version's
    // build metadata only when it has that grammar's shape (`emit::manifest`).
    check_keys("", &doc.methods, &doc.resources)
}

fn check_keys(
    json_path: &str,
    methods: &BTreeMap<String, RestMethod>,
    resources: &BTreeMap<String, RestResource>,
) -> Result<(), Error> {
    for key in methods.keys() {
        check_key(&child(json_path, "methods"), "method", key)?;
    }
    for (key, resource) in resources {
        check_key(&child(json_path, "resources"), "resource", key)?;
        check_keys(
            &join(json_path, &["resources", key]),
            &resource.methods,
            &resource.resources,
        )?;
    }
    Ok(())
}

/// A method or resource key: `get`, `archiveJobs`, `well-known`, `Patient-everything`.
/// `section_path` is the JSON path of the map that holds the key (`resources.x.methods`).
fn check_key(section_path: &str, what: &str, key: &str) -> Result<(), Error> {
    let good = fits(
        key,
        MAX_KEY_LEN,
        |c| c.is_ascii_alphabetic(),
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
    );
    if good {
        return Ok(());
    }
    Err(refuse(
        &child(section_path, key),
        format!("{key:?} is not a {what} key (an ASCII letter, then letters, digits, `_` or `-`)"),
    ))
}

fn fits(text: &str, max_len: usize, first: impl Fn(char) -> bool, rest: impl Fn(char) -> bool) -> bool {
    let mut chars = text.chars();
    text.len() <= max_len && chars.next().is_some_and(first) && chars.all(rest)
}

fn refuse(path: &str, message: String) -> Error {
    Error::Unsupported {
        path: path.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(edit: impl FnOnce(&mut RestDescription)) -> Result<(), String> {
        let mut doc = RestDescription {
            name: "tiny".into(),
            version: "v1".into(),
            id: "tiny:v1".into(),
            revision: "20240101".into(),
            ..RestDescription::default()
        };
        edit(&mut doc);
        check_document(&doc).map_err(|e| e.to_string())
    }

    #[test]
    fn google_shapes_are_accepted() {
        assert_eq!(doc(|_| {}), Ok(()));
        for (name, version) in [
            ("prod_tt_sasportal", "v1alpha1"),
            ("admin", "directory_v1"),
            ("x", "v2.1"),
        ] {
            assert_eq!(
                doc(|d| {
                    d.name = name.into();
                    d.version = version.into();
                    d.id = String::new();
                    d.revision = String::new();
                }),
                Ok(())
            );
        }
    }

    #[test]
    fn hostile_identity_is_refused_with_its_path() {
        assert!(
            doc(|d| d.name = "x\n#![doc = 1]".into())
                .unwrap_err()
                .starts_with("name: ")
        );
        assert!(doc(|d| d.name = "éfn".into()).unwrap_err().starts_with("name: "));
        assert!(doc(|d| d.version = "v1 ".into()).unwrap_err().starts_with("version: "));
        assert!(doc(|d| d.name = "a".repeat(64)).unwrap_err().starts_with("name: "));
    }

    /// Google's `securesourcemanager.v1` has `"revision": "0"`; a revision names no file.
    #[test]
    fn any_revision_is_accepted() {
        for revision in ["0", "20240101", "2024\"\n[x]", "`<img src=x>`", ""] {
            assert_eq!(doc(|d| d.revision = revision.into()), Ok(()), "{revision:?}");
        }
        // Nor does an id (it is only written through the escaping functions).
        let injection = "evil:v1\n[target.'cfg(all())'.dependencies]\npwn = { path = \"/tmp\" }\n#";
        assert_eq!(doc(|d| d.id = injection.into()), Ok(()));
    }

    #[test]
    fn hostile_keys_are_refused_with_their_path() {
        let error = doc(|d| {
            let mut inner = RestResource::default();
            inner.methods.insert("get\n```".into(), RestMethod::default());
            let mut outer = RestResource::default();
            outer.resources.insert("jobs".into(), inner);
            d.resources.insert("projects".into(), outer);
        })
        .unwrap_err();
        assert_eq!(
            error,
            r#"resources.projects.resources.jobs.methods["get\n```"]: "get\n```" is not a method key (an ASCII letter, then letters, digits, `_` or `-`)"#
        );
        let error = doc(|d| {
            d.resources.insert("é".into(), RestResource::default());
        })
        .unwrap_err();
        assert!(error.starts_with(r#"resources["é"]: "#), "{error}");
    }

    #[test]
    fn a_directory_list_is_named_as_such() {
        let error = doc(|d| d.kind = DIRECTORY_LIST_KIND.into()).unwrap_err();
        assert!(error.contains("directory list"), "{error}");
        assert!(
            doc(|d| d.kind = "discovery#other".into())
                .unwrap_err()
                .starts_with("kind: ")
        );
    }
}
