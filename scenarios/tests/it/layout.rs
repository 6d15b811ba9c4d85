//! The layout's invariant, checked: inside each crate, the parts (a folder, or a file at the
//! root of `src/`) do not import each other in circles (ARCHITECTURE.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::{Needs, test};

const CRATES: [&str; 4] = ["mock-okta", "mock-cognito", "harness", "scenarios"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Part → the parts it names through `crate::part`.
fn dependencies(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let part =
            relative.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_owned();
        if part == "lib" || part == "main" || part == "bin" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let edges = graph.entry(part.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() && name != part && rest[name.len()..].starts_with("::") {
                edges.insert(name);
            }
        }
    }
    graph
}

/// A cycle in `graph`, if any, as the parts around it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            return Some(path[start..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn no_part_of_a_crate_imports_another_in_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for krate in CRATES {
        let graph = dependencies(&root.join(krate).join("src"));
        assert!(graph.len() > 2, "{krate}: {graph:?}");
        if let Some(found) = cycle(&graph) {
            panic!("{krate}: {} import each other in a circle", found.join(" → "));
        }
    }
}

fn the_cycle_finder_finds_a_circle() {
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["c".to_owned()])),
        ("c".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(cycle(&graph), Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]));
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    vec![
        test(
            "layout::no_part_of_a_crate_imports_another_in_a_circle",
            Needs::Nothing,
            no_part_of_a_crate_imports_another_in_a_circle,
        ),
        test(
            "layout::the_cycle_finder_finds_a_circle",
            Needs::Nothing,
            the_cycle_finder_finds_a_circle,
        ),
    ]
}
