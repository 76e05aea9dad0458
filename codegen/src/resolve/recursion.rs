//! Recursive types: a struct that contains itself, directly or through other structs, needs a
//! `Box`; an alias that names itself cannot be generated at all.

use std::collections::{BTreeMap, BTreeSet};

use super::ir::{Presence, RustType, TypeDef, TypeKind};
use crate::Error;

type Path = Vec<String>;

#[cfg(test)]
thread_local! {
    /// Steps taken by the alias walks on this thread (tests compare them across input sizes).
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one step of an alias walk (in tests; nothing otherwise).
fn step() {
    #[cfg(test)]
    STEPS.with(|steps| steps.set(steps.get() + 1));
}

/// Boxes every `Option` field whose type is in the same cycle of containment as its struct.
pub fn box_recursive_fields(models: &mut [TypeDef], base: &[String]) {
    let to_box = {
        let mut kinds = BTreeMap::new();
        collect(models, base, &mut kinds);
        let targets = alias_targets(&kinds);
        let graph = containment_graph(&kinds, &targets);
        let component = strongly_connected(&graph);
        let mut to_box = BTreeSet::new();
        for (path, kind) in &kinds {
            let TypeKind::Struct(s) = kind else { continue };
            for (index, field) in s.fields.iter().enumerate() {
                if field.presence != Presence::Optional {
                    continue;
                }
                let Some(target) = contained(&field.ty, &kinds, &targets) else {
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
///
/// Every alias names at most one other model, so the aliases form a functional graph; each is
/// walked once (a walk stops at an alias an earlier walk finished), which keeps the check linear
/// in the number of schemas whatever the document's chains look like.
pub fn check_alias_cycles(models: &[TypeDef]) -> Result<(), Error> {
    let aliases: BTreeMap<&str, (&str, &RustType)> = models
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Alias(ty) => Some((def.name.as_str(), (def.json_name.as_str(), ty))),
            _ => None,
        })
        .collect();
    let mut finished: BTreeSet<&str> = BTreeSet::new();
    for def in models {
        let TypeKind::Alias(ty) = &def.kind else { continue };
        if finished.contains(def.name.as_str()) {
            continue;
        }
        // The current walk, in order, and the same names as a set.
        let mut walk: Vec<&str> = vec![def.name.as_str()];
        let mut on_walk: BTreeSet<&str> = BTreeSet::from([def.name.as_str()]);
        let mut current = ty;
        while let Some(next) = named_model(current).filter(|n| aliases.contains_key(n)) {
            step();
            if finished.contains(next) {
                break;
            }
            if on_walk.contains(next) {
                let mut chain: Vec<&str> = walk.iter().map(|name| aliases[name].0).collect();
                chain.push(aliases[next].0);
                return Err(Error::Unsupported {
                    path: format!("schemas.{}", def.json_name),
                    message: format!("cycle of $ref with no object in between: {}", chain.join(" → ")),
                });
            }
            on_walk.insert(next);
            walk.push(next);
            current = aliases[next].1;
        }
        finished.extend(walk);
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

/// The struct a field's type stores inline, looking through aliases (resolved beforehand by
/// [`alias_targets`]).
fn contained<'a>(
    ty: &'a RustType,
    kinds: &BTreeMap<Path, &'a TypeKind>,
    targets: &'a BTreeMap<Path, Option<Path>>,
) -> Option<&'a Path> {
    let RustType::Named { path, .. } = ty else { return None };
    match kinds.get(path)? {
        TypeKind::Struct(_) => Some(path),
        TypeKind::Alias(_) => targets.get(path)?.as_ref(),
        _ => None,
    }
}

/// The struct each alias stands for (through other aliases), or `None`. Each alias is followed
/// once: a walk stops at an alias an earlier walk resolved, so a chain of N aliases costs N steps
/// rather than N² (a cycle, refused by [`check_alias_cycles`] at the top level, resolves to `None`).
fn alias_targets(kinds: &BTreeMap<Path, &TypeKind>) -> BTreeMap<Path, Option<Path>> {
    let mut targets: BTreeMap<Path, Option<Path>> = BTreeMap::new();
    for (start, kind) in kinds {
        if !matches!(kind, TypeKind::Alias(_)) || targets.contains_key(start) {
            continue;
        }
        let mut walk: Vec<&Path> = vec![start];
        let mut on_walk: BTreeSet<&Path> = BTreeSet::from([start]);
        let mut current = start;
        let target = loop {
            step();
            let next = match kinds.get(current) {
                Some(TypeKind::Alias(RustType::Named { path: next, .. })) => next,
                _ => break None,
            };
            if let Some(known) = targets.get(next) {
                break known.clone();
            }
            match kinds.get(next) {
                Some(TypeKind::Struct(_)) => break Some(next.clone()),
                Some(TypeKind::Alias(_)) if !on_walk.contains(next) => {
                    on_walk.insert(next);
                    walk.push(next);
                    current = next;
                }
                _ => break None,
            }
        };
        for path in walk {
            targets.insert(path.clone(), target.clone());
        }
    }
    targets
}

fn containment_graph(
    kinds: &BTreeMap<Path, &TypeKind>,
    targets: &BTreeMap<Path, Option<Path>>,
) -> BTreeMap<Path, Vec<Path>> {
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
                .filter_map(|f| contained(&f.ty, kinds, targets).cloned())
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

#[cfg(test)]
mod tests {
    use super::STEPS;

    /// A document whose schemas are a chain of `n` aliases, `A0 → A1 → ... → An`, each an array
    /// of the next (or its plain alias), ending at an object, and `n` objects holding `A0`.
    fn chain(n: usize, array: bool) -> String {
        let mut schemas = serde_json::Map::new();
        for i in 0..n {
            let next = serde_json::json!({"$ref": format!("A{}", i + 1)});
            let schema = if array {
                serde_json::json!({"type": "array", "items": next})
            } else {
                next
            };
            schemas.insert(format!("A{i}"), schema);
            schemas.insert(
                format!("S{i}"),
                serde_json::json!({"type": "object", "properties": {"a": {"$ref": "A0"}}}),
            );
        }
        schemas.insert(
            format!("A{n}"),
            serde_json::json!({"type": "object", "properties": {"x": {"type": "string"}}}),
        );
        serde_json::json!({
            "kind": "discovery#restDescription", "id": "chain:v1", "name": "chain", "version": "v1",
            "revision": "20260101", "rootUrl": "https://chain.googleapis.com/", "servicePath": "",
            "schemas": schemas,
        })
        .to_string()
    }

    fn steps(json: &str) -> u64 {
        let doc = crate::parse::parse(json).expect("parses");
        STEPS.with(|steps| steps.set(0));
        crate::resolve::resolve(&doc).expect("resolves");
        STEPS.with(|steps| steps.get())
    }

    /// The alias walks are linear in the chain's length: four times the schemas, at most about
    /// four times the steps (counted, not timed, so the machine's speed does not matter). The
    /// quadratic and cubic walks they replace would take 16 and 64 times.
    #[test]
    fn alias_chains_cost_steps_linear_in_their_length() {
        for array in [true, false] {
            let small = steps(&chain(500, array));
            let large = steps(&chain(2000, array));
            assert!(small >= 500, "{small} steps for 500 aliases");
            assert!(
                large <= 4 * small + 16,
                "{large} steps for 2000 aliases, {small} for 500 (array: {array})"
            );
        }
    }

    #[test]
    fn a_cycle_is_still_found_after_a_finished_chain() {
        let json = serde_json::json!({
            "kind": "discovery#restDescription", "id": "chain:v1", "name": "chain", "version": "v1",
            "revision": "20260101", "rootUrl": "https://chain.googleapis.com/", "servicePath": "",
            "schemas": {
                "A": {"type": "array", "items": {"$ref": "B"}},
                "B": {"type": "object"},
                "C": {"$ref": "D"},
                "D": {"type": "array", "items": {"$ref": "E"}},
                "E": {"$ref": "A"},
                "F": {"$ref": "G"},
                "G": {"type": "array", "items": {"$ref": "F"}},
            },
        })
        .to_string();
        let doc = crate::parse::parse(&json).expect("parses");
        let error = crate::resolve::resolve(&doc).expect_err("a cycle");
        assert_eq!(
            error.to_string(),
            "schemas.F: cycle of $ref with no object in between: F → G → F"
        );
    }
}
