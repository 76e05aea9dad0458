//! `cargo xtask import-cycles`: no two files of a crate import from each other, directly or
//! through others. Every target (library, binaries, tests, benches, examples) of every
//! workspace member is read with `syn` ([`modules`]); a path that starts in the crate
//! (`crate::a::B`, `super::B`, `self::a`, a child module, or a name a `use` brought in) is
//! followed through `pub use` re-exports to the file that defines what it names, and each such
//! reference is an edge between two files. A strongly connected set of files is a circle.
//!
//! A module's use of its own ancestors (`super::Item` in `store/exports.rs` naming what
//! `store/mod.rs` defines) is not an edge: a child module is part of its parent's
//! implementation and sees its private items by design, so only the parent's dependence on the
//! child counts. This is our rule; it leaves out the parent/child pairs and finds every circle
//! between siblings and between unrelated modules.

pub mod modules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use modules::Tree;

/// How deep re-exports are followed before a path is taken as defined where it stands.
const MAX_REEXPORTS: usize = 16;

/// One circle: files that import from each other, directly or through the others (a
/// strongly connected set), with every import between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Circle {
    /// The files, relative to the workspace root, sorted.
    pub files: Vec<String>,
    /// Each import inside the circle: the importing file, the file it imports from, and the
    /// path as written (`super::text::doc_inline`).
    pub imports: Vec<(String, String, String)>,
}

impl std::fmt::Display for Circle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "import circle between {}:", self.files.join(", "))?;
        for (from, to, path) in &self.imports {
            write!(f, "\n  {from} uses {path} ({to})")?;
        }
        Ok(())
    }
}

/// Checks every workspace member under `root`; lists each circle found and exits with 1 when
/// there is one.
pub fn run(root: &Path) -> Result<ExitCode> {
    let mut circles = Vec::new();
    let mut targets = 0;
    for target in targets_of(root)? {
        targets += 1;
        for circle in circles_in(&target, root)? {
            if !circles.contains(&circle) {
                circles.push(circle);
            }
        }
    }
    if circles.is_empty() {
        println!("no import circle in {targets} crate targets");
        return Ok(ExitCode::SUCCESS);
    }
    for circle in &circles {
        println!("{circle}");
    }
    println!(
        "{} import circle(s): move what both sides need into a module of its own",
        circles.len()
    );
    Ok(ExitCode::from(1))
}

/// The root files of every target of every workspace member.
pub fn targets_of(root: &Path) -> Result<Vec<PathBuf>> {
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("could not read {}", manifest.display()))?;
    let value: toml::Table =
        toml::from_str(&text).with_context(|| format!("could not parse {}", manifest.display()))?;
    let members = value
        .get("workspace")
        .and_then(|workspace| workspace.get("members"))
        .and_then(toml::Value::as_array)
        .with_context(|| format!("{}: no workspace.members", manifest.display()))?;
    let mut dirs = Vec::new();
    for member in members.iter().filter_map(toml::Value::as_str) {
        match member.strip_suffix("/*") {
            Some(parent) => dirs.extend(
                sorted_entries(&root.join(parent))?
                    .into_iter()
                    .filter(|dir| dir.is_dir()),
            ),
            None => dirs.push(root.join(member)),
        }
    }
    let mut targets = Vec::new();
    for dir in dirs {
        targets.extend(
            ["src/lib.rs", "src/main.rs"]
                .map(|file| dir.join(file))
                .into_iter()
                .filter(|file| file.is_file()),
        );
        for folder in ["src/bin", "tests", "benches", "examples"] {
            let folder = dir.join(folder);
            if folder.is_dir() {
                targets.extend(
                    sorted_entries(&folder)?
                        .into_iter()
                        .filter(|file| file.is_file() && file.extension().is_some_and(|extension| extension == "rs")),
                );
            }
        }
    }
    Ok(targets)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))? {
        entries.push(
            entry
                .with_context(|| format!("could not list {}", dir.display()))?
                .path(),
        );
    }
    entries.sort();
    Ok(entries)
}

/// The circles among the files of the target rooted at `file`, named relative to `root`.
pub fn circles_in(file: &Path, root: &Path) -> Result<Vec<Circle>> {
    let tree = Tree::read(file)?;
    let mut edges: BTreeMap<PathBuf, BTreeMap<PathBuf, String>> = BTreeMap::new();
    for module in &tree.modules {
        let from = &module.file;
        edges.entry(from.clone()).or_default();
        for reference in &module.references {
            let Some(target) = absolute(module, reference, 0).and_then(|path| locate(&tree, &path, 0)) else {
                continue;
            };
            let to = &tree.modules[target].file;
            let ancestor = module.path.starts_with(&tree.modules[target].path);
            if to != from && !ancestor {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_insert_with(|| reference.join("::"));
            }
        }
    }
    let name = |path: &Path| path.strip_prefix(root).unwrap_or(path).display().to_string();
    Ok(strongly_connected(&edges)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let mut imports = Vec::new();
            for from in &component {
                for (to, path) in &edges[from] {
                    if component.contains(to) {
                        imports.push((name(from), name(to), path.clone()));
                    }
                }
            }
            Circle {
                files: component.iter().map(|file| name(file)).collect(),
                imports,
            }
        })
        .collect())
}

/// `path` as written in `module`, made absolute (segments from the crate root), or `None`
/// when it starts outside the crate (another crate, a local variable, `Self`).
fn absolute(module: &modules::Module, path: &[String], depth: usize) -> Option<Vec<String>> {
    let first = path.first()?;
    match first.as_str() {
        "crate" => Some(path[1..].to_vec()),
        "self" => Some([module.path.as_slice(), &path[1..]].concat()),
        "super" => {
            let ups = path.iter().take_while(|segment| *segment == "super").count();
            let base = module.path.len().checked_sub(ups)?;
            Some([&module.path[..base], &path[ups..]].concat())
        }
        _ if module.children.contains_key(first) => Some([module.path.as_slice(), path].concat()),
        _ => {
            let import = module.imports.get(first)?;
            if depth >= MAX_REEXPORTS || import.as_slice() == path {
                return None;
            }
            let mut full = absolute(module, import, depth + 1)?;
            full.extend_from_slice(&path[1..]);
            Some(full)
        }
    }
}

/// The module that defines what the absolute `path` names, following `use` re-exports.
fn locate(tree: &Tree, path: &[String], depth: usize) -> Option<usize> {
    let mut current = 0;
    for (index, segment) in path.iter().enumerate() {
        let module = &tree.modules[current];
        if let Some(&child) = module.children.get(segment) {
            current = child;
            continue;
        }
        if let Some(import) = module.imports.get(segment)
            && depth < MAX_REEXPORTS
        {
            let mut full = absolute(module, import, depth + 1)?;
            full.extend_from_slice(&path[index + 1..]);
            return locate(tree, &full, depth + 1);
        }
        return Some(current);
    }
    Some(current)
}

type Graph = BTreeMap<PathBuf, BTreeMap<PathBuf, String>>;

/// Tarjan's strongly connected components.
fn strongly_connected(graph: &Graph) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        components: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a PathBuf) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        let graph = state.graph;
        for target in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[target].min(state.low[node]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.index[target].min(state.low[node]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.push(top.clone());
                if top == node {
                    break;
                }
            }
            component.sort();
            state.components.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.components
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
    }

    #[test]
    fn finds_a_circle_through_a_re_export_and_names_each_import() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            &[
                ("src/lib.rs", "mod a;\nmod b;\nmod c;\npub use b::Bee;\n"),
                ("src/a.rs", "use crate::Bee;\npub struct A;\n"),
                ("src/b.rs", "pub struct Bee(crate::c::helper::Sea);\n"),
                ("src/c.rs", "pub mod helper { pub struct Sea(super::super::a::A); }\n"),
            ],
        );
        let circles = circles_in(&dir.path().join("src/lib.rs"), dir.path()).expect("read");
        assert_eq!(circles.len(), 1, "{circles:?}");
        assert_eq!(circles[0].files, ["src/a.rs", "src/b.rs", "src/c.rs"]);
        let text = circles[0].to_string();
        assert!(text.contains("src/a.rs uses crate::Bee (src/b.rs)"), "{text}");
        assert!(text.contains("src/c.rs uses super::super::a::A (src/a.rs)"), "{text}");
    }

    #[test]
    fn a_child_using_its_parent_and_siblings_in_one_direction_are_no_circle() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            &[
                ("src/main.rs", "mod store;\nmod util;\nfn main() { store::run(); }\n"),
                (
                    "src/store/mod.rs",
                    "mod exports;\npub use exports::run;\npub struct Request;\n",
                ),
                (
                    "src/store/exports.rs",
                    "use super::Request;\npub fn run() { crate::util::help(); }\n",
                ),
                (
                    "src/util.rs",
                    "pub fn help() {}\n#[cfg(test)]\nmod tests { use super::*; }\n",
                ),
            ],
        );
        let circles = circles_in(&dir.path().join("src/main.rs"), dir.path()).expect("read");
        assert_eq!(circles, []);
    }

    #[test]
    fn a_path_attribute_in_a_file_that_is_not_mod_rs_is_relative_to_its_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            &[
                ("tests/check.rs", "#[path = \"wire/objects.rs\"]\nmod objects;\n"),
                (
                    "tests/wire/objects.rs",
                    "#[path = \"answers.rs\"]\nmod answers;\nmod inline { #[path = \"deep.rs\"] mod deep; }\n",
                ),
                ("tests/wire/answers.rs", "pub fn answer() {}\n"),
                ("tests/wire/objects/inline/deep.rs", "pub fn deep() {}\n"),
            ],
        );
        let tree = modules::Tree::read(&dir.path().join("tests/check.rs")).expect("read");
        let files: Vec<String> = tree
            .modules
            .iter()
            .map(|m| m.file.strip_prefix(dir.path()).expect("inside").display().to_string())
            .collect();
        assert!(files.contains(&"tests/wire/answers.rs".to_owned()), "{files:?}");
        assert!(
            files.contains(&"tests/wire/objects/inline/deep.rs".to_owned()),
            "{files:?}"
        );
    }

    #[test]
    fn the_workspace_has_no_circle() {
        let root = crate::workspace::root().expect("workspace root");
        let targets = targets_of(&root).expect("targets");
        assert!(targets.iter().any(|target| target.ends_with("codegen/src/lib.rs")));
        for target in targets {
            let circles = circles_in(&target, &root).expect("read");
            assert!(
                circles.is_empty(),
                "{}",
                circles.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
            );
        }
    }
}
