//! `src/object_impls.rs`: the serde impls of the models, out of the way of the models
//! themselves. One invocation of the runtime's `__object!` per struct, which expands to the
//! `Object`, `Deserialize` and `Serialize` impls the generator once wrote out in full (a
//! `match` arm and an `if` per field over the runtime's `object` helpers): the same JSON, a
//! tenth of the text to generate and to read.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::models::cfg_attr;
use super::text::{ident_text, string_literal};
use crate::resolve::ir::{Field, Presence, Struct, TypeDef, TypeKind, Wire};

/// The text of the file without its header lines; `None` when the crate has no struct.
pub fn object_impls_rs(models: &[TypeDef]) -> Option<String> {
    let mut body = String::new();
    let mut wires = BTreeSet::new();
    let mut path = vec!["models".to_owned()];
    write_defs(&mut body, models, &mut path, &[], &mut wires);
    if body.is_empty() {
        return None;
    }
    let mut out = String::from(
        "//! The serde impls of the models: one invocation per struct of the runtime's `__object!`,\n\
         //! which expands to its `Deserialize` and `Serialize` impls.\n",
    );
    let mut imports = Vec::new();
    if wires.contains("BTreeMap") {
        imports.push("use std::collections::BTreeMap;".to_owned());
    }
    let adapters: Vec<&str> = wires.iter().copied().filter(|w| *w != "BTreeMap").collect();
    match adapters.as_slice() {
        [] => {}
        [one] => imports.push(format!("use discovery_runtime::__private::wire::{one};")),
        many => imports.push(format!(
            "use discovery_runtime::__private::wire::{{{}}};",
            many.join(", ")
        )),
    }
    // With some features off, the structs that use an adapter may all be gone.
    let gated = models.iter().any(|def| !def.features.is_empty());
    if !imports.is_empty() {
        out.push('\n');
        for line in imports {
            if gated {
                out.push_str("#[allow(unused_imports)]\n");
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(&body);
    Some(out)
}

/// Whether any of `defs` (or a type nested in one) is a struct.
pub fn has_structs(defs: &[TypeDef]) -> bool {
    defs.iter()
        .any(|def| matches!(def.kind, TypeKind::Struct(_)) || has_structs(&def.nested))
}

fn write_defs(
    out: &mut String,
    defs: &[TypeDef],
    path: &mut Vec<String>,
    outer_features: &[String],
    wires: &mut BTreeSet<&'static str>,
) {
    for def in defs {
        // Only top-level schemas are gated; nested types follow their parent.
        let features = if def.features.is_empty() {
            outer_features
        } else {
            &def.features[..]
        };
        if let TypeKind::Struct(s) = &def.kind {
            out.push('\n');
            if let Some(cfg) = cfg_attr(features) {
                let _ = writeln!(out, "{cfg}");
            }
            let ty = format!("crate::{}::{}", path.join("::"), ident_text(&def.name));
            write_invocation(out, &ty, &def.json_name, s, wires);
        }
        if !def.nested.is_empty() {
            path.push(ident_text(&def.nested_module).into_owned());
            write_defs(out, &def.nested, path, features, wires);
            path.pop();
        }
    }
}

fn write_invocation(out: &mut String, ty: &str, json_name: &str, s: &Struct, wires: &mut BTreeSet<&'static str>) {
    let _ = writeln!(out, "discovery_runtime::__object! {{");
    if s.fields.is_empty() {
        let _ = writeln!(out, "    {ty} = {} {{}}", string_literal(json_name));
    } else {
        let _ = writeln!(out, "    {ty} = {} {{", string_literal(json_name));
        for f in &s.fields {
            write_field(out, f, wires);
        }
        let _ = writeln!(out, "    }}");
    }
    match (&s.additional, &s.unknown_fields) {
        (Some(f), _) => match &f.wire {
            Some(Wire::Map(inner)) => {
                let _ = writeln!(
                    out,
                    "    additional {} as {}",
                    ident_text(&f.rust_name),
                    wire_text(inner, wires)
                );
            }
            _ => {
                let _ = writeln!(out, "    additional {}", ident_text(&f.rust_name));
            }
        },
        (None, Some(name)) => {
            let _ = writeln!(out, "    unknown {}", ident_text(name));
        }
        (None, None) => {
            let _ = writeln!(out, "    ignore");
        }
    }
    let _ = writeln!(out, "}}");
}

fn write_field(out: &mut String, f: &Field, wires: &mut BTreeSet<&'static str>) {
    let key = string_literal(&f.json_name);
    let name = ident_text(&f.rust_name);
    let (kind, wire) = match f.presence {
        // The adapter of an `Option` field is `Option<Adapter>`; the macro takes the inner one.
        Presence::Optional => (
            "opt",
            f.wire.as_ref().map(|w| match w {
                Wire::Option(inner) => inner.as_ref(),
                other => other,
            }),
        ),
        Presence::EmptyVec | Presence::EmptyMap => ("many", f.wire.as_ref()),
    };
    match wire {
        Some(wire) => {
            let _ = writeln!(out, "        {key} => {name}: {kind} as {},", wire_text(wire, wires));
        }
        None => {
            let _ = writeln!(out, "        {key} => {name}: {kind},");
        }
    }
}

/// An adapter type (`Option<StringEncoded>`), noting the names to import.
fn wire_text(wire: &Wire, wires: &mut BTreeSet<&'static str>) -> String {
    let mut named = |name: &'static str| {
        wires.insert(name);
        name.to_owned()
    };
    match wire {
        Wire::Same => named("Same"),
        Wire::StringEncoded => named("StringEncoded"),
        Wire::Base64 => named("Base64"),
        Wire::Duration => named("Duration"),
        Wire::Option(inner) => format!("Option<{}>", wire_text(inner, wires)),
        Wire::Vec(inner) => format!("Vec<{}>", wire_text(inner, wires)),
        Wire::Map(inner) => {
            wires.insert("BTreeMap");
            wires.insert("Same");
            format!("BTreeMap<Same, {}>", wire_text(inner, wires))
        }
    }
}
