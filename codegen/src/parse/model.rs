//! The serde model of a Discovery document (`discovery#restDescription`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole document.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RestDescription {
    pub kind: String,
    pub discovery_version: String,
    pub id: String,
    pub name: String,
    pub version: String,
    pub revision: String,
    pub title: String,
    pub description: String,
    pub owner_domain: String,
    pub owner_name: String,
    pub package_path: String,
    pub canonical_name: String,
    pub documentation_link: String,
    pub protocol: String,
    pub root_url: String,
    pub mtls_root_url: String,
    pub service_path: String,
    pub base_path: String,
    pub base_url: String,
    pub batch_path: String,
    pub version_module: bool,
    pub fully_encode_reserved_expansion: bool,
    pub etag: String,
    pub labels: Vec<String>,
    pub features: Vec<String>,
    pub icons: BTreeMap<String, String>,
    pub endpoints: Vec<Endpoint>,
    pub parameters: BTreeMap<String, JsonSchema>,
    pub auth: Auth,
    pub schemas: BTreeMap<String, JsonSchema>,
    pub methods: BTreeMap<String, RestMethod>,
    pub resources: BTreeMap<String, RestResource>,
}

/// A regional or alternative endpoint.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Endpoint {
    pub endpoint_url: String,
    pub location: String,
    pub description: String,
    pub deprecated: bool,
}

/// The `auth` section.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Auth {
    pub oauth2: OAuth2,
}

/// OAuth 2.0 scopes, keyed by URL.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct OAuth2 {
    pub scopes: BTreeMap<String, ScopeInfo>,
}

/// One scope's description.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScopeInfo {
    pub description: String,
}

/// The JSON Schema type keyword, as Discovery uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaType {
    Any,
    Array,
    Boolean,
    Integer,
    Number,
    Null,
    Object,
    String,
}

/// A schema, a property, an array's items, a map's values, or a parameter.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct JsonSchema {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub schema_type: Option<SchemaType>,
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    pub description: Option<String>,
    pub default: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub minimum: Option<String>,
    pub maximum: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Vec<String>,
    pub enum_descriptions: Vec<String>,
    pub enum_deprecated: Vec<bool>,
    pub properties: BTreeMap<String, JsonSchema>,
    pub additional_properties: Option<Box<JsonSchema>>,
    pub items: Option<Box<JsonSchema>>,
    pub required: bool,
    pub repeated: bool,
    pub read_only: bool,
    pub deprecated: bool,
    pub location: Option<String>,
    pub annotations: Annotations,
    /// For a method's request: the name client libraries give the body argument.
    pub parameter_name: Option<String>,
}

/// Schema annotations: which methods require a property.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Annotations {
    pub required: Vec<String>,
}

/// A group of methods and nested resources.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RestResource {
    pub methods: BTreeMap<String, RestMethod>,
    pub resources: BTreeMap<String, RestResource>,
    pub deprecated: bool,
}

/// One API method.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RestMethod {
    pub id: String,
    pub path: String,
    pub flat_path: Option<String>,
    pub http_method: String,
    pub description: Option<String>,
    pub parameters: BTreeMap<String, JsonSchema>,
    pub parameter_order: Vec<String>,
    pub request: Option<JsonSchema>,
    pub response: Option<JsonSchema>,
    pub scopes: Vec<String>,
    pub supports_media_download: bool,
    pub supports_media_upload: bool,
    pub use_media_download_service: bool,
    pub supports_subscription: bool,
    pub media_upload: Option<MediaUpload>,
    pub deprecated: bool,
    pub api_version: Option<String>,
}

/// Media upload settings of a method.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MediaUpload {
    pub accept: Vec<String>,
    pub max_size: Option<String>,
    pub protocols: MediaProtocols,
}

/// The upload protocols a method supports.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaProtocols {
    pub simple: Option<MediaProtocol>,
    pub resumable: Option<MediaProtocol>,
}

/// One upload protocol.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaProtocol {
    pub multipart: bool,
    pub path: String,
}
