//! The intermediate representation: the crate to emit, with every decision made.
//!
//! Names here are final Rust identifiers; types are final Rust types; emitters only print.
//! Every item keeps the JSON path of the document node it comes from
//! ([`crate::json_path`]: `schemas.Foo.properties.bar`), so tools that compare two revisions
//! (the API diff) can pair items and report them where the document has them.

/// The whole generated crate.
#[derive(Clone, Debug)]
pub struct Api {
    /// Cargo package name, e.g. `dataportability-v1`.
    pub crate_name: String,
    /// Library name as used in `use` paths, e.g. `dataportability_v1`.
    pub lib_name: String,
    /// The document's `name`, `version`, `revision`, `title`, `id`.
    pub name: String,
    pub version: String,
    pub revision: String,
    pub title: String,
    pub id: String,
    /// The document's description (raw text, sanitized by the emitter).
    pub description: String,
    pub documentation_link: String,
    pub root_url: String,
    pub service_path: String,
    pub mtls_root_url: String,
    pub endpoints: Vec<RegionalEndpoint>,
    /// OAuth scopes, sorted by URL.
    pub scopes: Vec<Scope>,
    /// The prefix stripped from scope URLs to get short names (`https://www.googleapis.com/auth/dataportability.`).
    pub scope_prefixes: Vec<String>,
    /// Schemas: the `models` module.
    pub models: Vec<TypeDef>,
    /// Standard parameters exposed on every builder.
    pub standard_params: Vec<Param>,
    /// Types used by standard parameters (e.g. the `$.xgafv` enum).
    pub standard_param_types: Vec<TypeDef>,
    /// Methods at the top level of the document and the top-level resources.
    pub root: Root,
    /// The crate's cargo features, all on by default: one per top-level resource, then
    /// [`UNREFERENCED_SCHEMAS`](crate::resolve::features::UNREFERENCED_SCHEMAS) when some
    /// schema is reached by no method.
    pub features: Vec<String>,
}

/// A regional or alternative endpoint of the API.
#[derive(Clone, Debug)]
pub struct RegionalEndpoint {
    pub url: String,
    pub location: String,
    pub description: String,
}

/// One OAuth scope.
#[derive(Clone, Debug)]
pub struct Scope {
    pub variant: String,
    pub url: String,
    /// The URL without its common prefix (`myactivity.search`), when that is unambiguous.
    pub short_name: Option<String>,
    pub description: String,
}

/// A named Rust type and, next to it, the module that holds the types hoisted out of it.
#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    /// The schema's name in the document, for docs and errors.
    pub json_name: String,
    /// The schema's JSON path (`schemas.Foo`, `schemas.Foo.properties.state` for a hoisted
    /// type, `resources.jobs.methods.list.parameters.view` for a parameter enum).
    pub json_path: String,
    pub docs: Docs,
    pub kind: TypeKind,
    /// Inline types hoisted from this one, in module `nested_module`.
    pub nested: Vec<TypeDef>,
    pub nested_module: String,
    /// The cargo features that enable this type (any of them); empty when it is always
    /// compiled. Only top-level schemas are gated; nested types follow their parent.
    pub features: Vec<String>,
}

/// What a [`TypeDef`] is.
#[derive(Clone, Debug)]
pub enum TypeKind {
    Struct(Struct),
    Enum(Enum),
    Alias(RustType),
}

/// A struct from an object schema.
#[derive(Clone, Debug)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared properties: flattened into a map field, which
    /// also keeps keys the document does not declare.
    pub additional: Option<Field>,
    /// Without `additionalProperties`: the name of the flattened JSON map that keeps the
    /// fields the document does not declare, so that they are written back unchanged.
    pub unknown_fields: Option<String>,
}

/// A struct field from a property.
#[derive(Clone, Debug)]
pub struct Field {
    pub json_name: String,
    /// The property's JSON path (`schemas.Foo.properties.bar`, or `...additionalProperties`).
    pub json_path: String,
    pub rust_name: String,
    pub docs: Docs,
    /// The field's type without the `Option` wrapper.
    pub ty: RustType,
    /// `Option<..>` (scalars and structs) or a collection that defaults to empty.
    pub presence: Presence,
    /// The serde adapter for Google's JSON encodings, if the type needs one.
    pub wire: Option<Wire>,
}

/// How an absent field is represented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// `Option<T>`, skipped when `None`.
    Optional,
    /// A `Vec`, skipped when empty.
    EmptyVec,
    /// A map, skipped when empty.
    EmptyMap,
}

/// A serde adapter tree mirroring a type (`As::<Option<Vec<StringEncoded>>>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wire {
    Same,
    StringEncoded,
    Base64,
    Duration,
    Option(Box<Wire>),
    Vec(Box<Wire>),
    Map(Box<Wire>),
}

/// An open enum from a string schema with `enum` values.
#[derive(Clone, Debug)]
pub struct Enum {
    pub variants: Vec<Variant>,
}

/// One known enum value.
#[derive(Clone, Debug)]
pub struct Variant {
    pub json_value: String,
    pub rust_name: String,
    pub docs: Docs,
}

/// Documentation text and flags, turned into doc comments by the emitter.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    pub description: String,
    /// Extra facts appended after the description (formats, defaults, required-by).
    pub notes: Vec<String>,
    pub deprecated: bool,
}

/// A Rust type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RustType {
    String,
    Bool,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    Bytes,
    DateTime,
    Date,
    Duration,
    Json,
    Vec(Box<RustType>),
    Map(Box<RustType>),
    /// A generated type, by its path from the crate root.
    Named {
        path: Vec<String>,
        boxed: bool,
    },
}

/// The top level of the document: the module `resources`, whose methods the `Client` reaches
/// directly, and the resources at the top level, each in a file of its own.
#[derive(Clone, Debug)]
pub struct Root {
    /// Path of the module from the crate root (`["resources"]`).
    pub module_path: Vec<String>,
    /// The methods at the top level of the document (most documents have none).
    pub methods: Vec<Method>,
    /// Types of enum parameters of those methods.
    pub param_types: Vec<TypeDef>,
    pub resources: Vec<TopLevelResource>,
}

/// A resource at the top level of the document, behind a cargo feature of its own.
#[derive(Clone, Debug)]
pub struct TopLevelResource {
    /// The cargo feature that enables the resource (its builders and the schemas its methods
    /// reach), one of [`Api::features`].
    pub feature: String,
    pub resource: Resource,
}

/// A resource of the document: a handle struct with an accessor per method and per child
/// resource.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The resource's key in the document (`archiveJobs`).
    pub json_name: String,
    /// The resource's JSON path (`resources.archiveJobs`).
    pub json_path: String,
    /// Module name (`archive_jobs`).
    pub module: String,
    /// Handle struct name (`ArchiveJobs`).
    pub handle: String,
    /// Accessor name on the parent (`archive_jobs`).
    pub accessor: String,
    /// Path of the module from the crate root (`["resources", "archive_jobs"]`).
    pub module_path: Vec<String>,
    pub deprecated: bool,
    pub methods: Vec<Method>,
    pub resources: Vec<Resource>,
    /// Types of enum parameters of this resource's methods.
    pub param_types: Vec<TypeDef>,
}

/// One method and its request builder.
#[derive(Clone, Debug)]
pub struct Method {
    pub id: String,
    pub json_name: String,
    /// The method's JSON path (`resources.archiveJobs.methods.cancel`).
    pub json_path: String,
    /// Accessor on the resource handle (`get_portability_archive_state`).
    pub accessor: String,
    /// Builder struct (`GetPortabilityArchiveStateCall`).
    pub builder: String,
    /// Name of the `MethodInfo` const (`GET_PORTABILITY_ARCHIVE_STATE`).
    pub info_const: String,
    pub http_method: HttpMethod,
    pub path_template: String,
    pub path: Vec<PathPiece>,
    pub docs: Docs,
    /// Positional arguments, in order: required parameters then the request body.
    pub required_params: Vec<Param>,
    pub request: Option<RequestBody>,
    /// Builder setters.
    pub optional_params: Vec<Param>,
    /// `None` when the method documents no response.
    pub response: Option<RustType>,
    pub scopes: Vec<String>,
    /// Set when the method takes a `pageToken` and its response has a `nextPageToken`.
    pub pagination: Option<Pagination>,
    /// `supportsMediaDownload`: the builder gets `download()` (the same call with `alt=media`).
    pub media_download: bool,
    /// `supportsMediaUpload`: the builder gets `upload()` and, where supported, `upload_resumable()`.
    pub media_upload: Option<MediaUpload>,
}

/// How to walk the pages of a list method.
#[derive(Clone, Debug)]
pub struct Pagination {
    /// The response field holding the next page's token (`next_page_token`).
    pub next_token_field: String,
    /// The one repeated field of the response, when there is exactly one: its Rust name and
    /// the type of one item.
    pub items: Option<(String, RustType)>,
}

/// Media upload endpoints and limits of a method.
#[derive(Clone, Debug)]
pub struct MediaUpload {
    /// Name of the `UploadInfo` const.
    pub info_const: String,
    /// Path of the simple and multipart protocols, relative to the root URL.
    pub simple_path: Option<Vec<PathPiece>>,
    /// Where the resumable protocol starts its session, relative to the root URL: the simple
    /// path, as Google's own clients do, or the document's `resumable.path` when the method
    /// has no simple path; `None` when the method has no resumable protocol.
    pub resumable_path: Option<Vec<PathPiece>>,
    /// The largest upload accepted, in bytes.
    pub max_size: Option<u64>,
    /// Accepted media types (`image/*`, `*/*`).
    pub accept: Vec<String>,
}

/// The HTTP verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

/// A piece of a path template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPiece {
    Literal(String),
    Param {
        name: String,
        style: PathStyle,
        pattern: Option<String>,
    },
}

/// How a path parameter is expanded (mirrors the runtime's `PathStyle`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathStyle {
    Simple,
    ReservedSlashOnly,
    Reserved,
}

/// The request body argument.
#[derive(Clone, Debug)]
pub struct RequestBody {
    pub arg_name: String,
    pub ty: RustType,
}

/// A method or standard parameter.
#[derive(Clone, Debug)]
pub struct Param {
    pub json_name: String,
    /// The parameter's JSON path (`resources.jobs.methods.get.parameters.name`, `parameters.fields`).
    pub json_path: String,
    /// The JSON path of the schema of one value: the parameter's own, or its `items` when
    /// the document declares a repeated parameter as an array.
    pub value_path: String,
    pub rust_name: String,
    pub location: ParamLocation,
    /// The type of one value.
    pub ty: RustType,
    pub repeated: bool,
    pub docs: Docs,
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
}
