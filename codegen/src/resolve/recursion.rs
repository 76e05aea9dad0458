//! Recursive types: a struct that contains itself, directly or through other structs, needs a
//! `Box`; an alias that names itself cannot be generated at all.

use std::collections::{BTreeMap, BTreeSet};

use super::ir::{Presence, RustType, TypeDef, TypeKind};
use crate::Error;

type Path = Vec<String>;

/// Boxes every `Option` field whose type is in the same cycle of containment as its struct.
pub fn box_recursive_fields(models: &mut [TypeDef], base: &[String]) {
    let to_box = {
        let mut kinds = BTreeMap::new();
        collect(models, base, &mut kinds);
        let graph = containment_graph(&kinds);
        let component = strongly_connected(&graph);
        let mut to_box = BTreeSet::new();
        for (path, kind) in &kinds {
            let TypeKind::Struct(s) = kind else { continue };
            for (index, field) in s.fields.iter().enumerate() {
                if field.presence != Presence::Optional {
                    continue;
                }
                let Some(target) = contained(&field.ty, &kinds) else {
                    continue;
                };
                let same_cycle = component.get(path) == component.get(target)
                    && (path != target || graph.get(path).is_some_and(|edges| edges.contains(target)));
                if same_cycle {
                    to_box.insert((path.clone(), index));
                }
            }
        }
        to_box
    };
    mark(models, base, &to_box);
}

/// Fails when a top-level alias refers back to itself with no struct in between.
pub fn check_alias_cycles(models: &[TypeDef]) -> Result<(), Error> {
    let aliases: BTreeMap<&str, &RustType> = models
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Alias(ty) => Some((def.name.as_str(), ty)),
            _ => None,
        })
        .collect();
    for def in models {
        let TypeKind::Alias(ty) = &def.kind else { continue };
        let mut chain = vec![def.json_name.clone()];
        let mut seen = vec![def.name.as_str()];
        let mut current = ty;
        while let Some(next) = named_model(current).filter(|n| aliases.contains_key(n)) {
            chain.push(next.to_owned());
            if seen.contains(&next) {
                return Err(Error::Unsupported {
                    path: format!("schemas.{}", def.json_name),
                    message: format!("cycle of $ref with no object in between: {}", chain.join(" → ")),
                });
            }
            seen.push(next);
            current = aliases[next];
        }
    }
    Ok(())
}

/// The top-level model a type names, looking through `Vec` and maps.
fn named_model(ty: &RustType) -> Option<&str> {
    match ty {
        RustType::Named { path, .. } if path.len() == 2 && path[0] == "models" => Some(&path[1]),
        RustType::Vec(inner) | RustType::Map(inner) => named_model(inner),
        _ => None,
    }
}

fn collect<'a>(defs: &'a [TypeDef], module: &[String], out: &mut BTreeMap<Path, &'a TypeKind>) {
    for def in defs {
        let mut path = module.to_vec();
        path.push(def.name.clone());
        out.insert(path, &def.kind);
        let mut nested = module.to_vec();
        nested.push(def.nested_module.clone());
        collect(&def.nested, &nested, out);
    }
}

/// The struct a field's type stores inline, looking through aliases.
fn contained<'a>(ty: &'a RustType, kinds: &BTreeMap<Path, &'a TypeKind>) -> Option<&'a Path> {
    let mut path = match ty {
        RustType::Named { path, .. } => path,
        _ => return None,
    };
    for _ in 0..kinds.len() {
        match kinds.get(path) {
            Some(TypeKind::Struct(_)) => return Some(path),
            Some(TypeKind::Alias(RustType::Named { path: next, .. })) => path = next,
            _ => return None,
        }
    }
    None
}

fn containment_graph(kinds: &BTreeMap<Path, &TypeKind>) -> BTreeMap<Path, Vec<Path>> {
    kinds
        .iter()
        .filter_map(|(path, kind)| match kind {
            TypeKind::Struct(s) => Some((path, s)),
            _ => None,
        })
        .map(|(path, s)| {
            let edges = s
                .fields
                .iter()
                .filter(|f| f.presence == Presence::Optional)
                .filter_map(|f| contained(&f.ty, kinds).cloned())
                .collect();
            (path.clone(), edges)
        })
        .collect()
}

/// Tarjan's algorithm, iterative: the component index of every node.
fn strongly_connected(graph: &BTreeMap<Path, Vec<Path>>) -> BTreeMap<Path, usize> {
    #[derive(Clone, Copy)]
    struct NodeState {
        index: usize,
        low: usize,
        on_stack: bool,
    }
    let mut state: BTreeMap<&Path, NodeState> = BTreeMap::new();
    let mut component = BTreeMap::new();
    let mut stack: Vec<&Path> = Vec::new();
    let mut next_index = 0;
    let mut components = 0;
    let no_edges = Vec::new();
    for root in graph.keys() {
        if state.contains_key(root) {
            continue;
        }
        let mut work: Vec<(&Path, usize)> = vec![(root, 0)];
        while let Some((node, edge)) = work.pop() {
            if edge == 0 {
                state.insert(
                    node,
                    NodeState {
                        index: next_index,
                        low: next_index,
                        on_stack: true,
                    },
                );
                next_index += 1;
                stack.push(node);
            }
            let edges = graph.get(node).unwrap_or(&no_edges);
            if let Some(target) = edges.get(edge) {
                work.push((node, edge + 1));
                match state.get(target).copied() {
                    None => work.push((target, 0)),
                    Some(t) if t.on_stack => {
                        let s = state.get_mut(node).expect("visited");
                        s.low = s.low.min(t.index);
                    }
                    Some(_) => {}
                }
                continue;
            }
            let NodeState { index, low, .. } = *state.get(node).expect("visited");
            if low == index {
                while let Some(member) = stack.pop() {
                    if let Some(s) = state.get_mut(member) {
                        s.on_stack = false;
                    }
                    component.insert(member.clone(), components);
                    if member == node {
                        break;
                    }
                }
                components += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                let parent_state = state.get_mut(parent).expect("visited");
                parent_state.low = parent_state.low.min(low);
            }
        }
    }
    component
}

fn mark(defs: &mut [TypeDef], module: &[String], to_box: &BTreeSet<(Path, usize)>) {
    for def in defs {
        let mut path = module.to_vec();
        path.push(def.name.clone());
        if let TypeKind::Struct(s) = &mut def.kind {
            for (index, field) in s.fields.iter_mut().enumerate() {
                if let RustType::Named { boxed, .. } = &mut field.ty {
                    *boxed = to_box.contains(&(path.clone(), index));
                }
            }
        }
        let mut nested = module.to_vec();
        nested.push(def.nested_module.clone());
        mark(&mut def.nested, &nested, to_box);
    }
}
