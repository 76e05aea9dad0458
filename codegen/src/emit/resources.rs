//! Resources as source text: a handle struct per resource with an accessor per method, and a
//! request builder per method over the runtime's generic `Call`.
//!
//! Runtime items are named through the alias `rt` (`use ::discovery_runtime::__private as
//! rt;` at the top of each module), std items by their prelude names; a module that defines
//! an item of one of those names gets the absolute path instead (see [`Names`]).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::doc_comment::{write_docs, write_lines};
use super::layout::{SHORT_LIST_WIDTH, WIDTH, width, write_call, write_fn};
use super::models::{Scope, cfg_attr};
use super::text::{code_span, ident_text, string_literal};
use crate::resolve::ir::{
    HttpMethod, MediaUpload, Method, Pagination, Param, ParamLocation, PathPiece, PathStyle, Resource, Root, RustType,
    TypeDef,
};

/// The text of `resources/mod.rs` without its header lines: the module docs, a `mod`
/// declaration per top-level resource (each in its own file) and the top-level methods.
pub fn root_file(root: &Root, docs: &str) -> String {
    file(&Module::root(root), docs)
}

/// The text of a top-level resource's file without its header lines: the module docs and
/// its items, child resources in inline modules.
pub fn resource_file(resource: &Resource, docs: &str) -> String {
    file(&Module::resource(resource), docs)
}

/// The accessors of the `Client` (in `lib.rs`): the top-level methods and resources.
pub fn client_accessors(root: &Root) -> String {
    accessors(&Module::root(root), "self.inner", "resources::", "    ")
}

fn file(module: &Module, docs: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "//! {docs}");
    out.push('\n');
    write_items(&mut out, module, "");
    out
}

/// Whose methods a module's builders are.
#[derive(Clone, Copy)]
enum Owner<'a> {
    /// The crate's `Client`: the methods at the top level of the document.
    Client,
    /// A resource's handle.
    Handle(&'a Resource),
}

/// What the emitter needs of the module of the root or of a resource.
struct Module<'a> {
    owner: Owner<'a>,
    /// The handle's name (`Client` for the root).
    handle: &'a str,
    module_path: &'a [String],
    methods: &'a [Method],
    param_types: &'a [TypeDef],
    /// The child resources, each with its cargo feature (top-level resources only).
    children: Vec<(&'a Resource, Option<&'a String>)>,
}

impl<'a> Module<'a> {
    fn root(root: &'a Root) -> Self {
        Self {
            owner: Owner::Client,
            handle: "Client",
            module_path: &root.module_path,
            methods: &root.methods,
            param_types: &root.param_types,
            children: root
                .resources
                .iter()
                .map(|top| (&top.resource, Some(&top.feature)))
                .collect(),
        }
    }

    fn resource(resource: &'a Resource) -> Self {
        Self {
            owner: Owner::Handle(resource),
            handle: &resource.handle,
            module_path: &resource.module_path,
            methods: &resource.methods,
            param_types: &resource.param_types,
            children: resource.resources.iter().map(|child| (child, None)).collect(),
        }
    }
}

/// The names that short paths in one module depend on.
struct Names {
    /// The alias of `::discovery_runtime::__private`.
    rt: &'static str,
    scope: Scope,
}

impl Names {
    fn new(module: &Module) -> Self {
        let mut defined: BTreeSet<String> = BTreeSet::new();
        defined.insert(ident_text(module.handle).into_owned());
        for m in module.methods {
            defined.insert(ident_text(&m.builder).into_owned());
        }
        for (child, _) in &module.children {
            defined.insert(ident_text(&child.module).into_owned());
        }
        for def in module.param_types {
            defined.insert(ident_text(&def.name).into_owned());
            defined.insert(ident_text(&def.nested_module).into_owned());
        }
        let rt = if defined.contains("rt") { "__rt" } else { "rt" };
        Self {
            rt,
            scope: Scope::with_names(module.module_path, defined),
        }
    }

    fn prelude(&self, short: &'static str, full: &'static str) -> &'static str {
        self.scope.prelude(short, full)
    }

    fn some(&self) -> &'static str {
        self.prelude("Some", "::std::option::Option::Some")
    }

    fn none(&self) -> &'static str {
        self.prelude("None", "::std::option::Option::None")
    }

    fn ty(&self, ty: &RustType) -> String {
        // Only std types are named short in resource modules; runtime types through `rt`.
        match ty {
            RustType::DateTime => format!("{0}::chrono::DateTime<{0}::chrono::Utc>", self.rt),
            RustType::Date => format!("{}::chrono::NaiveDate", self.rt),
            RustType::Duration => format!("{}::chrono::TimeDelta", self.rt),
            RustType::Json => format!("{}::serde_json::Value", self.rt),
            RustType::Vec(item) => format!("{}<{}>", self.prelude("Vec", "::std::vec::Vec"), self.ty(item)),
            RustType::Map(value) => format!(
                "::std::collections::BTreeMap<{}, {}>",
                self.prelude("String", "::std::string::String"),
                self.ty(value)
            ),
            RustType::Named { path, boxed } => {
                let named = format!(
                    "crate::{}",
                    path.iter()
                        .map(|s| ident_text(s).into_owned())
                        .collect::<Vec<_>>()
                        .join("::")
                );
                if *boxed {
                    format!("{}<{named}>", self.prelude("Box", "::std::boxed::Box"))
                } else {
                    named
                }
            }
            other => self.scope.type_text(other, &mut BTreeSet::new()),
        }
    }

    /// The argument type of a positional parameter or setter.
    fn arg_type(&self, param: &Param) -> String {
        let item = match param.ty {
            RustType::String => format!(
                "impl {}<{}>",
                self.prelude("Into", "::std::convert::Into"),
                self.prelude("String", "::std::string::String")
            ),
            ref other => self.ty(other),
        };
        if param.repeated {
            format!(
                "impl {}<Item = {item}>",
                self.prelude("IntoIterator", "::std::iter::IntoIterator")
            )
        } else {
            item
        }
    }
}

fn write_items(out: &mut String, module: &Module, indent: &str) {
    let names = Names::new(module);
    let mut first = true;
    for &(child, feature) in &module.children {
        match module.owner {
            // The top-level resources: each in its own file.
            Owner::Client => {
                if let Some(cfg) = feature.and_then(|f| cfg_attr(std::slice::from_ref(f))) {
                    gap(out, &mut first);
                    let _ = writeln!(out, "{indent}{cfg}");
                } else if first {
                    first = false;
                }
                let _ = writeln!(out, "{indent}pub mod {};", ident_text(&child.module));
            }
            Owner::Handle(_) => {
                gap(out, &mut first);
                let _ = writeln!(out, "{indent}/// The {} resource.", code_span(&child.json_name));
                let _ = writeln!(out, "{indent}pub mod {} {{", ident_text(&child.module));
                write_items(out, &Module::resource(child), &format!("{indent}    "));
                let _ = writeln!(out, "{indent}}}");
            }
        }
    }
    let handle = match module.owner {
        Owner::Client => None,
        Owner::Handle(resource) => Some(resource),
    };
    if !module.methods.is_empty() || handle.is_some() {
        gap(out, &mut first);
        let _ = writeln!(out, "{indent}use ::discovery_runtime::__private as {};", names.rt);
    }
    if let Some(resource) = handle {
        gap(out, &mut first);
        write_handle(out, resource, &names, indent);
    }
    for method in module.methods {
        gap(out, &mut first);
        write_method(out, module.owner, method, &names, indent);
    }
    if !module.methods.is_empty() {
        gap(out, &mut first);
        let builders: Vec<String> = module
            .methods
            .iter()
            .map(|m| ident_text(&m.builder).into_owned())
            .collect();
        let one_line = format!("{indent}crate::params::standard_parameters!({});", builders.join(", "));
        if one_line.len() <= WIDTH {
            let _ = writeln!(out, "{one_line}");
        } else {
            let _ = writeln!(out, "{indent}crate::params::standard_parameters!(");
            for builder in &builders {
                let _ = writeln!(out, "{indent}    {builder},");
            }
            let _ = writeln!(out, "{indent});");
        }
    }
    if !module.param_types.is_empty() {
        gap(out, &mut first);
        super::models::write_defs(out, module.param_types, module.module_path, indent);
    }
}

/// A blank line before every item but the first.
fn gap(out: &mut String, first: &mut bool) {
    if !std::mem::take(first) {
        out.push('\n');
    }
}

/// The accessor methods for a module's methods and children, for an `impl` block of its
/// handle (or of `Client` for the root), at `indent`. `client` is the expression of the
/// runtime client (`self.client`); `module_prefix` leads to the builders (`resources::`).
fn accessors(module: &Module, client: &str, module_prefix: &str, indent: &str) -> String {
    let names = Names::new(module);
    let mut out = String::new();
    for method in module.methods {
        out.push('\n');
        write_docs(&mut out, &method.docs, indent);
        if method.docs.deprecated {
            let _ = writeln!(out, "{indent}#[deprecated]");
        }
        let _ = writeln!(out, "{indent}#[inline]");
        let builder = format!("{module_prefix}{}", ident_text(&method.builder));
        let mut params = vec!["&self".to_owned()];
        let mut args = vec![format!("&{client}")];
        for p in &method.required_params {
            params.push(format!("{}: {}", ident_text(&p.rust_name), names.arg_type(p)));
            args.push(ident_text(&p.rust_name).into_owned());
        }
        if let Some(body) = &method.request {
            params.push(format!("{}: {}", ident_text(&body.arg_name), names.ty(&body.ty)));
            args.push(ident_text(&body.arg_name).into_owned());
        }
        let head = format!("pub fn {}", ident_text(&method.accessor));
        write_fn(&mut out, indent, &head, &params, &format!(" -> {builder}"));
        write_call(
            &mut out,
            &format!("{indent}    "),
            &format!("{builder}::new"),
            &args,
            "",
        );
        let _ = writeln!(out, "{indent}}}");
    }
    for &(child, feature) in &module.children {
        out.push('\n');
        let _ = writeln!(out, "{indent}/// The {} resource.", code_span(&child.json_name));
        if child.deprecated {
            let _ = writeln!(out, "{indent}///\n{indent}/// **Deprecated.**\n{indent}#[deprecated]");
        }
        if let Some(cfg) = feature.and_then(|f| cfg_attr(std::slice::from_ref(f))) {
            let _ = writeln!(out, "{indent}{cfg}");
        }
        let _ = writeln!(out, "{indent}#[inline]");
        let handle = format!(
            "{module_prefix}{}::{}",
            ident_text(&child.module),
            ident_text(&child.handle)
        );
        let head = format!("pub fn {}", ident_text(&child.accessor));
        write_fn(&mut out, indent, &head, &["&self".to_owned()], &format!(" -> {handle}"));
        let clone = [format!("{client}.clone()")];
        write_call(
            &mut out,
            &format!("{indent}    "),
            &format!("{handle}::new"),
            &clone,
            "",
        );
        let _ = writeln!(out, "{indent}}}");
    }
    out
}

fn write_handle(out: &mut String, resource: &Resource, names: &Names, indent: &str) {
    let name = ident_text(&resource.handle);
    let rt = names.rt;
    let _ = writeln!(
        out,
        "{indent}/// Methods of the {} resource.",
        code_span(&resource.json_name)
    );
    let _ = writeln!(out, "{indent}#[derive(Clone, Debug)]");
    let _ = writeln!(out, "{indent}pub struct {name} {{");
    let _ = writeln!(out, "{indent}    client: {rt}::Client,");
    let _ = writeln!(out, "{indent}}}\n");
    let _ = writeln!(out, "{indent}impl {name} {{");
    let _ = writeln!(out, "{indent}    #[inline]");
    let _ = writeln!(out, "{indent}    pub(crate) fn new(client: {rt}::Client) -> Self {{");
    let _ = writeln!(out, "{indent}        Self {{ client }}");
    let _ = writeln!(out, "{indent}    }}");
    out.push_str(&accessors(
        &Module::resource(resource),
        "self.client",
        "",
        &format!("{indent}    "),
    ));
    let _ = writeln!(out, "{indent}}}");
}

/// The items of one method. Every function of a builder is `#[inline]`, so that it is compiled
/// in the crates that call it rather than for every method of the generated crate: `send` and
/// the media and paging methods instantiate the generic request machinery (a 4x difference in
/// release builds of large APIs), and the constructors and setters, though small, are many.
fn write_method(out: &mut String, owner: Owner, method: &Method, names: &Names, indent: &str) {
    let rt = names.rt;
    let info = ident_text(&method.info_const);
    let http = match method.http_method {
        HttpMethod::Get => "Get",
        HttpMethod::Post => "Post",
        HttpMethod::Put => "Put",
        HttpMethod::Patch => "Patch",
        HttpMethod::Delete => "Delete",
        HttpMethod::Head => "Head",
    };
    let _ = writeln!(out, "{indent}const {info}: {rt}::MethodInfo = {rt}::MethodInfo::new(");
    let _ = writeln!(out, "{indent}    {},", string_literal(&method.id));
    let _ = writeln!(out, "{indent}    {rt}::HttpMethod::{http},");
    write_path(out, &method.path, names, &format!("{indent}    "), ",");
    let _ = writeln!(out, "{indent});");
    if let Some(media) = &method.media_upload {
        out.push('\n');
        write_upload_info(out, media, names, indent);
    }
    out.push('\n');

    let builder = ident_text(&method.builder);
    let created_by = match owner {
        Owner::Client => format!("Created by [`Client::{0}`](crate::Client::{0}).", method.accessor),
        Owner::Handle(resource) => format!("Created by [`{}::{}`].", resource.handle, method.accessor),
    };
    write_lines(
        out,
        &[
            format!("Request builder for {}.", code_span(&method.id)),
            String::new(),
            created_by,
        ],
        indent,
    );
    let _ = writeln!(out, "{indent}#[derive(Clone, Debug)]");
    let _ = writeln!(
        out,
        "{indent}#[must_use = \"a request does nothing until `send` is awaited\"]"
    );
    let _ = writeln!(out, "{indent}pub struct {builder} {{");
    let _ = writeln!(out, "{indent}    call: {rt}::Call,");
    if let Some(body) = &method.request {
        let _ = writeln!(out, "{indent}    request: {},", names.ty(&body.ty));
    }
    let _ = writeln!(out, "{indent}}}\n");

    let member = format!("{indent}    ");
    let body_indent = format!("{indent}        ");
    let _ = writeln!(out, "{indent}impl {builder} {{");
    // The constructor.
    let _ = writeln!(out, "{member}#[inline]");
    let mut params = vec![format!("client: &{rt}::Client")];
    for p in &method.required_params {
        params.push(format!("{}: {}", ident_text(&p.rust_name), names.arg_type(p)));
    }
    if let Some(body) = &method.request {
        params.push(format!("{}: {}", ident_text(&body.arg_name), names.ty(&body.ty)));
    }
    write_fn(out, &member, "pub(crate) fn new", &params, " -> Self");
    let binding = if method.required_params.is_empty() {
        "call"
    } else {
        "mut call"
    };
    let _ = writeln!(out, "{body_indent}let {binding} = {rt}::Call::new(client, &{info});");
    for p in &method.required_params {
        let _ = writeln!(out, "{body_indent}{}", set_param(p, "call", names));
    }
    match &method.request {
        Some(body) if body.arg_name == "request" => {
            let _ = writeln!(out, "{body_indent}Self {{ call, request }}");
        }
        Some(body) => {
            let _ = writeln!(
                out,
                "{body_indent}Self {{ call, request: {} }}",
                ident_text(&body.arg_name)
            );
        }
        None => {
            let _ = writeln!(out, "{body_indent}Self {{ call }}");
        }
    }
    let _ = writeln!(out, "{member}}}");
    for p in &method.optional_params {
        out.push('\n');
        write_setter(out, p, names, &member);
    }
    out.push('\n');
    let body = body_ref(method, names);
    match &method.response {
        Some(response) => {
            let _ = writeln!(out, "{member}/// Sends the request and decodes the response.");
            let _ = writeln!(out, "{member}#[inline]");
            write_fn(
                out,
                &member,
                "pub async fn send",
                &["self".to_owned()],
                &format!(" -> crate::Result<{}>", names.ty(response)),
            );
            let _ = writeln!(out, "{body_indent}self.call.send_json({body}).await");
        }
        None => {
            let _ = writeln!(out, "{member}/// Sends the request.");
            let _ = writeln!(out, "{member}#[inline]");
            let _ = writeln!(out, "{member}pub async fn send(self) -> crate::Result<()> {{");
            let _ = writeln!(out, "{body_indent}self.call.send_empty({body}).await");
        }
    }
    let _ = writeln!(out, "{member}}}");
    if method.media_download {
        out.push('\n');
        write_lines(
            out,
            &["Sends the request with `alt=media` and streams the media itself, chunk by chunk, instead of decoding the JSON response.".to_owned()],
            &member,
        );
        let _ = writeln!(out, "{member}#[inline]");
        let _ = writeln!(
            out,
            "{member}pub async fn download(self) -> crate::Result<{rt}::Download> {{"
        );
        let _ = writeln!(out, "{body_indent}self.call.send_download({body}).await");
        let _ = writeln!(out, "{member}}}");
    }
    if let Some(media) = &method.media_upload {
        write_upload(out, media, method, names, &member);
    }
    if let (Some(pagination), Some(response)) = (&method.pagination, &method.response) {
        write_pagination(out, pagination, response, method, names, &member);
    }
    let _ = writeln!(out, "{indent}}}");
}

/// A path as the elements of a `&[PathParam]` literal, ending in `end`.
fn write_path(out: &mut String, pieces: &[PathPiece], names: &Names, indent: &str, end: &str) {
    let rt = names.rt;
    if pieces.is_empty() {
        let _ = writeln!(out, "{indent}&[]{end}");
        return;
    }
    // Literals alone: on one line when `rustfmt` would keep them there (`array_width`).
    let literals: Option<Vec<String>> = pieces
        .iter()
        .map(|piece| match piece {
            PathPiece::Literal(text) => Some(format!("{rt}::PathParam::Literal({})", string_literal(text))),
            PathPiece::Param { .. } => None,
        })
        .collect();
    if let Some(literals) = literals {
        let joined = literals.join(", ");
        let line = format!("{indent}&[{joined}]{end}");
        if width(&joined) <= SHORT_LIST_WIDTH && width(&line) <= WIDTH {
            let _ = writeln!(out, "{line}");
            return;
        }
    }
    let _ = writeln!(out, "{indent}&[");
    for piece in pieces {
        match piece {
            PathPiece::Literal(text) => {
                let _ = writeln!(out, "{indent}    {rt}::PathParam::Literal({}),", string_literal(text));
            }
            PathPiece::Param { name, style, pattern } => {
                let style = match style {
                    PathStyle::Simple => "Simple",
                    PathStyle::ReservedSlashOnly => "ReservedSlashOnly",
                    PathStyle::Reserved => "Reserved",
                };
                let pattern = match pattern {
                    Some(p) => format!("{}({})", names.some(), string_literal(p)),
                    None => names.none().to_owned(),
                };
                let _ = writeln!(out, "{indent}    {rt}::PathParam::Param {{");
                let _ = writeln!(out, "{indent}        name: {},", string_literal(name));
                let _ = writeln!(out, "{indent}        style: {rt}::PathStyle::{style},");
                let _ = writeln!(out, "{indent}        pattern: {pattern},");
                let _ = writeln!(out, "{indent}    }},");
            }
        }
    }
    let _ = writeln!(out, "{indent}]{end}");
}

/// The body argument of a runtime send: the builder's request, or none.
fn body_ref(method: &Method, names: &Names) -> String {
    if method.request.is_some() {
        format!("{}(&self.request)", names.some())
    } else {
        format!("{}::<&()>::None", names.prelude("Option", "::std::option::Option"))
    }
}

fn write_upload_info(out: &mut String, media: &MediaUpload, names: &Names, indent: &str) {
    let rt = names.rt;
    let name = ident_text(&media.info_const);
    let _ = writeln!(out, "{indent}const {name}: {rt}::UploadInfo = {rt}::UploadInfo::new(");
    let inner = format!("{indent}    ");
    for path in [&media.simple_path, &media.resumable_path] {
        match path {
            Some(pieces) => {
                let _ = writeln!(out, "{inner}{}(", names.some());
                write_path(out, pieces, names, &format!("{inner}    "), "");
                let _ = writeln!(out, "{inner}),");
            }
            None => {
                let _ = writeln!(out, "{inner}{},", names.none());
            }
        }
    }
    match media.max_size {
        Some(max) => {
            let _ = writeln!(out, "{inner}{}({max}u64),", names.some());
        }
        None => {
            let _ = writeln!(out, "{inner}{},", names.none());
        }
    }
    let accept: Vec<String> = media.accept.iter().map(|a| string_literal(a)).collect();
    let _ = writeln!(out, "{inner}&[{}],", accept.join(", "));
    let _ = writeln!(out, "{indent});");
}

fn write_upload(out: &mut String, media: &MediaUpload, method: &Method, names: &Names, indent: &str) {
    let rt = names.rt;
    let info = ident_text(&media.info_const);
    let metadata = body_ref(method, names);
    let (output, finish) = match &method.response {
        Some(response) => (names.ty(response), ""),
        None => ("()".to_owned(), ".map(drop)"),
    };
    let decoded = match &method.response {
        Some(response) => names.ty(response),
        None => format!("{rt}::serde::de::IgnoredAny"),
    };
    let limits = match media.max_size {
        Some(max) => format!(" The media may be at most {max} bytes."),
        None => String::new(),
    };
    let accept = if media.accept.is_empty() {
        String::new()
    } else {
        format!(
            " Accepted media types: {}.",
            media.accept.iter().map(|a| code_span(a)).collect::<Vec<_>>().join(", ")
        )
    };
    let body_indent = format!("{indent}    ");
    let protocols = [
        (
            media.simple_path.is_some(),
            format!(
                "Uploads `media` in one request, with this request's metadata when it has any (multipart).{limits}{accept}"
            ),
            "upload",
            "Media",
            "send_upload",
        ),
        (
            media.resumable_path.is_some(),
            format!(
                "Uploads `media` by the resumable protocol, in chunks, resuming from what the server has after an interruption.{limits}{accept}"
            ),
            "upload_resumable",
            "ResumableMedia",
            "send_resumable",
        ),
    ];
    for (present, docs, name, media_type, send) in protocols {
        if !present {
            continue;
        }
        out.push('\n');
        write_lines(out, &[docs], indent);
        let _ = writeln!(out, "{indent}#[inline]");
        write_fn(
            out,
            indent,
            &format!("pub async fn {name}"),
            &["self".to_owned(), format!("media: {rt}::{media_type}")],
            &format!(" -> crate::Result<{output}>"),
        );
        let call = format!("self.call.{send}::<_, {decoded}>(&{info}, {metadata}, media).await{finish}");
        let _ = writeln!(out, "{body_indent}{call}");
        let _ = writeln!(out, "{indent}}}");
    }
}

/// `pages()` and, when the item field is known, `items()`.
fn write_pagination(
    out: &mut String,
    pagination: &Pagination,
    response: &RustType,
    method: &Method,
    names: &Names,
    indent: &str,
) {
    let rt = names.rt;
    let response = names.ty(response);
    let token = ident_text(&pagination.next_token_field);
    let body = if method.request.is_some() {
        format!("{}(self.request)", names.some())
    } else {
        format!("{}::<()>::None", names.prelude("Option", "::std::option::Option"))
    };
    let inner = format!("{indent}    ");
    let option = names.prelude("Option", "::std::option::Option");
    out.push('\n');
    write_lines(
        out,
        &["Streams every page, the next one requested with the previous one's `nextPageToken`, until a page has none; the stream ends after an error.".to_owned()],
        indent,
    );
    let _ = writeln!(out, "{indent}#[inline]");
    let _ = writeln!(out, "{indent}pub fn pages(self) -> {rt}::paging::Pages<{response}> {{");
    let _ = writeln!(out, "{inner}fn next_page_token(page: &{response}) -> {option}<&str> {{");
    let _ = writeln!(out, "{inner}    page.{token}.as_deref()");
    let _ = writeln!(out, "{inner}}}");
    let _ = writeln!(out, "{inner}{rt}::paging::pages(self.call, {body}, next_page_token)");
    let _ = writeln!(out, "{indent}}}");
    if let Some((field, item)) = &pagination.items {
        let item = names.ty(item);
        let vec = names.prelude("Vec", "::std::vec::Vec");
        out.push('\n');
        let _ = writeln!(
            out,
            "{indent}/// Streams the items of every page, following `nextPageToken`; see [`Self::pages`]."
        );
        let _ = writeln!(out, "{indent}#[inline]");
        let _ = writeln!(out, "{indent}pub fn items(self) -> {rt}::paging::Items<{item}> {{");
        let _ = writeln!(out, "{inner}fn items(page: {response}) -> {vec}<{item}> {{");
        let _ = writeln!(out, "{inner}    page.{}", ident_text(field));
        let _ = writeln!(out, "{inner}}}");
        let _ = writeln!(out, "{inner}{rt}::paging::items(self.pages(), items)");
        let _ = writeln!(out, "{indent}}}");
    }
}

/// The statement that stores a parameter's value in the call.
fn set_param(param: &Param, call: &str, names: &Names) -> String {
    let rt = names.rt;
    let name = ident_text(&param.rust_name);
    let json = string_literal(&param.json_name);
    let is_string = param.ty == RustType::String;
    let into = || {
        format!(
            "{}::<{}>::into",
            names.prelude("Into", "::std::convert::Into"),
            names.prelude("String", "::std::string::String")
        )
    };
    match (param.location, param.repeated) {
        (ParamLocation::Path, false) if is_string => format!("{call}.set_path({json}, {name});"),
        (ParamLocation::Path, false) => {
            format!("{call}.set_path({json}, {rt}::QueryValue::to_query_value(&{name}));")
        }
        (ParamLocation::Path, true) => format!(
            "{call}.set_path({json}, {name}.into_iter().map(|v| {rt}::QueryValue::to_query_value(&v)).collect::<{}<_>>().join(\",\"));",
            names.prelude("Vec", "::std::vec::Vec")
        ),
        (ParamLocation::Query, true) if is_string => {
            format!("{call}.set_query_repeated({json}, {name}.into_iter().map({}));", into())
        }
        (ParamLocation::Query, true) => format!("{call}.set_query_repeated({json}, {name});"),
        (ParamLocation::Query, false) if is_string => format!("{call}.set_query({json}, {}({name}));", into()),
        (ParamLocation::Query, false) => format!("{call}.set_query({json}, {name});"),
    }
}

fn write_setter(out: &mut String, param: &Param, names: &Names, indent: &str) {
    write_docs(out, &param.docs, indent);
    if param.docs.deprecated {
        let _ = writeln!(out, "{indent}#[deprecated]");
    }
    let _ = writeln!(out, "{indent}#[inline]");
    let name = ident_text(&param.rust_name);
    write_fn(
        out,
        indent,
        &format!("pub fn {name}"),
        &["mut self".to_owned(), format!("{name}: {}", names.arg_type(param))],
        " -> Self",
    );
    let _ = writeln!(out, "{indent}    {}", set_param(param, "self.call", names));
    let _ = writeln!(out, "{indent}    self");
    let _ = writeln!(out, "{indent}}}");
}
