//! `src/params.rs` as source text: the standard parameters every method accepts, as the
//! provided methods of one `StandardParameters` trait, and the crate-local macro that gives
//! every request builder that trait and the runtime's `RequestOptions` (two empty-bodied
//! impls and one accessor per builder). The setters are written and type-checked once per
//! crate instead of once per builder, which was a tenth of a generated crate's front end.
//!
//! The macro's body is laid out as `rustfmt` would lay out its items at that depth
//! (`rustfmt` leaves macro bodies alone).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::doc_comment::write_docs;
use super::layout::{write_fn, write_short_call};
use super::models::{Scope, write_defs_and};
use super::text::{ident_text, string_literal};
use crate::resolve::ir::{Api, Param, Resource, RustType};

/// The name of the trait of the standard parameters (reserved among the parameters' types).
pub const TRAIT: &str = "StandardParameters";

/// The runtime's trait of per-call options (reserved among the parameters' types).
pub const OPTIONS_TRAIT: &str = "RequestOptions";

/// The module's docs when the API has no methods.
const NO_METHODS: &str = "//! Standard parameters, accepted by every method. This API has no methods.\n";

/// The module's docs and imports.
const HEAD: &str = "//! Standard parameters, accepted by every method: the setters of [`StandardParameters`], which
//! every request builder implements (in scope through [`crate::prelude`]).

use ::discovery_runtime::RequestOptions;
";

/// The trait's head, down to its first setter.
const TRAIT_HEAD: &str = "/// The standard parameters of the API, which every method accepts.
///
/// Every request builder implements it (and the runtime's `RequestOptions`, the per-call
/// options); the crate's [`prelude`](crate::prelude) brings both into scope.
pub trait StandardParameters: RequestOptions {
";

/// The macro that gives each builder the two traits.
const MACRO: &str = "
/// Implements the per-call options and the standard parameters on request builders.
#[allow(unused_macros)]
macro_rules! standard_parameters {
    ($($builder:ident),* $(,)?) => {$(
        impl ::discovery_runtime::RequestOptions for $builder {
            #[inline]
            fn __call(&mut self) -> &mut ::discovery_runtime::__private::Call {
                &mut self.call
            }
        }

        impl crate::params::StandardParameters for $builder {}
    )*};
}

#[allow(unused_imports)]
pub(crate) use standard_parameters;
";

/// Whether the API has a method, so a request builder (and this module's items).
pub fn has_builders(api: &Api) -> bool {
    !api.root.methods.is_empty() || api.root.resources.iter().any(|top| has_methods(&top.resource))
}

/// The text of `src/params.rs` without its header lines. An API without methods has no
/// builders to give the setters to, so its module is empty (the trait, the macro and the
/// parameter types would be unused).
pub fn params_rs(api: &Api) -> String {
    if !has_builders(api) {
        return NO_METHODS.to_owned();
    }
    let mut out = String::from(HEAD);
    out.push('\n');
    let module = ["params".to_owned()];
    write_defs_and(&mut out, &api.standard_param_types, &module, "", |scope, imports| {
        let mut items = String::from(TRAIT_HEAD);
        for (i, param) in api.standard_params.iter().enumerate() {
            if i > 0 {
                items.push('\n');
            }
            write_setter(&mut items, param, scope, imports);
        }
        items.push_str("}\n");
        items
    });
    out.push_str(MACRO);
    out
}

/// One setter, a provided method of the trait.
fn write_setter(out: &mut String, param: &Param, scope: &Scope, imports: &mut BTreeSet<&'static str>) {
    const INDENT: &str = "    ";
    const BODY: &str = "        ";
    write_docs(out, &param.docs, INDENT);
    let (ty, value) = match &param.ty {
        RustType::String => {
            let into = scope.prelude("Into", "::std::convert::Into");
            let string = scope.prelude("String", "::std::string::String");
            (
                format!("impl {into}<{string}>"),
                format!("{into}::<{string}>::into(value)"),
            )
        }
        other => (scope.type_text(other, imports), "value".to_owned()),
    };
    let head = format!("fn {}", ident_text(&param.rust_name));
    write_fn(
        out,
        INDENT,
        &head,
        &["self".to_owned(), format!("value: {ty}")],
        " -> Self",
    );
    let args = [string_literal(&param.json_name), value];
    write_short_call(out, BODY, "self.__set_query", &args, "");
    let _ = writeln!(out, "{INDENT}}}");
}

fn has_methods(resource: &Resource) -> bool {
    !resource.methods.is_empty() || resource.resources.iter().any(has_methods)
}
