//! The runtime's public API, listed from its source: every public name of `src/lib.rs` (and of
//! its public modules), the hidden `__private` module marked as such, and the exported macros.
//! A change to the list fails this test until `public_api.txt` is updated with
//! `UPDATE_EXPECT=1 cargo test -p discovery-runtime --test public_api`, so that adding to the
//! API users see is a reviewed decision. Everything generated code alone needs belongs in
//! `__private`.

use std::path::Path;

use expect_test::expect_file;
use syn::{Item, UseTree, Visibility};

#[test]
fn the_public_api_is_what_was_reviewed() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names = Vec::new();
    list_items(&src, &parse(&src.join("lib.rs")), "discovery_runtime", "", &mut names);
    for entry in std::fs::read_dir(&src).expect("src is readable").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source is readable");
            let mut lines = text.lines();
            while let Some(line) = lines.next() {
                if line.trim() == "#[macro_export]"
                    && let Some(name) = lines.next().and_then(|l| l.trim().strip_prefix("macro_rules! "))
                {
                    let hidden = if text.contains(&format!("#[doc(hidden)]\n#[macro_export]\nmacro_rules! {name}")) {
                        " (hidden)"
                    } else {
                        ""
                    };
                    names.push(format!("discovery_runtime::{}!{hidden}", name.trim_end_matches(" {")));
                }
            }
        }
    }
    names.sort();
    expect_file!["public_api.txt"].assert_eq(&(names.join("\n") + "\n"));
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The public names of `file`'s items at `prefix`, with `note` after each.
fn list_items(src: &Path, file: &syn::File, prefix: &str, note: &str, out: &mut Vec<String>) {
    for item in &file.items {
        list_item(src, item, prefix, note, out);
    }
}

fn list_item(src: &Path, item: &Item, prefix: &str, note: &str, out: &mut Vec<String>) {
    let hidden = |attrs: &[syn::Attribute]| {
        attrs
            .iter()
            .any(|a| a.path().is_ident("doc") && a.meta.require_list().is_ok_and(|l| l.tokens.to_string() == "hidden"))
    };
    let gated = |attrs: &[syn::Attribute]| {
        if attrs.iter().any(|a| a.path().is_ident("cfg")) {
            " (feature)"
        } else {
            ""
        }
    };
    let public = |vis: &Visibility| matches!(vis, Visibility::Public(_));
    let mut push = |name: &str, kind: &str, attrs: &[syn::Attribute]| {
        out.push(format!("{prefix}::{name} {kind}{note}{}", gated(attrs)));
    };
    match item {
        Item::Use(u) if public(&u.vis) => {
            let mut names = Vec::new();
            use_names(&u.tree, &mut names);
            for name in names {
                match name.strip_suffix("::*") {
                    Some(from) => push("*", &format!("(every public item of {from})"), &u.attrs),
                    None => push(&name, "(use)", &u.attrs),
                }
            }
        }
        Item::Mod(m) if public(&m.vis) => {
            let note = if hidden(&m.attrs) { " (hidden)" } else { note };
            let path = format!("{prefix}::{}", m.ident);
            out.push(format!("{path} (mod){note}"));
            match &m.content {
                Some((_, items)) => {
                    for item in items {
                        list_item(src, item, &path, note, out);
                    }
                }
                None => list_items(src, &parse(&src.join(format!("{}.rs", m.ident))), &path, note, out),
            }
        }
        Item::Struct(i) if public(&i.vis) => push(&i.ident.to_string(), "(struct)", &i.attrs),
        Item::Enum(i) if public(&i.vis) => push(&i.ident.to_string(), "(enum)", &i.attrs),
        Item::Trait(i) if public(&i.vis) => push(&i.ident.to_string(), "(trait)", &i.attrs),
        Item::Type(i) if public(&i.vis) => push(&i.ident.to_string(), "(type)", &i.attrs),
        Item::Fn(i) if public(&i.vis) => push(&i.sig.ident.to_string(), "(fn)", &i.attrs),
        Item::Const(i) if public(&i.vis) => push(&i.ident.to_string(), "(const)", &i.attrs),
        Item::Static(i) if public(&i.vis) => push(&i.ident.to_string(), "(static)", &i.attrs),
        _ => {}
    }
}

/// The names a `use` tree brings in (`a::{B, C as D}` gives `B`, `D`; a glob gives `a::*`).
fn use_names(tree: &UseTree, out: &mut Vec<String>) {
    match tree {
        UseTree::Path(p) => {
            let mut inner = Vec::new();
            use_names(&p.tree, &mut inner);
            out.extend(inner.into_iter().map(|n| {
                if n.ends_with('*') {
                    format!("{}::{n}", p.ident)
                } else {
                    n
                }
            }));
        }
        UseTree::Name(n) => out.push(n.ident.to_string()),
        UseTree::Rename(r) => out.push(r.rename.to_string()),
        UseTree::Glob(_) => out.push("*".to_owned()),
        UseTree::Group(g) => g.items.iter().for_each(|t| use_names(t, out)),
    }
}
