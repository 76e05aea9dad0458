//! What the generator makes of a document: codegen's resolved model ([`codegen::resolve`]),
//! indexed by the JSON path each item keeps, so the diff asks the generator instead of
//! re-deriving its decisions (which Rust type a schema becomes, which parameters are
//! positional and in which order, which standard parameters are setters, which methods upload).

use std::collections::BTreeMap;

use codegen::parse::RestDescription;
use codegen::resolve::ir::{Api, Method, Param, Resource, RustType, TypeDef, TypeKind};

/// The kind of Rust type a schema became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Form {
    /// A struct.
    Struct,
    /// An open enum.
    Enum,
    /// Another type under the schema's name.
    Alias(RustType),
}

/// A method as generated: its positional arguments, body types and upload support.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MethodView {
    /// The positional (required) parameters, by JSON name, in argument order.
    pub positional: Vec<String>,
    /// The request body's type.
    pub request: Option<RustType>,
    /// The response's type.
    pub response: Option<RustType>,
    /// Whether the builder gets `upload()`.
    pub media_upload: bool,
}

/// A parameter as generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamView {
    /// The Rust type of one value.
    pub ty: RustType,
    /// Whether the setter or argument takes several values.
    pub repeated: bool,
    /// The JSON path of the schema of one value: the parameter's own, or its `items`.
    pub value_path: String,
    /// Whether the values are described by the parameter's `items`.
    pub values_in_items: bool,
    /// Whether it is a positional argument (otherwise a builder setter).
    pub positional: bool,
}

impl ParamView {
    /// Whether its values are a generated enum.
    pub fn is_enum(&self) -> bool {
        matches!(self.ty, RustType::Named { .. })
    }
}

/// The resolved model of one document, by JSON path.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    /// Every generated type by its Rust path (`models::Foo`): its form and schema name.
    types: BTreeMap<Vec<String>, (Form, String)>,
    /// Top-level schemas by JSON path (`schemas.Foo`).
    schemas: BTreeMap<String, Form>,
    /// Struct fields by JSON path (`schemas.Foo.properties.bar`).
    fields: BTreeMap<String, RustType>,
    /// Methods by JSON path.
    methods: BTreeMap<String, MethodView>,
    /// Method and standard parameters by JSON path.
    params: BTreeMap<String, ParamView>,
}

impl Resolved {
    /// Resolves `doc` with the generator and indexes the result.
    pub fn of(doc: &RestDescription) -> Result<Self, codegen::Error> {
        Ok(Self::index(&codegen::resolve::resolve(doc)?))
    }

    /// Indexes a resolved API.
    pub fn index(api: &Api) -> Self {
        let mut resolved = Self::default();
        for def in &api.models {
            resolved.schemas.insert(def.json_path.clone(), form(&def.kind));
        }
        resolved.add_types(&api.models, &["models".to_owned()]);
        resolved.add_types(&api.standard_param_types, &["params".to_owned()]);
        for param in &api.standard_params {
            resolved.add_param(param, false);
        }
        resolved.add_types(&api.root.param_types, &api.root.module_path);
        for method in &api.root.methods {
            resolved.add_method(method);
        }
        for top in &api.root.resources {
            resolved.add_resource(&top.resource);
        }
        resolved
    }

    /// Registers `defs` (in the module at `module`), their fields and their nested types.
    fn add_types(&mut self, defs: &[TypeDef], module: &[String]) {
        for def in defs {
            let mut path = module.to_vec();
            path.push(def.name.clone());
            self.types.insert(path, (form(&def.kind), def.json_name.clone()));
            if let TypeKind::Struct(fields) = &def.kind {
                for field in fields.fields.iter().chain(&fields.additional) {
                    self.fields.insert(field.json_path.clone(), field.ty.clone());
                }
            }
            let mut nested = module.to_vec();
            nested.push(def.nested_module.clone());
            self.add_types(&def.nested, &nested);
        }
    }

    fn add_resource(&mut self, resource: &Resource) {
        self.add_types(&resource.param_types, &resource.module_path);
        for method in &resource.methods {
            self.add_method(method);
        }
        for child in &resource.resources {
            self.add_resource(child);
        }
    }

    fn add_method(&mut self, method: &Method) {
        for param in &method.required_params {
            self.add_param(param, true);
        }
        for param in &method.optional_params {
            self.add_param(param, false);
        }
        self.methods.insert(
            method.json_path.clone(),
            MethodView {
                positional: method.required_params.iter().map(|p| p.json_name.clone()).collect(),
                request: method.request.as_ref().map(|body| body.ty.clone()),
                response: method.response.clone(),
                media_upload: method.media_upload.is_some(),
            },
        );
    }

    fn add_param(&mut self, param: &Param, positional: bool) {
        self.params.insert(
            param.json_path.clone(),
            ParamView {
                ty: param.ty.clone(),
                repeated: param.repeated,
                value_path: param.value_path.clone(),
                values_in_items: param.value_path != param.json_path,
                positional,
            },
        );
    }

    /// The form of the top-level schema at `path`.
    pub fn schema(&self, path: &str) -> Option<&Form> {
        self.schemas.get(path)
    }

    /// The type of the struct field at `path`.
    pub fn field(&self, path: &str) -> Option<&RustType> {
        self.fields.get(path)
    }

    /// The method at `path`.
    pub fn method(&self, path: &str) -> Option<&MethodView> {
        self.methods.get(path)
    }

    /// The parameter at `path`; `None` for one the generated crate does not expose.
    pub fn param(&self, path: &str) -> Option<&ParamView> {
        self.params.get(path)
    }

    /// The form and schema name of the generated type at `path` (`["models", "Foo"]`).
    pub fn named(&self, path: &[String]) -> Option<&(Form, String)> {
        self.types.get(path)
    }

    /// The Rust type, written for reports: `i64`, `Vec<models::Foo>`, `BTreeMap<String, enum>`;
    /// generated types are named by form (`struct`, `enum`) or, for schemas, by their schema name.
    pub fn describe(&self, ty: &RustType) -> String {
        match ty {
            RustType::String => "String".to_owned(),
            RustType::Bool => "bool".to_owned(),
            RustType::I32 => "i32".to_owned(),
            RustType::U32 => "u32".to_owned(),
            RustType::I64 => "i64".to_owned(),
            RustType::U64 => "u64".to_owned(),
            RustType::F32 => "f32".to_owned(),
            RustType::F64 => "f64".to_owned(),
            RustType::Bytes => "Vec<u8>".to_owned(),
            RustType::DateTime => "datetime".to_owned(),
            RustType::Date => "date".to_owned(),
            RustType::Duration => "duration".to_owned(),
            RustType::Json => "json".to_owned(),
            RustType::Vec(item) => format!("Vec<{}>", self.describe(item)),
            RustType::Map(value) => format!("BTreeMap<String, {}>", self.describe(value)),
            RustType::Named { path, .. } => match self.named(path) {
                Some((_, json_name)) if path.len() == 2 && path[0] == "models" => format!("models::{json_name}"),
                Some((Form::Enum, _)) => "enum".to_owned(),
                Some(_) => "struct".to_owned(),
                None => path.join("::"),
            },
        }
    }
}

fn form(kind: &TypeKind) -> Form {
    match kind {
        TypeKind::Struct(_) => Form::Struct,
        TypeKind::Enum(_) => Form::Enum,
        TypeKind::Alias(ty) => Form::Alias(ty.clone()),
    }
}
