//! `src/params.rs` as source text: the standard parameters every method accepts, as setters
//! shared by all builders through a crate-local macro, so each builder costs one line of
//! source. The setters are `#[inline]`: compiled only in the crates that call them.
//!
//! The macro's body is laid out as `rustfmt` would lay out the `impl` block at that depth
//! (`rustfmt` leaves macro bodies alone).

use std::fmt::Write as _;

use super::doc_comment::write_docs;
use super::layout::{write_fn, write_short_call};
use super::text::{ident_text, string_literal};
use crate::resolve::ir::{Api, Param, Resource, RustType};

/// The module's docs when the API has no methods.
const NO_METHODS: &str = "//! Standard parameters, accepted by every method. This API has no methods.\n";

/// The macro's head, down to the `impl` block's opening line.
const MACRO_HEAD: &str = "
/// Implements the standard parameter setters and per-call options on request builders.
#[allow(unused_macros)]
macro_rules! standard_parameters {
    ($($builder:ident),* $(,)?) => {$(
        impl $builder {
";

/// The per-call options after the setters, and the end of the macro.
const MACRO_TAIL: &str = "
            /// Adds an HTTP header to this request, replacing the client's header of that name.
            #[inline]
            pub fn header(
                mut self,
                name: ::discovery_runtime::reqwest::header::HeaderName,
                value: ::discovery_runtime::reqwest::header::HeaderValue,
            ) -> Self {
                self.call.add_header(name, value);
                self
            }

            /// Overrides the client's retry policy for this request.
            #[inline]
            pub fn retry(mut self, policy: ::discovery_runtime::RetryPolicy) -> Self {
                self.call.set_retry_policy(policy);
                self
            }

            /// Limits the whole request, retries included.
            #[inline]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.call.set_timeout(timeout);
                self
            }

            /// Limits each attempt of this request.
            #[inline]
            pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.call.set_attempt_timeout(timeout);
                self
            }

            /// Declares this request safe to repeat, so a `POST` or `PATCH` may be retried
            /// like a `GET` (for example a method the API documents as idempotent).
            #[inline]
            pub fn idempotent(mut self, idempotent: bool) -> Self {
                self.call.set_idempotent(idempotent);
                self
            }

            /// Limits the JSON response of this request to `limit` bytes instead of the
            /// client's limit (for a method whose answers are known to be small).
            #[inline]
            pub fn max_response_bytes(mut self, limit: u64) -> Self {
                self.call.set_max_response_bytes(limit);
                self
            }
        }
    )*};
}

#[allow(unused_imports)]
pub(crate) use standard_parameters;
";

/// The text of `src/params.rs` without its header lines. An API without methods has no
/// builders to give the setters to, so its module is empty (the macro and the parameter
/// types would be unused, and warned about).
pub fn params_rs(api: &Api) -> String {
    let root = &api.root;
    if root.methods.is_empty() && !root.resources.iter().any(|top| has_methods(&top.resource)) {
        return NO_METHODS.to_owned();
    }
    let mut out = String::from("//! Standard parameters, accepted by every method.\n");
    if !api.standard_param_types.is_empty() {
        out.push('\n');
        super::models::write_defs(&mut out, &api.standard_param_types, &["params".to_owned()], "");
    }
    out.push_str(MACRO_HEAD);
    for (i, param) in api.standard_params.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_setter(&mut out, param);
    }
    // The blank line that separates the options from the setters.
    let tail = if api.standard_params.is_empty() {
        &MACRO_TAIL[1..]
    } else {
        MACRO_TAIL
    };
    out.push_str(tail);
    out
}

/// One setter, at the depth of the macro's `impl` block.
fn write_setter(out: &mut String, param: &Param) {
    const INDENT: &str = "            ";
    const BODY: &str = "                ";
    write_docs(out, &param.docs, INDENT);
    let _ = writeln!(out, "{INDENT}#[inline]");
    let (ty, value) = match &param.ty {
        RustType::String => (
            "impl ::std::convert::Into<::std::string::String>".to_owned(),
            "::std::convert::Into::<::std::string::String>::into(value)",
        ),
        other => (absolute_type(other), "value"),
    };
    let head = format!("pub fn {}", ident_text(&param.rust_name));
    write_fn(
        out,
        INDENT,
        &head,
        &["mut self".to_owned(), format!("value: {ty}")],
        " -> Self",
    );
    let args = [string_literal(&param.json_name), value.to_owned()];
    write_short_call(out, BODY, "self.call.set_query", &args, ";");
    let _ = writeln!(out, "{BODY}self");
    let _ = writeln!(out, "{INDENT}}}");
}

/// A type by absolute paths: the macro expands in the resource modules, where a generated
/// type may shadow a short name.
fn absolute_type(ty: &RustType) -> String {
    match ty {
        RustType::String => "::std::string::String".to_owned(),
        RustType::Bool => "bool".to_owned(),
        RustType::I32 => "i32".to_owned(),
        RustType::U32 => "u32".to_owned(),
        RustType::I64 => "i64".to_owned(),
        RustType::U64 => "u64".to_owned(),
        RustType::F32 => "f32".to_owned(),
        RustType::F64 => "f64".to_owned(),
        RustType::Bytes => "::std::vec::Vec<u8>".to_owned(),
        RustType::DateTime => "::discovery_runtime::__private::chrono::DateTime<\
                               ::discovery_runtime::__private::chrono::Utc>"
            .to_owned(),
        RustType::Date => "::discovery_runtime::__private::chrono::NaiveDate".to_owned(),
        RustType::Duration => "::discovery_runtime::__private::chrono::TimeDelta".to_owned(),
        RustType::Json => "::discovery_runtime::__private::serde_json::Value".to_owned(),
        RustType::Vec(item) => format!("::std::vec::Vec<{}>", absolute_type(item)),
        RustType::Map(value) => format!(
            "::std::collections::BTreeMap<::std::string::String, {}>",
            absolute_type(value)
        ),
        RustType::Named { path, boxed } => {
            let segments: Vec<String> = path.iter().map(|s| ident_text(s).into_owned()).collect();
            let named = format!("crate::{}", segments.join("::"));
            if *boxed {
                format!("::std::boxed::Box<{named}>")
            } else {
                named
            }
        }
    }
}

fn has_methods(resource: &Resource) -> bool {
    !resource.methods.is_empty() || resource.resources.iter().any(has_methods)
}
