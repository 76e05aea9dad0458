//! Stage 4: token streams to formatted source text with `prettyplease`.

use proc_macro2::TokenStream;

use crate::Error;

/// The placeholder type name in an [`impl_macro`] template.
const PLACEHOLDER: &str = "__Builder";

/// The attribute the emitters put on an enum that becomes an `open_enum!` invocation.
pub const OPEN_ENUM_MARKER: &str = "__open_enum";

/// The invocation that replaces the marker.
const OPEN_ENUM_MACRO: &str = "::discovery_runtime::open_enum! {";

/// Tells `rustfmt` (and so `cargo fmt --all`) to leave a generated file as prettyplease wrote it;
/// `cfg(rustfmt)` is never set when compiling, so the compiler ignores it.
const RUSTFMT_SKIP: &str = "#![cfg_attr(rustfmt, rustfmt::skip)]";

/// The text of one output file: the one entry point of this stage, used by
/// [`crate::generate`] and the codegen benchmark alike.
pub fn format_output(path: &str, output: crate::emit::Output, header: &str) -> Result<String, Error> {
    use crate::emit::Output;
    Ok(match output {
        Output::Rust(tokens) => format_rust(path, tokens, header)?,
        Output::ImplMacro {
            items,
            name,
            docs,
            template,
        } => {
            let mut text = format_rust(path, items, header)?;
            text.push('\n');
            text.push_str(&impl_macro(path, &name, &docs, template)?);
            text
        }
        Output::RustText(text) => format!("// {header}\n{RUSTFMT_SKIP}\n\n{text}"),
        Output::Text(text) => text,
    })
}

/// Formats one Rust file, prefixed by a `// header` line and a `rustfmt` skip attribute.
pub fn format_rust(path: &str, tokens: TokenStream, header: &str) -> Result<String, Error> {
    let file = parse_file(path, tokens)?;
    Ok(format!(
        "// {header}\n{RUSTFMT_SKIP}\n\n{}",
        wrap_open_enums(&print_file(file))
    ))
}

/// Wraps each enum marked with [`OPEN_ENUM_MARKER`] (formatted as an ordinary enum, whose
/// variants have string discriminants) in an invocation of the runtime's `open_enum!`.
fn wrap_open_enums(text: &str) -> String {
    let marker = format!("#[{OPEN_ENUM_MARKER}]");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut closing: Option<String> = None;
    for line in text.lines() {
        if line.trim_start() == marker {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!("{indent}{OPEN_ENUM_MACRO}\n"));
            closing = Some(format!("{indent}}}"));
            continue;
        }
        match &closing {
            Some(end) => {
                if !line.is_empty() {
                    out.push_str("    ");
                }
                out.push_str(line);
                out.push('\n');
                if line == end {
                    out.push_str(end);
                    out.push('\n');
                    closing = None;
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A `macro_rules!` that implements `template` (an `impl __Builder { .. }` block) for each
/// type it is given. prettyplease leaves macro bodies unformatted, so the template is
/// formatted as ordinary code first and placed in the macro afterwards.
pub fn impl_macro(path: &str, name: &str, docs: &str, template: TokenStream) -> Result<String, Error> {
    let body = print_file(parse_file(path, template)?);
    // Unused when every resource's feature is off.
    let mut out = format!(
        "/// {docs}\n#[allow(unused_macros)]\nmacro_rules! {name} {{\n    ($($builder:ident),* $(,)?) => {{$(\n"
    );
    for line in body.trim_end().lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("        ");
            out.push_str(&line.replace(PLACEHOLDER, "$builder"));
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "    )*}};\n}}\n\n#[allow(unused_imports)]\npub(crate) use {name};\n"
    ));
    Ok(out)
}

fn parse_file(path: &str, tokens: TokenStream) -> Result<syn::File, Error> {
    syn::parse2(tokens).map_err(|e| Error::Internal {
        message: format!("generated {path} is not valid Rust: {e}"),
    })
}

/// The file's inner attributes and docs, then its items, each printed on its own by
/// prettyplease and joined by [`join`].
fn print_file(file: syn::File) -> String {
    let (docs, attributes): (Vec<_>, Vec<_>) = file.attrs.into_iter().partition(|attr| attr.path().is_ident("doc"));
    let mut parts = Vec::new();
    for group in [docs, attributes] {
        if !group.is_empty() {
            parts.push(unparse_items(group, Vec::new()));
        }
    }
    parts.push(join(
        file.items
            .into_iter()
            .map(|item| (Spacing::of(&item), print_item(item, 0))),
    ));
    parts.retain(|part| !part.is_empty());
    parts.join("\n")
}

/// How an item sits next to the one before it: declarations (`use`, `mod x;`) of the same
/// kind are grouped without blank lines; everything else is separated by one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spacing {
    Use,
    ModDeclaration,
    Separate,
}

impl Spacing {
    fn of(item: &syn::Item) -> Self {
        match item {
            // A declaration with attributes (`#[cfg(feature = ..)] pub mod x;`) stands apart.
            syn::Item::Use(item) if item.attrs.is_empty() => Self::Use,
            syn::Item::Mod(module) if module.content.is_none() && module.attrs.is_empty() => Self::ModDeclaration,
            _ => Self::Separate,
        }
    }
}

/// Joins printed items: a blank line between two items unless both are grouped declarations
/// of the same kind.
fn join(items: impl IntoIterator<Item = (Spacing, String)>) -> String {
    let mut out = String::new();
    let mut previous = None;
    for (spacing, text) in items {
        if let Some(before) = previous
            && !(before == spacing && spacing != Spacing::Separate)
        {
            out.push('\n');
        }
        out.push_str(&text);
        previous = Some(spacing);
    }
    out
}

/// One item at `depth` (the number of modules around it); the members of an `impl` block
/// and the items of an inline module are printed one by one too.
fn print_item(item: syn::Item, depth: usize) -> String {
    match item {
        syn::Item::Impl(mut block) if block.items.len() > 1 && outer_only(&block.attrs) => {
            let members = std::mem::take(&mut block.items);
            let body = join(members.into_iter().map(|member| {
                let wrapper = syn::ItemImpl {
                    attrs: Vec::new(),
                    defaultness: None,
                    unsafety: None,
                    impl_token: Default::default(),
                    generics: Default::default(),
                    trait_: None,
                    self_ty: Box::new(syn::Type::Path(syn::TypePath {
                        qself: None,
                        path: syn::Ident::new("__Wrapper", proc_macro2::Span::call_site()).into(),
                    })),
                    brace_token: Default::default(),
                    items: vec![member],
                };
                (Spacing::Separate, unparse_nested(syn::Item::Impl(wrapper), depth, 1))
            }));
            with_body(&unparse_nested(syn::Item::Impl(block), depth, 0), &body)
        }
        syn::Item::Mod(mut module)
            if module.content.as_ref().is_some_and(|(_, items)| !items.is_empty()) && outer_only(&module.attrs) =>
        {
            let items = module
                .content
                .as_mut()
                .map(|(_, items)| std::mem::take(items))
                .unwrap_or_default();
            let body = join(
                items
                    .into_iter()
                    .map(|item| (Spacing::of(&item), print_item(item, depth + 1))),
            );
            with_body(&unparse_nested(syn::Item::Mod(module), depth, 0), &body)
        }
        other => unparse_nested(other, depth, 0),
    }
}

/// Whether `attrs` has no inner attribute (`#![..]`), which prettyplease prints inside the
/// braces; a block with one is printed whole.
fn outer_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().all(|attr| matches!(attr.style, syn::AttrStyle::Outer))
}

/// `item` as prettyplease prints it inside `depth` modules (so it is indented and wrapped
/// as it will be), without the lines of those modules nor the first and last `also` lines
/// of the item itself (the braces of a wrapper `impl`).
fn unparse_nested(item: syn::Item, depth: usize, also: usize) -> String {
    let mut wrapped = item;
    for _ in 0..depth {
        wrapped = syn::Item::Mod(syn::ItemMod {
            attrs: Vec::new(),
            vis: syn::Visibility::Inherited,
            unsafety: None,
            mod_token: Default::default(),
            ident: syn::Ident::new("__wrapper", proc_macro2::Span::call_site()),
            content: Some((Default::default(), vec![wrapped])),
            semi: None,
        });
    }
    let text = unparse_items(Vec::new(), vec![wrapped]);
    let lines: Vec<&str> = text.lines().collect();
    let strip = depth + also;
    let inner = lines.get(strip..lines.len().saturating_sub(strip)).unwrap_or_default();
    inner.iter().map(|line| format!("{line}\n")).collect()
}

/// `text`, an item printed with an empty body (`impl X {}`, `mod x {}`), with `body` put
/// inside the braces on lines of their own.
fn with_body(text: &str, body: &str) -> String {
    let trimmed = text.trim_end();
    let head = trimmed.strip_suffix("{}").unwrap_or(trimmed);
    let last_line = head.lines().last().unwrap_or_default();
    let indent = &last_line[..last_line.len() - last_line.trim_start().len()];
    format!("{head}{{\n{body}{indent}}}\n")
}

fn unparse_items(attrs: Vec<syn::Attribute>, items: Vec<syn::Item>) -> String {
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs,
        items,
    })
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn print(tokens: TokenStream) -> String {
        print_file(syn::parse2(tokens).expect("valid Rust"))
    }

    #[test]
    fn separates_items_but_groups_declarations() {
        let text = print(quote! {
            //! Docs.
            mod a;
            mod b;
            use a::X;
            use b::Y;
            pub const X: u8 = 1;
            /// Y.
            struct Y {}
            /// Z.
            struct Z;
        });
        let expected = "//! Docs.\n\nmod a;\nmod b;\n\nuse a::X;\nuse b::Y;\n\npub const X: u8 = 1;\n\n/// Y.\nstruct Y {}\n\n/// Z.\nstruct Z;\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn separates_the_members_of_impl_blocks_and_inline_modules() {
        let text = print(quote! {
            impl Y {
                fn a() {}
                /// B.
                fn b() -> u8 { 1 }
            }
            pub mod nested {
                use super::Y;
                pub struct Empty {}
                impl Empty { const A: u8 = 1; const B: u8 = 2; }
            }
        });
        let expected = "impl Y {\n    fn a() {}\n\n    /// B.\n    fn b() -> u8 {\n        1\n    }\n}\n\n\
            pub mod nested {\n    use super::Y;\n\n    pub struct Empty {}\n\n    impl Empty {\n        const A: u8 = 1;\n\n        const B: u8 = 2;\n    }\n}\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn keeps_one_member_impls_and_empty_modules_as_prettyplease_prints_them() {
        let text = print(quote! { impl Y { fn a() {} } mod m {} });
        assert_eq!(text, "impl Y {\n    fn a() {}\n}\n\nmod m {}\n");
    }

    #[test]
    fn prints_a_module_with_inner_attributes_whole() {
        let text = print(quote! { mod m { #![allow(dead_code)] fn a() {} fn b() {} } });
        assert_eq!(
            text,
            "mod m {\n    #![allow(dead_code)]\n    fn a() {}\n    fn b() {}\n}\n"
        );
    }
}
