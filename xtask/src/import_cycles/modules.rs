//! The module tree of one crate target, read from its source files: which modules there are,
//! which file holds each, what each imports by name, and every path it writes that starts in
//! the crate (`crate::`, `super::`, `self::`, or a child module or imported name of its own).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use syn::visit::Visit;

/// One module: inline (`mod tests { .. }`) or a file of its own.
#[derive(Debug, Default)]
pub struct Module {
    /// Its path from the crate root (`["emit", "docs"]`), empty for the root.
    pub path: Vec<String>,
    /// The file that holds it (an inline module's is its parent's).
    pub file: PathBuf,
    /// Its child modules, by name, as indexes into [`Tree::modules`].
    pub children: BTreeMap<String, usize>,
    /// What its `use` items name, as paths relative to the module (`crate::` and `super::`
    /// still written out), by the name they bring in.
    pub imports: BTreeMap<String, Vec<String>>,
    /// Every path it writes, as written (resolved later).
    pub references: Vec<Vec<String>>,
}

/// Every module of one crate target.
#[derive(Debug, Default)]
pub struct Tree {
    /// The modules; index 0 is the crate root.
    pub modules: Vec<Module>,
}

impl Tree {
    /// Reads the target whose root file is `root` (`src/lib.rs`, `tests/oauth.rs`), following
    /// `mod name;` declarations to their files. A declared module whose file is missing is
    /// skipped (the compiler reports it).
    pub fn read(root: &Path) -> Result<Self> {
        let mut tree = Self::default();
        let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
        tree.read_file(root, Vec::new(), &dir)?;
        Ok(tree)
    }

    fn read_file(&mut self, file: &Path, path: Vec<String>, dir: &Path) -> Result<usize> {
        let text = std::fs::read_to_string(file).with_context(|| format!("could not read {}", file.display()))?;
        let parsed = syn::parse_file(&text).with_context(|| format!("could not parse {}", file.display()))?;
        let index = self.add(path, file);
        // `#[path]` at a file's top level is relative to the file's own directory.
        let path_base = file.parent().map(Path::to_path_buf).unwrap_or_default();
        self.read_items(index, &parsed.items, dir, &path_base)?;
        Ok(index)
    }

    fn add(&mut self, path: Vec<String>, file: &Path) -> usize {
        self.modules.push(Module {
            path,
            file: file.to_path_buf(),
            ..Module::default()
        });
        self.modules.len() - 1
    }

    /// Reads the items of module `index`, whose child module files live in `dir`; a `#[path]`
    /// on a child is relative to `path_base` (the file's directory at its top level, `dir`
    /// inside an inline module, as the Reference's "Path attributes" says).
    fn read_items(&mut self, index: usize, items: &[syn::Item], dir: &Path, path_base: &Path) -> Result<()> {
        let mut collector = Collector::default();
        for item in items {
            match item {
                syn::Item::Mod(module) => {
                    let name = module.ident.to_string();
                    let mut path = self.modules[index].path.clone();
                    path.push(name.clone());
                    let child = match &module.content {
                        Some((_, inner)) => {
                            let file = self.modules[index].file.clone();
                            let child = self.add(path, &file);
                            let inner_dir = dir.join(&name);
                            self.read_items(child, inner, &inner_dir, &inner_dir)?;
                            Some(child)
                        }
                        None => match module_file(dir, path_base, &name, &module.attrs) {
                            Some(file) => {
                                let child_dir = child_dir(&file, &name);
                                Some(self.read_file(&file, path, &child_dir)?)
                            }
                            None => None,
                        },
                    };
                    if let Some(child) = child {
                        self.modules[index].children.insert(name, child);
                    }
                    for attr in &module.attrs {
                        collector.visit_attribute(attr);
                    }
                }
                syn::Item::Use(item) => flatten(&item.tree, Vec::new(), &mut collector),
                other => collector.visit_item(other),
            }
        }
        let module = &mut self.modules[index];
        module.imports.extend(collector.imports);
        module.references.extend(collector.references);
        Ok(())
    }
}

/// The file of `mod name;` declared in a module whose children live in `dir`: `#[path]` if
/// given (relative to `path_base`), else `dir/name.rs` or `dir/name/mod.rs`.
fn module_file(dir: &Path, path_base: &Path, name: &str, attrs: &[syn::Attribute]) -> Option<PathBuf> {
    for attr in attrs {
        if attr.path().is_ident("path")
            && let syn::Meta::NameValue(value) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &value.value
        {
            return Some(path_base.join(text.value()));
        }
    }
    [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
        .into_iter()
        .find(|file| file.is_file())
}

/// Where the children of the module in `file` live: beside a `mod.rs`, else in `name/`.
fn child_dir(file: &Path, name: &str) -> PathBuf {
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    if file.file_name().is_some_and(|file_name| file_name == "mod.rs") {
        parent
    } else {
        parent.join(name)
    }
}

/// Gathers a module's imports and the paths it writes (not descending into child modules,
/// which are read on their own).
#[derive(Default)]
struct Collector {
    imports: BTreeMap<String, Vec<String>>,
    references: Vec<Vec<String>>,
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        // A `use` inside a function body: its names are local, but it is an import all the same.
        flatten(&item.tree, Vec::new(), self);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() && path.segments.len() > 1 {
            let segments = path.segments.iter().map(|segment| segment.ident.to_string()).collect();
            self.references.push(segments);
        }
        syn::visit::visit_path(self, path);
    }
}

/// Records every leaf of a `use` tree as a reference, and each name it brings in as an import.
fn flatten(tree: &syn::UseTree, mut prefix: Vec<String>, out: &mut Collector) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten(&path.tree, prefix, out);
        }
        syn::UseTree::Name(name) => {
            let ident = name.ident.to_string();
            if ident == "self" {
                if let Some(last) = prefix.last().cloned() {
                    out.imports.insert(last, prefix.clone());
                }
            } else {
                prefix.push(ident.clone());
                out.imports.insert(ident, prefix.clone());
            }
            out.references.push(prefix);
        }
        syn::UseTree::Rename(rename) => {
            prefix.push(rename.ident.to_string());
            out.imports.insert(rename.rename.to_string(), prefix.clone());
            out.references.push(prefix);
        }
        syn::UseTree::Glob(_) => out.references.push(prefix),
        syn::UseTree::Group(group) => {
            for item in &group.items {
                flatten(item, prefix.clone(), out);
            }
        }
    }
}
