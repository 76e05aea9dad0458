//! Cargo features: one per top-level resource, enabling its builders and exactly the schemas
//! its methods reach (as google-cloud-rust does for its compute crate), so that a user of one
//! resource compiles only what that resource needs. Every feature is on by default.
//!
//! Methods at the top level of the document are always compiled, and so is what they reach.
//! Schemas no method reaches are behind one more feature, [`UNREFERENCED_SCHEMAS`].

use std::collections::{BTreeMap, BTreeSet};

use super::ir::{Method, Resource, RustType, TopLevelResource, TypeDef, TypeKind};
use super::names::Namespace;

/// The feature of the schemas that no method reaches.
pub const UNREFERENCED_SCHEMAS: &str = "unreferenced_schemas";

/// Names a feature per top-level resource and gates every top-level schema (`models`), given
/// the methods at the top level of the document (always compiled): the top-level resources
/// with their features, and the crate's features.
pub fn assign(
    models: &mut [TypeDef],
    root_methods: &[Method],
    resources: Vec<Resource>,
) -> (Vec<TopLevelResource>, Vec<String>) {
    let graph = ModelGraph::new(models);
    let mut names = Namespace::with_reserved(&["default", UNREFERENCED_SCHEMAS]);
    let mut reached_by: Vec<BTreeSet<String>> = vec![BTreeSet::new(); models.len()];
    let mut always = vec![false; models.len()];
    let mut features = Vec::new();

    let mut roots = Vec::new();
    methods_types(root_methods, &mut roots);
    for index in graph.closure(&roots) {
        always[index] = true;
    }
    let mut top_level = Vec::with_capacity(resources.len());
    for resource in resources {
        let feature = names.claim_or(resource.module.clone(), Some("_resource"), "_");
        let mut roots = Vec::new();
        resource_types(&resource, &mut roots);
        for index in graph.closure(&roots) {
            reached_by[index].insert(feature.clone());
        }
        features.push(feature.clone());
        top_level.push(TopLevelResource { feature, resource });
    }
    let mut unreferenced = false;
    for ((model, reached), always) in models.iter_mut().zip(reached_by).zip(always) {
        model.features = if always {
            Vec::new()
        } else if reached.is_empty() {
            unreferenced = true;
            vec![UNREFERENCED_SCHEMAS.to_owned()]
        } else {
            reached.into_iter().collect()
        };
    }
    if unreferenced {
        features.push(UNREFERENCED_SCHEMAS.to_owned());
    }
    (top_level, features)
}

/// Which top-level schemas each top-level schema (with its nested types) names.
struct ModelGraph {
    edges: Vec<Vec<usize>>,
    by_name: BTreeMap<String, usize>,
    by_module: BTreeMap<String, usize>,
}

impl ModelGraph {
    fn new(models: &[TypeDef]) -> Self {
        let by_name = models.iter().enumerate().map(|(i, m)| (m.name.clone(), i)).collect();
        let by_module = models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.nested_module.clone(), i))
            .collect();
        let mut graph = Self {
            edges: Vec::new(),
            by_name,
            by_module,
        };
        graph.edges = models
            .iter()
            .map(|model| {
                let mut types = Vec::new();
                def_types(model, &mut types);
                types.iter().filter_map(|ty| graph.model_of(ty)).collect()
            })
            .collect();
        graph
    }

    /// The top-level schema a named type belongs to: `models::Foo` or `models::foo::Bar`.
    fn model_of(&self, path: &[String]) -> Option<usize> {
        match path {
            [models, name] if models == "models" => self.by_name.get(name).copied(),
            [models, module, _, ..] if models == "models" => self.by_module.get(module).copied(),
            _ => None,
        }
    }

    /// Every top-level schema reachable from the named types `roots`.
    fn closure(&self, roots: &[&[String]]) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = roots.iter().filter_map(|path| self.model_of(path)).collect();
        while let Some(index) = stack.pop() {
            if seen.insert(index) {
                stack.extend(self.edges[index].iter().copied().filter(|i| !seen.contains(i)));
            }
        }
        seen
    }
}

/// The paths of the generated types a type names.
fn named<'a>(ty: &'a RustType, out: &mut Vec<&'a [String]>) {
    match ty {
        RustType::Named { path, .. } => out.push(path),
        RustType::Vec(inner) | RustType::Map(inner) => named(inner, out),
        _ => {}
    }
}

fn def_types<'a>(def: &'a TypeDef, out: &mut Vec<&'a [String]>) {
    match &def.kind {
        TypeKind::Struct(s) => {
            for field in s.fields.iter().chain(&s.additional) {
                named(&field.ty, out);
            }
        }
        TypeKind::Alias(ty) => named(ty, out),
        TypeKind::Enum(_) => {}
    }
    for nested in &def.nested {
        def_types(nested, out);
    }
}

fn methods_types<'a>(methods: &'a [Method], out: &mut Vec<&'a [String]>) {
    for method in methods {
        for param in method.required_params.iter().chain(&method.optional_params) {
            named(&param.ty, out);
        }
        if let Some(body) = &method.request {
            named(&body.ty, out);
        }
        if let Some(response) = &method.response {
            named(response, out);
        }
        if let Some((_, item)) = method.pagination.as_ref().and_then(|p| p.items.as_ref()) {
            named(item, out);
        }
    }
}

fn resource_types<'a>(resource: &'a Resource, out: &mut Vec<&'a [String]>) {
    methods_types(&resource.methods, out);
    for def in &resource.param_types {
        def_types(def, out);
    }
    for child in &resource.resources {
        resource_types(child, out);
    }
}
