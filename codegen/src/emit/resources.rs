//! Resources: a handle struct per resource with an accessor per method, and a request builder
//! per method over the runtime's generic `Call`.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{deprecated_attr, doc_attrs, lines_to_attrs};
use super::rust_type::{cfg_features, ident, type_tokens};
use super::text::{code_span, string_literal};
use super::types::type_defs;
use crate::resolve::ir::{
    HttpMethod, MediaUpload, Method, Pagination, Param, PathPiece, PathStyle, Resource, RustType,
};

/// The items of a resource's module: handle (unless root), builders, parameter types, and the
/// modules of child resources (inline, unless `children_inline` is false).
pub fn resource_items(resource: &Resource, children_inline: bool) -> TokenStream {
    let is_root = resource.json_name.is_empty();
    let handle = (!is_root).then(|| handle(resource));
    let methods = resource.methods.iter().map(|m| method_items(resource, m));
    let builders: Vec<_> = resource.methods.iter().map(|m| ident(&m.builder)).collect();
    let standard = (!builders.is_empty()).then(|| quote! { crate::params::standard_parameters!(#(#builders),*); });
    let param_types = type_defs(&resource.param_types);
    let children = resource.resources.iter().map(|child| {
        let module = ident(&child.module);
        if children_inline {
            let docs = format!(" The {} resource.", code_span(&child.json_name));
            let items = resource_items(child, true);
            quote! { #[doc = #docs] pub mod #module { #items } }
        } else {
            let cfg = cfg_features(child.feature.as_slice());
            quote! { #cfg pub mod #module; }
        }
    });
    quote! {
        #(#children)*
        #handle
        #(#methods)*
        #standard
        #param_types
    }
}

/// The accessor methods for `resource`'s methods and children, for an `impl` block of its
/// handle (or of `Client` for the root). `client` is the expression of the runtime client.
pub fn accessors(resource: &Resource, client: &TokenStream, module_prefix: &TokenStream) -> TokenStream {
    let methods = resource.methods.iter().map(|m| accessor(m, client, module_prefix));
    let children = resource.resources.iter().map(|child| {
        let name = ident(&child.accessor);
        let module = ident(&child.module);
        let handle = ident(&child.handle);
        let docs = format!(" The {} resource.", code_span(&child.json_name));
        let deprecated = child
            .deprecated
            .then(|| quote!(#[doc = ""] #[doc = " **Deprecated.**"] #[deprecated]));
        let cfg = cfg_features(child.feature.as_slice());
        quote! {
            #[doc = #docs]
            #deprecated
            #cfg
            #[inline]
            pub fn #name(&self) -> #module_prefix #module::#handle {
                #module_prefix #module::#handle::new(::std::clone::Clone::clone(#client))
            }
        }
    });
    quote! { #(#methods)* #(#children)* }
}

fn handle(resource: &Resource) -> TokenStream {
    let name = ident(&resource.handle);
    let docs = format!(" Methods of the {} resource.", code_span(&resource.json_name));
    let accessors = accessors(resource, &quote!(&self.client), &quote!());
    quote! {
        #[doc = #docs]
        #[derive(Clone, Debug)]
        pub struct #name {
            client: ::discovery_runtime::Client,
        }

        impl #name {
            #[inline]
            pub(crate) fn new(client: ::discovery_runtime::Client) -> Self {
                Self { client }
            }

            #accessors
        }
    }
}

/// The argument type and the conversion to the call's string for a positional parameter.
fn arg_type(param: &Param) -> TokenStream {
    let item = match param.ty {
        RustType::String => quote!(impl ::std::convert::Into<::std::string::String>),
        ref other => type_tokens(other),
    };
    if param.repeated {
        quote!(impl ::std::iter::IntoIterator<Item = #item>)
    } else {
        item
    }
}

fn accessor(method: &Method, client: &TokenStream, module_prefix: &TokenStream) -> TokenStream {
    let docs = doc_attrs(&method.docs);
    let name = ident(&method.accessor);
    let builder = ident(&method.builder);
    let params: Vec<_> = method.required_params.iter().map(|p| ident(&p.rust_name)).collect();
    let types = method.required_params.iter().map(arg_type);
    let (request_arg, request_value) = match &method.request {
        Some(body) => {
            let arg = ident(&body.arg_name);
            let ty = type_tokens(&body.ty);
            (Some(quote!(#arg: #ty,)), Some(quote!(#arg)))
        }
        None => (None, None),
    };
    let deprecated = deprecated_attr(&method.docs);
    quote! {
        #docs
        #deprecated
        #[inline]
        pub fn #name(&self, #(#params: #types,)* #request_arg) -> #module_prefix #builder {
            #module_prefix #builder::new(#client, #(#params,)* #request_value)
        }
    }
}

/// The items of one method. Every function of a builder is `#[inline]`, so that it is compiled
/// in the crates that call it rather than for every method of the generated crate: `send` and
/// the media and paging methods instantiate the generic request machinery (a 4x difference in
/// release builds of large APIs), and the constructors and setters, though small, are many.
fn method_items(resource: &Resource, method: &Method) -> TokenStream {
    let info = ident(&method.info_const);
    let id = string_literal(&method.id);
    let http = match method.http_method {
        HttpMethod::Get => quote!(Get),
        HttpMethod::Post => quote!(Post),
        HttpMethod::Put => quote!(Put),
        HttpMethod::Patch => quote!(Patch),
        HttpMethod::Delete => quote!(Delete),
        HttpMethod::Head => quote!(Head),
    };
    let pieces = method.path.iter().map(path_piece);
    let builder = ident(&method.builder);
    let created_by = if resource.json_name.is_empty() {
        format!(" Created by [`Client::{0}`](crate::Client::{0}).", method.accessor)
    } else {
        format!(" Created by [`{}::{}`].", resource.handle, method.accessor)
    };
    let builder_docs = lines_to_attrs(&[
        format!("Request builder for {}.", code_span(&method.id)),
        String::new(),
        created_by.trim().to_owned(),
    ]);

    let request_field = method.request.as_ref().map(|body| {
        let ty = type_tokens(&body.ty);
        quote!(request: #ty,)
    });
    let params: Vec<_> = method.required_params.iter().map(|p| ident(&p.rust_name)).collect();
    let types = method.required_params.iter().map(arg_type);
    let sets = method.required_params.iter().map(|p| set_param(p, &quote!(call)));
    let request_arg = method.request.as_ref().map(|body| {
        let arg = ident(&body.arg_name);
        let ty = type_tokens(&body.ty);
        quote!(#arg: #ty,)
    });
    let request_init = method.request.as_ref().map(|body| {
        let arg = ident(&body.arg_name);
        if body.arg_name == "request" {
            quote!(request,)
        } else {
            quote!(request: #arg,)
        }
    });
    let call_binding = if method.required_params.is_empty() {
        quote!(call)
    } else {
        quote!(mut call)
    };
    let setters = method.optional_params.iter().map(setter);
    let body = body_ref(method);
    let send = match &method.response {
        Some(response) => {
            let ty = type_tokens(response);
            quote! {
                /// Sends the request and decodes the response.
                #[inline]
                pub async fn send(self) -> crate::Result<#ty> {
                    self.call.send_json(#body).await
                }
            }
        }
        None => quote! {
            /// Sends the request.
            #[inline]
            pub async fn send(self) -> crate::Result<()> {
                self.call.send_empty(#body).await
            }
        },
    };
    let paging = method
        .pagination
        .as_ref()
        .zip(method.response.as_ref())
        .map(|(p, response)| pagination(p, response, method));
    let download = method.media_download.then(|| download(method));
    let (upload_info, upload) = match &method.media_upload {
        Some(media) => (Some(upload_info(media)), Some(upload(media, method))),
        None => (None, None),
    };
    quote! {
        const #info: ::discovery_runtime::__private::MethodInfo = ::discovery_runtime::__private::MethodInfo::new(
            #id,
            ::discovery_runtime::__private::HttpMethod::#http,
            &[#(#pieces),*],
        );

        #upload_info

        #builder_docs
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until `send` is awaited"]
        pub struct #builder {
            call: ::discovery_runtime::__private::Call,
            #request_field
        }

        impl #builder {
            #[inline]
            pub(crate) fn new(client: &::discovery_runtime::Client, #(#params: #types,)* #request_arg) -> Self {
                let #call_binding = ::discovery_runtime::__private::Call::new(client, &#info);
                #(#sets)*
                Self { call, #request_init }
            }

            #(#setters)*

            #send

            #download

            #upload

            #paging
        }
    }
}

/// The body argument of a runtime send: the builder's request, or none.
fn body_ref(method: &Method) -> TokenStream {
    if method.request.is_some() {
        quote!(::std::option::Option::Some(&self.request))
    } else {
        quote!(::std::option::Option::<&()>::None)
    }
}

fn download(method: &Method) -> TokenStream {
    let body = body_ref(method);
    quote! {
        /// Sends the request with `alt=media` and streams the media itself, chunk by chunk,
        /// instead of decoding the JSON response.
        #[inline]
        pub async fn download(self) -> crate::Result<::discovery_runtime::Download> {
            self.call.send_download(#body).await
        }
    }
}

fn upload_info(media: &MediaUpload) -> TokenStream {
    let name = ident(&media.info_const);
    let path = |pieces: &Option<Vec<PathPiece>>| match pieces {
        Some(pieces) => {
            let pieces = pieces.iter().map(path_piece);
            quote!(::std::option::Option::Some(&[#(#pieces),*]))
        }
        None => quote!(::std::option::Option::None),
    };
    let simple = path(&media.simple_path);
    let resumable = path(&media.resumable_path);
    let max_size = match media.max_size {
        Some(max) => quote!(::std::option::Option::Some(#max)),
        None => quote!(::std::option::Option::None),
    };
    let accept = media.accept.iter().map(|a| string_literal(a));
    quote! {
        const #name: ::discovery_runtime::__private::UploadInfo = ::discovery_runtime::__private::UploadInfo::new(
            #simple,
            #resumable,
            #max_size,
            &[#(#accept),*],
        );
    }
}

fn upload(media: &MediaUpload, method: &Method) -> TokenStream {
    let info = ident(&media.info_const);
    let metadata = body_ref(method);
    let (output, finish) = match &method.response {
        Some(response) => (type_tokens(response), quote!()),
        None => (quote!(()), quote!(.map(drop))),
    };
    let decoded = match &method.response {
        Some(response) => type_tokens(response),
        None => quote!(::discovery_runtime::__private::serde::de::IgnoredAny),
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
    let simple = media.simple_path.as_ref().map(|_| {
        let docs = format!(
            " Uploads `media` in one request, with this request's metadata when it has any (multipart).{limits}{accept}"
        );
        quote! {
            #[doc = #docs]
            #[inline]
            pub async fn upload(self, media: ::discovery_runtime::Media) -> crate::Result<#output> {
                self.call.send_upload::<_, #decoded>(&#info, #metadata, media).await #finish
            }
        }
    });
    let resumable = media.resumable_path.as_ref().map(|_| {
        let docs = format!(
            " Uploads `media` by the resumable protocol, in chunks, resuming from what the server \
             has after an interruption.{limits}{accept}"
        );
        quote! {
            #[doc = #docs]
            #[inline]
            pub async fn upload_resumable(self, media: ::discovery_runtime::ResumableMedia) -> crate::Result<#output> {
                self.call.send_resumable::<_, #decoded>(&#info, #metadata, media).await #finish
            }
        }
    });
    quote! { #simple #resumable }
}

/// `pages()` and, when the item field is known, `items()`.
fn pagination(pagination: &Pagination, response: &RustType, method: &Method) -> TokenStream {
    let response = type_tokens(response);
    let token = ident(&pagination.next_token_field);
    let body = if method.request.is_some() {
        quote!(::std::option::Option::Some(self.request))
    } else {
        quote!(::std::option::Option::<()>::None)
    };
    let items = pagination.items.as_ref().map(|(field, item)| {
        let field = ident(field);
        let item = type_tokens(item);
        quote! {
            /// Streams the items of every page, following `nextPageToken`; see [`Self::pages`].
            #[inline]
            pub fn items(self) -> ::discovery_runtime::__private::paging::Items<#item> {
                fn items(page: #response) -> ::std::vec::Vec<#item> {
                    page.#field
                }
                ::discovery_runtime::__private::paging::items(self.pages(), items)
            }
        }
    });
    quote! {
        /// Streams every page, the next one requested with the previous one's
        /// `nextPageToken`, until a page has none; the stream ends after an error.
        #[inline]
        pub fn pages(self) -> ::discovery_runtime::__private::paging::Pages<#response> {
            fn next_page_token(page: &#response) -> ::std::option::Option<&str> {
                page.#token.as_deref()
            }
            ::discovery_runtime::__private::paging::pages(self.call, #body, next_page_token)
        }

        #items
    }
}

fn path_piece(piece: &PathPiece) -> TokenStream {
    match piece {
        PathPiece::Literal(text) => {
            let text = string_literal(text);
            quote!(::discovery_runtime::__private::PathParam::Literal(#text))
        }
        PathPiece::Param { name, style, pattern } => {
            let style = match style {
                PathStyle::Simple => quote!(Simple),
                PathStyle::ReservedSlashOnly => quote!(ReservedSlashOnly),
                PathStyle::Reserved => quote!(Reserved),
            };
            let name = string_literal(name);
            let pattern = match pattern {
                Some(p) => {
                    let p = string_literal(p);
                    quote!(::std::option::Option::Some(#p))
                }
                None => quote!(::std::option::Option::None),
            };
            quote! {
                ::discovery_runtime::__private::PathParam::Param {
                    name: #name,
                    style: ::discovery_runtime::__private::PathStyle::#style,
                    pattern: #pattern,
                }
            }
        }
    }
}

/// The statement that stores a parameter's value (`name`) in the call.
fn set_param(param: &Param, call: &TokenStream) -> TokenStream {
    use crate::resolve::ir::ParamLocation;
    let name = ident(&param.rust_name);
    let json = string_literal(&param.json_name);
    let is_string = param.ty == RustType::String;
    match (param.location, param.repeated) {
        (ParamLocation::Path, _) if is_string && !param.repeated => quote!(#call.set_path(#json, #name);),
        (ParamLocation::Path, false) => {
            quote!(#call.set_path(#json, ::discovery_runtime::__private::QueryValue::to_query_value(&#name));)
        }
        (ParamLocation::Path, true) => {
            quote! {
                #call.set_path(#json, #name.into_iter().map(|v| ::discovery_runtime::__private::QueryValue::to_query_value(&v)).collect::<::std::vec::Vec<_>>().join(","));
            }
        }
        (ParamLocation::Query, true) if is_string => {
            quote!(#call.set_query_repeated(#json, #name.into_iter().map(::std::convert::Into::<::std::string::String>::into));)
        }
        (ParamLocation::Query, true) => quote!(#call.set_query_repeated(#json, #name);),
        (ParamLocation::Query, false) if is_string => {
            quote!(#call.set_query(#json, ::std::convert::Into::<::std::string::String>::into(#name));)
        }
        (ParamLocation::Query, false) => quote!(#call.set_query(#json, #name);),
    }
}

fn setter(param: &Param) -> TokenStream {
    let docs = doc_attrs(&param.docs);
    let name = ident(&param.rust_name);
    let ty = arg_type(param);
    let set = set_param(param, &quote!(self.call));
    let deprecated = deprecated_attr(&param.docs);
    quote! {
        #docs
        #deprecated
        #[inline]
        pub fn #name(mut self, #name: #ty) -> Self {
            #set
            self
        }
    }
}
