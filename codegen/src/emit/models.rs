//! The models module as source text: per type its doc comment, its attributes and its fields,
//! written the way a person writes them, with short type names where nothing in the module
//! can shadow them. The serde plumbing is elsewhere (see [`super::object_impls`]).
//!
//! Written as text, not through `quote!` and prettyplease: the shapes are few and fixed
//! (structs, enums, aliases, nested modules), and printing them directly is most of what
//! makes generation fast.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::doc_comment::{write_docs, write_lines};
use super::text::{code_span, ident_text};
use crate::resolve::ir::{Enum, Field, Presence, RustType, Struct, TypeDef, TypeKind};

/// The text of `src/models.rs` without its header lines.
pub fn models_rs(models: &[TypeDef]) -> String {
    let mut out = String::from("//! The API's schemas: request and response types.\n");
    let mut body = String::new();
    let imports = write_module(&mut body, models, &Scope::new(models, &["models".to_owned()]), "");
    // With some features off, the types that use an import may all be gone.
    let gated = models.iter().any(|def| !def.features.is_empty());
    write_imports(&mut out, &imports, "", gated);
    out.push('\n');
    out.push_str(&body);
    out
}

/// Type definitions among other items of the module at `module` (the parameter enums of a
/// resource), with the imports they need.
pub fn write_defs(out: &mut String, defs: &[TypeDef], module: &[String], indent: &str) {
    write_defs_and(out, defs, module, indent, |_, _| String::new());
}

/// [`write_defs`] followed by the items `after` writes in the same scope (their imports joined
/// to the definitions').
pub fn write_defs_and(
    out: &mut String,
    defs: &[TypeDef],
    module: &[String],
    indent: &str,
    after: impl FnOnce(&Scope, &mut BTreeSet<&'static str>) -> String,
) {
    let mut body = String::new();
    let scope = Scope::new(defs, module);
    let mut imports = write_module(&mut body, defs, &scope, indent);
    let items = after(&scope, &mut imports);
    if !items.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(&items);
    }
    let mut head = String::new();
    write_imports(&mut head, &imports, indent, false);
    if !head.is_empty() {
        out.push_str(&head[1..]);
        out.push('\n');
    }
    out.push_str(&body);
}

/// Writes the items of one module (`scope`: the names it defines) at `indent`; the names it
/// needs imported.
fn write_module(out: &mut String, defs: &[TypeDef], scope: &Scope, indent: &str) -> BTreeSet<&'static str> {
    let mut imports = BTreeSet::new();
    for (i, def) in defs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_def(out, def, scope, indent, &mut imports);
    }
    imports
}

/// `use` lines for the runtime types a module names by their short name.
fn write_imports(out: &mut String, imports: &BTreeSet<&'static str>, indent: &str, gated: bool) {
    if imports.is_empty() {
        return;
    }
    out.push('\n');
    let mut by_path: Vec<(&str, Vec<&str>)> = Vec::new();
    for name in imports {
        let path = import_path(name);
        match by_path.iter_mut().find(|(p, _)| *p == path) {
            Some((_, names)) => names.push(name),
            None => by_path.push((path, vec![name])),
        }
    }
    by_path.sort();
    for (path, names) in by_path {
        if gated {
            let _ = writeln!(out, "{indent}#[allow(unused_imports)]");
        }
        match names.as_slice() {
            [one] => {
                let _ = writeln!(out, "{indent}use {path}::{one};");
            }
            many => {
                let _ = writeln!(out, "{indent}use {path}::{{{}}};", many.join(", "));
            }
        }
    }
}

/// The module a runtime type is imported from.
fn import_path(name: &str) -> &'static str {
    match name {
        "BTreeMap" => "::std::collections",
        "DateTime" | "Utc" | "NaiveDate" | "TimeDelta" => "::discovery_runtime::__private::chrono",
        _ => "::discovery_runtime::__private::serde_json",
    }
}

fn write_def(out: &mut String, def: &TypeDef, scope: &Scope, indent: &str, imports: &mut BTreeSet<&'static str>) {
    let cfg = cfg_attr(&def.features);
    let name = ident_text(&def.name).into_owned();
    match &def.kind {
        TypeKind::Struct(s) => {
            write_docs(out, &def.docs, indent);
            if let Some(cfg) = &cfg {
                let _ = writeln!(out, "{indent}{cfg}");
            }
            write_struct(out, &name, s, scope, indent, imports);
        }
        TypeKind::Enum(e) => {
            if let Some(cfg) = &cfg {
                let _ = writeln!(out, "{indent}{cfg}");
            }
            // Only a parameter's enum (outside `models`) is written into URLs.
            let query = scope.module.first().is_none_or(|first| first != "models");
            write_enum(out, &name, &def.docs, e, query, indent);
        }
        TypeKind::Alias(ty) => {
            write_docs(out, &def.docs, indent);
            if let Some(cfg) = &cfg {
                let _ = writeln!(out, "{indent}{cfg}");
            }
            let ty = scope.type_text(ty, imports);
            let _ = writeln!(out, "{indent}pub type {name} = {ty};");
        }
    }
    if def.nested.is_empty() {
        return;
    }
    let module = ident_text(&def.nested_module).into_owned();
    let _ = writeln!(out, "\n{indent}/// Types nested in {}.", code_span(&def.name));
    if let Some(cfg) = &cfg {
        let _ = writeln!(out, "{indent}{cfg}");
    }
    let _ = writeln!(out, "{indent}pub mod {module} {{");
    let inner_indent = format!("{indent}    ");
    let mut path = scope.module.clone();
    path.push(def.nested_module.clone());
    let mut body = String::new();
    let inner_imports = write_module(&mut body, &def.nested, &Scope::new(&def.nested, &path), &inner_indent);
    let mut head = String::new();
    write_imports(&mut head, &inner_imports, &inner_indent, false);
    if !head.is_empty() {
        out.push_str(&head[1..]);
        out.push('\n');
    }
    out.push_str(&body);
    let _ = writeln!(out, "{indent}}}");
}

fn write_struct(
    out: &mut String,
    name: &str,
    s: &Struct,
    scope: &Scope,
    indent: &str,
    imports: &mut BTreeSet<&'static str>,
) {
    let _ = writeln!(out, "{indent}#[derive(Clone, Debug, Default, PartialEq)]");
    let fields = s.fields.iter().chain(&s.additional);
    if s.fields.is_empty() && s.additional.is_none() && s.unknown_fields.is_none() {
        let _ = writeln!(out, "{indent}pub struct {name} {{}}");
        return;
    }
    let _ = writeln!(out, "{indent}pub struct {name} {{");
    let field_indent = format!("{indent}    ");
    for f in fields {
        write_field(out, f, scope, &field_indent, imports);
    }
    if let Some(unknown) = &s.unknown_fields {
        write_lines(
            out,
            &["Fields the Discovery document does not declare (added to the API after this crate was generated): kept as received and serialized back unchanged.".to_owned()],
            &field_indent,
        );
        let map = scope.runtime("Map", "discovery_runtime::__private::serde_json::Map", imports);
        let value = scope.runtime("Value", "discovery_runtime::__private::serde_json::Value", imports);
        let string = scope.prelude("String", "::std::string::String");
        let _ = writeln!(
            out,
            "{field_indent}pub {}: {map}<{string}, {value}>,",
            ident_text(unknown)
        );
    }
    let _ = writeln!(out, "{indent}}}");
}

fn write_field(out: &mut String, f: &Field, scope: &Scope, indent: &str, imports: &mut BTreeSet<&'static str>) {
    write_docs(out, &f.docs, indent);
    if f.docs.deprecated {
        let _ = writeln!(out, "{indent}#[deprecated]");
    }
    let ty = scope.type_text(&f.ty, imports);
    let ty = match f.presence {
        Presence::Optional => format!("{}<{ty}>", scope.prelude("Option", "::std::option::Option")),
        Presence::EmptyVec | Presence::EmptyMap => ty,
    };
    let _ = writeln!(out, "{indent}pub {}: {ty},", ident_text(&f.rust_name));
}

/// An open enum: an invocation of the runtime's `open_enum!`, which adds the `UnknownValue`
/// variant and every impl (`QueryValue` when `query`: the enum of a parameter).
fn write_enum(out: &mut String, name: &str, docs: &crate::resolve::ir::Docs, e: &Enum, query: bool, indent: &str) {
    let _ = writeln!(out, "{indent}::discovery_runtime::open_enum! {{");
    let inner = format!("{indent}    ");
    write_docs(out, docs, &inner);
    let _ = writeln!(out, "{inner}pub enum {name} {{");
    let variant_indent = format!("{inner}    ");
    for v in &e.variants {
        write_docs(out, &v.docs, &variant_indent);
        if v.docs.deprecated {
            let _ = writeln!(out, "{variant_indent}#[deprecated]");
        }
        let _ = writeln!(
            out,
            "{variant_indent}{} = {},",
            ident_text(&v.rust_name),
            super::text::string_literal(&v.json_value)
        );
    }
    let _ = writeln!(out, "{inner}}}");
    if query {
        let _ = writeln!(out, "{inner}impl QueryValue;");
    }
    let _ = writeln!(out, "{indent}}}");
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", ..))]`; nothing for no features.
pub fn cfg_attr(features: &[String]) -> Option<String> {
    let literals: Vec<String> = features
        .iter()
        .map(|f| format!("feature = {}", super::text::string_literal(f)))
        .collect();
    match literals.as_slice() {
        [] => None,
        [one] => Some(format!("#[cfg({one})]")),
        many => Some(format!("#[cfg(any({}))]", many.join(", "))),
    }
}

/// The names a module defines, which shadow the prelude and any import of the same name.
pub struct Scope {
    /// The module's path from the crate root (`["models", "job"]`).
    pub module: Vec<String>,
    defined: BTreeSet<String>,
}

impl Scope {
    /// The scope of the module at `module` that defines `defs` (and their nested modules).
    pub fn new(defs: &[TypeDef], module: &[String]) -> Self {
        let mut defined = BTreeSet::new();
        for def in defs {
            defined.insert(ident_text(&def.name).into_owned());
            if !def.nested.is_empty() {
                defined.insert(ident_text(&def.nested_module).into_owned());
            }
        }
        Self {
            module: module.to_vec(),
            defined,
        }
    }

    /// A scope that defines `names`, for the module at `module`.
    pub fn with_names(module: &[String], names: BTreeSet<String>) -> Self {
        Self {
            module: module.to_vec(),
            defined: names,
        }
    }

    /// `short` for a prelude type the module does not shadow, `full` otherwise.
    pub fn prelude(&self, short: &'static str, full: &'static str) -> &'static str {
        if self.defined.contains(short) { full } else { short }
    }

    /// `short`, imported, for a runtime type the module does not shadow; `full` otherwise.
    pub fn runtime(&self, short: &'static str, full: &'static str, imports: &mut BTreeSet<&'static str>) -> String {
        if self.defined.contains(short) {
            format!("::{full}")
        } else {
            imports.insert(short);
            short.to_owned()
        }
    }

    /// The text of a type as written in this module.
    pub fn type_text(&self, ty: &RustType, imports: &mut BTreeSet<&'static str>) -> String {
        match ty {
            RustType::String => self.prelude("String", "::std::string::String").to_owned(),
            RustType::Bool => "bool".to_owned(),
            RustType::I32 => "i32".to_owned(),
            RustType::U32 => "u32".to_owned(),
            RustType::I64 => "i64".to_owned(),
            RustType::U64 => "u64".to_owned(),
            RustType::F32 => "f32".to_owned(),
            RustType::F64 => "f64".to_owned(),
            RustType::Bytes => format!("{}<u8>", self.prelude("Vec", "::std::vec::Vec")),
            RustType::DateTime => {
                let date_time = self.runtime("DateTime", "discovery_runtime::__private::chrono::DateTime", imports);
                let utc = self.runtime("Utc", "discovery_runtime::__private::chrono::Utc", imports);
                format!("{date_time}<{utc}>")
            }
            RustType::Date => self.runtime("NaiveDate", "discovery_runtime::__private::chrono::NaiveDate", imports),
            RustType::Duration => self.runtime("TimeDelta", "discovery_runtime::__private::chrono::TimeDelta", imports),
            RustType::Json => self.runtime("Value", "discovery_runtime::__private::serde_json::Value", imports),
            RustType::Vec(item) => format!(
                "{}<{}>",
                self.prelude("Vec", "::std::vec::Vec"),
                self.type_text(item, imports)
            ),
            RustType::Map(value) => format!(
                "{}<{}, {}>",
                self.runtime("BTreeMap", "std::collections::BTreeMap", imports),
                self.prelude("String", "::std::string::String"),
                self.type_text(value, imports)
            ),
            RustType::Named { path, boxed } => {
                let named = self.named(path);
                if *boxed {
                    format!("{}<{named}>", self.prelude("Box", "::std::boxed::Box"))
                } else {
                    named
                }
            }
        }
    }

    /// A generated type: relative to this module when it is inside it, else from the crate
    /// root.
    fn named(&self, path: &[String]) -> String {
        let segments: Vec<String> = path.iter().map(|s| ident_text(s).into_owned()).collect();
        if segments.len() > self.module.len() && segments[..self.module.len()] == self.module[..] {
            segments[self.module.len()..].join("::")
        } else {
            format!("crate::{}", segments.join("::"))
        }
    }
}
