//! The layering of ARCHITECTURE.md, checked: a test fails when a crate depends on one it
//! may not (the table below, read from `cargo metadata`), when a crate the build uses links
//! the dev server's libraries, or when the modules of any crate import each other in a
//! cycle. A cycle is reported with the modules on it.
//!
//! Modules are each crate's top-level modules (a folder module with its children is one);
//! an edge A -> B is a path `crate::B` (or `super::B` at the top level) written in A's code
//! outside its `#[cfg(test)]` module. The crate root is a module too: `crate::Item` is an
//! edge to it, and it has an edge to every module it names (`use pages::x`, `cmd::run`), so
//! a cycle through an item defined or re-exported there is found as well.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Each workspace crate and the workspace crates it may depend on (normal dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("petitio-model", &[]),
    ("petitio-site", &["petitio-model"]),
    ("petitio-render", &["petitio-model", "petitio-site"]),
    (
        "petitio-search",
        &["petitio-model", "petitio-site", "petitio-render"],
    ),
    (
        "petitio-serve",
        &[
            "petitio-model",
            "petitio-site",
            "petitio-render",
            "petitio-signatures",
        ],
    ),
    (
        "petitio",
        &[
            "petitio-model",
            "petitio-site",
            "petitio-render",
            "petitio-search",
            "petitio-serve",
            "petitio-signatures",
        ],
    ),
    ("petitio-signatures", &["petitio-model"]),
    ("petitio-worker", &["petitio-model", "petitio-signatures"]),
];

/// Libraries only the dev server and the worker's runtime may link: the crates `petitio
/// build` uses (and the shared model) must not. `petitio-search` is not among them on
/// purpose: Pagefind is async, and it runs on its own current-thread tokio runtime there.
const SERVER_ONLY: &[&str] = &[
    "axum",
    "hyper",
    "hyper-util",
    "notify",
    "redb",
    "tokio",
    "tower-http",
    "worker",
];
const BUILD_CRATES: &[&str] = &["petitio-model", "petitio-site", "petitio-render"];

/// Libraries only the CLI crate may link: the HTTP client of `petitio verify` and
/// `petitio witness` must never reach the worker or the signature core (#13).
const CLI_ONLY: &[&str] = &["ureq"];

struct Package {
    name: String,
    /// Names of its normal (not dev, not build) dependencies.
    dependencies: BTreeSet<String>,
    /// The root files of its library and binary targets.
    roots: Vec<PathBuf>,
}

fn workspace() -> Vec<Package> {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| Package {
            name: package["name"].as_str().unwrap().to_owned(),
            dependencies: package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| dependency["name"].as_str().unwrap().to_owned())
                .collect(),
            roots: package["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|target| {
                    target["kind"].as_array().unwrap().iter().any(|kind| {
                        ["lib", "cdylib", "rlib", "bin"].contains(&kind.as_str().unwrap())
                    })
                })
                .map(|target| PathBuf::from(target["src_path"].as_str().unwrap()))
                .collect(),
        })
        .collect()
}

#[test]
fn crates_depend_only_on_the_layers_below_them() {
    let packages = workspace();
    let names: BTreeSet<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ALLOWED
            .iter()
            .map(|(name, _)| *name)
            .collect::<BTreeSet<_>>(),
        "every workspace crate has a row in ALLOWED, and every row a crate"
    );
    let mut wrong = Vec::new();
    for package in &packages {
        let allowed = ALLOWED
            .iter()
            .find(|(name, _)| *name == package.name)
            .map(|(_, allowed)| *allowed)
            .unwrap();
        for dependency in &package.dependencies {
            let ours = names.contains(dependency.as_str());
            if ours && !allowed.contains(&dependency.as_str()) {
                wrong.push(format!("{} depends on {dependency}", package.name));
            }
            let server_only = SERVER_ONLY.contains(&dependency.as_str());
            if server_only && BUILD_CRATES.contains(&package.name.as_str()) {
                wrong.push(format!("{} links {dependency}", package.name));
            }
            if CLI_ONLY.contains(&dependency.as_str()) && package.name != "petitio" {
                wrong.push(format!("{} links {dependency}", package.name));
            }
        }
    }
    assert!(wrong.is_empty(), "against the layering: {wrong:?}");
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    for package in workspace() {
        for root in &package.roots {
            let graph = module_graph(root);
            if let Some(cycle) = find_cycle(&graph) {
                panic!(
                    "{} ({}) has an import cycle: {}",
                    package.name,
                    root.display(),
                    cycle.join(" -> ")
                );
            }
        }
    }
}

#[test]
fn the_check_sees_a_cycle_even_through_the_crate_root() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).unwrap();
    let cycle = |src: &Path| find_cycle(&module_graph(&src.join("lib.rs")));
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write("a.rs", "use crate::b::B;\npub struct A;\n");
    write("b.rs", "pub struct B(crate::c::C);\n");
    write(
        "c.rs",
        "// crate::a in a comment is no edge\npub struct C;\nfn f() { super::a::A; }\n",
    );
    assert_eq!(cycle(src).unwrap(), ["a", "b", "c", "a"].map(str::to_owned));
    // What only the tests import is no cycle.
    write(
        "c.rs",
        "pub struct C;\n#[cfg(test)]\nmod tests { use crate::a; }\n",
    );
    assert_eq!(cycle(src), None);
    // `crate::A`, re-exported by the root from `a`, is an edge to `a` through the root.
    write(
        "lib.rs",
        "pub mod a;\npub mod b;\npub mod c;\npub use a::A;\n",
    );
    write("c.rs", "pub struct C(crate::A);\n");
    assert_eq!(
        cycle(src).unwrap(),
        ["a", "b", "c", "crate", "a"].map(str::to_owned)
    );
}

/// The modules of the crate whose root file is `root`, each with the modules it imports.
/// The root itself is a node (`crate`): every module that names an item through it
/// (`crate::Item`) has an edge to it, and it has an edge to every module it names.
fn module_graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let src = root.parent().unwrap();
    let root_code = code_of(&std::fs::read_to_string(root).unwrap());
    let modules: BTreeSet<String> = declared_modules(&root_code);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for module in &modules {
        let mut files = Vec::new();
        for candidate in [src.join(format!("{module}.rs")), src.join(module)] {
            if candidate.is_file() {
                files.push(candidate);
            } else if candidate.is_dir() {
                files.extend(
                    walk(&candidate)
                        .into_iter()
                        .filter(|f| f.extension().is_some_and(|e| e == "rs")),
                );
            }
        }
        let edges = graph.entry(module.clone()).or_default();
        for file in files {
            let code = code_of(&std::fs::read_to_string(&file).unwrap());
            let top_level = file.parent() == Some(src);
            for target in paths_after(
                &code,
                if top_level {
                    &["crate::", "super::"]
                } else {
                    &["crate::"]
                },
            ) {
                if target != *module {
                    edges.insert(if modules.contains(&target) {
                        target
                    } else {
                        "crate".to_owned()
                    });
                }
            }
        }
    }
    let named_by_root = modules
        .iter()
        .filter(|module| paths_after(&root_code, &[""]).contains(*module))
        .cloned()
        .collect();
    graph.insert("crate".to_owned(), named_by_root);
    graph
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The code of a file: comments and the `#[cfg(test)]` module (at the end of the file, by
/// the project's convention) left out.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn declared_modules(root_code: &str) -> BTreeSet<String> {
    root_code
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let line = line.strip_prefix("pub(crate) ").unwrap_or(line);
            let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_owned())
        })
        .collect()
}

/// The first segment of every path that starts with one of `prefixes` in `code` (`""`: of
/// every path, `a` in `a::b`).
fn paths_after(code: &str, prefixes: &[&str]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let starts_path = |at: usize| {
        let before = code[..at].chars().next_back();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    };
    for prefix in prefixes {
        if prefix.is_empty() {
            for (at, _) in code.match_indices("::") {
                let name: String = code[..at]
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                if !name.is_empty() && starts_path(at - name.len()) {
                    found.insert(name);
                }
            }
            continue;
        }
        for (at, _) in code.match_indices(prefix) {
            if !starts_path(at) {
                continue;
            }
            let rest = code[at + prefix.len()..]
                .trim_start_matches('{')
                .trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// A cycle of `graph` as the modules on it, the first repeated at the end; `None` if it has
/// none.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, graph, &mut Vec::new(), &mut done) {
            return Some(cycle);
        }
    }
    None
}

/// The repository's root (this crate is `generator/petitio`).
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

#[test]
fn every_path_architecture_md_names_exists() {
    let root = repository();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let crate_folder = |name: &str| {
        ["generator", "edge-worker"]
            .into_iter()
            .map(|folder| root.join(folder).join(name))
            .find(|path| path.is_dir())
    };
    // Folders the build or the tools create (anchored `.gitignore` entries) are named by
    // the document but absent from a fresh clone, so they are not checked.
    let generated: Vec<String> = std::fs::read_to_string(root.join(".gitignore"))
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix('/'))
        .map(|entry| entry.trim_end_matches('/').to_owned())
        .collect();
    let mut checked = 0;
    let mut missing = Vec::new();
    for (i, quoted) in text.split('`').enumerate() {
        let is_code = i % 2 == 1;
        let shaped = quoted.contains('/')
            && !quoted.contains(['<', '*', ':', ' ', '?', '#', '{', '"', '='])
            && !quoted.starts_with('/');
        let is_generated = generated.iter().any(|entry| {
            quoted.trim_end_matches('/') == entry || quoted.starts_with(&format!("{entry}/"))
        });
        if !is_code || !shaped || is_generated {
            continue;
        }
        let first = quoted.split('/').next().unwrap();
        let path = if first.starts_with("petitio-") {
            match crate_folder(first) {
                Some(folder) => folder.join(quoted.split_once('/').unwrap().1),
                None => {
                    missing.push(quoted.to_owned());
                    continue;
                }
            }
        } else if root.join(first).exists() && !first.is_empty() {
            root.join(quoted)
        } else {
            continue;
        };
        checked += 1;
        if !path.exists() {
            missing.push(quoted.to_owned());
        }
    }
    assert!(checked > 20, "only {checked} paths found");
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}
