//! `src/scopes.rs` as source text: the `Scope` enum, every OAuth scope of the document.

use std::fmt::Write as _;

use super::doc_comment::write_lines;
use super::layout::{Element, write_array_item};
use super::text::{code_span, doc_text, ident_text, string_literal};
use crate::resolve::ir::Api;

/// The constructor of a row of `SCOPES`.
const SCOPE_INFO_NEW: &str = "::discovery_runtime::__private::ScopeInfo::new";

/// `Scope` when the API declares no scope.
const EMPTY: &str = "/// An OAuth 2.0 scope. This API declares none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {}

impl Scope {
    /// Every scope of the API.
    pub const ALL: &'static [Scope] = &[];

    /// The scope's URL, as requested from Google's OAuth server.
    pub fn as_str(self) -> &'static str {
        match self {}
    }

    /// What the scope grants, from the Discovery document.
    pub fn description(self) -> &'static str {
        match self {}
    }

    /// The scope's name without the common URL prefix.
    pub fn short_name(self) -> &'static str {
        match self {}
    }
}

impl ::std::str::FromStr for Scope {
    type Err = UnknownScope;

    fn from_str(value: &str) -> ::std::result::Result<Self, UnknownScope> {
        ::std::result::Result::Err(UnknownScope(::std::borrow::ToOwned::to_owned(value)))
    }
}
";

/// The methods of `Scope` after `ALL`, over the `SCOPES` table.
const METHODS: &str = "
    /// The scope's URL, as requested from Google's OAuth server.
    pub fn as_str(self) -> &'static str {
        SCOPES[self as usize].url
    }

    /// What the scope grants, from the Discovery document.
    pub fn description(self) -> &'static str {
        SCOPES[self as usize].description
    }

    /// The scope's name without the common URL prefix (the URL when there is none).
    pub fn short_name(self) -> &'static str {
        SCOPES[self as usize].short_name
    }
}

impl ::std::str::FromStr for Scope {
    type Err = UnknownScope;

    /// Accepts a scope URL or its short name.
    fn from_str(value: &str) -> ::std::result::Result<Self, UnknownScope> {
        match ::discovery_runtime::__private::open_enum::find_scope(&SCOPES, value) {
            ::std::option::Option::Some(index) => ::std::result::Result::Ok(Self::ALL[index]),
            ::std::option::Option::None => {
                ::std::result::Result::Err(UnknownScope(::std::borrow::ToOwned::to_owned(value)))
            }
        }
    }
}
";

/// What every API's module ends with: `Display`, `AsRef<str>` and the parse error.
const COMMON: &str = "
impl ::std::fmt::Display for Scope {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ::std::convert::AsRef<str> for Scope {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// A string that is neither a scope URL nor a short name of this API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownScope(pub ::std::string::String);

impl ::std::fmt::Display for UnknownScope {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        write!(f, \"unknown OAuth scope {:?}\", self.0)
    }
}

impl ::std::error::Error for UnknownScope {}
";

/// The text of `src/scopes.rs` without its header lines.
pub fn scopes_rs(api: &Api) -> String {
    let mut out = String::from("//! OAuth 2.0 scopes.\n\n");
    if api.scopes.is_empty() {
        out.push_str(EMPTY);
    } else {
        write_scopes(&mut out, api);
    }
    out.push_str(COMMON);
    out
}

fn write_scopes(out: &mut String, api: &Api) {
    out.push_str(
        "/// An OAuth 2.0 scope of the API.\n\
         ///\n\
         /// Parse one from its URL or from its short name with [`str::parse`].\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         #[non_exhaustive]\n\
         pub enum Scope {\n",
    );
    let variants: Vec<String> = api.scopes.iter().map(|s| ident_text(&s.variant).into_owned()).collect();
    for (scope, variant) in api.scopes.iter().zip(&variants) {
        let mut lines = doc_text(&scope.description);
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(code_span(&scope.url));
        write_lines(out, &lines, "    ");
        let _ = writeln!(out, "    {variant},");
    }
    out.push_str("}\n\n");

    out.push_str("/// Each scope's URL, short name and description, in the order of [`Scope`]'s variants.\n");
    let elements: Vec<Element> = api
        .scopes
        .iter()
        .map(|scope| {
            let args = vec![
                string_literal(&scope.url),
                string_literal(scope.short_name.as_deref().unwrap_or(&scope.url)),
                string_literal(&scope.description),
            ];
            Element::Call(SCOPE_INFO_NEW, args)
        })
        .collect();
    write_array_item(
        out,
        "",
        &format!(
            "static SCOPES: [::discovery_runtime::__private::ScopeInfo; {}]",
            elements.len()
        ),
        ("[", "]"),
        &elements,
    );
    out.push('\n');

    out.push_str("impl Scope {\n");
    let _ = writeln!(out, "    /// Every scope of the API ({}).", api.scopes.len());
    let all: Vec<Element> = variants.iter().map(|v| Element::Path(format!("Self::{v}"))).collect();
    write_array_item(out, "    ", "pub const ALL: &'static [Scope]", ("&[", "]"), &all);
    out.push_str(METHODS);
}
