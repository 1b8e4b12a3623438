//! The library's module layering: no import cycle between its top-level modules, and the
//! low-level ones (time, resources, units) import nothing above them. Read from the `use`
//! lines and `crate::` paths of the sources, test modules left out (a test may reach up).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level module → module it refers to → the first file that does.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        fs::read_dir(dir).expect("src is readable").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file that is not test code: cut at its `#[cfg(test)] mod tests`, without
/// comments (a doc link is not an import).
fn library_code(text: &str) -> String {
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end].lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Modules declared `#[cfg(test)] mod NAME;`: test helpers in files of their own.
fn test_only_files(path: &Path, text: &str) -> Vec<PathBuf> {
    let dir = path.parent().expect("in src");
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].trim() == "#[cfg(test)]")
        .filter_map(|w| w[1].trim().strip_prefix("mod ").and_then(|m| m.strip_suffix(';')))
        .map(|m| dir.join(format!("{m}.rs")))
        .collect()
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut test_only = BTreeSet::new();
    for f in &files {
        test_only.extend(test_only_files(f, &fs::read_to_string(f).expect("readable")));
    }
    let mut g = Graph::new();
    for f in &files {
        let rel = f.strip_prefix(&root).expect("under src");
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        // The binary (main.rs, cli/) sits above everything; lib.rs only declares modules.
        if test_only.contains(f) || rel_s == "main.rs" || rel_s == "lib.rs" || rel_s.starts_with("cli/") {
            continue;
        }
        let top = rel_s.split('/').next().expect("a component").trim_end_matches(".rs").to_string();
        let code = library_code(&fs::read_to_string(f).expect("readable"));
        let node = g.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !name.is_empty() && name != top {
                node.entry(name).or_insert_with(|| rel_s.clone());
            }
        }
    }
    g
}

/// A cycle through `start`, as the modules on it, if there is one.
fn cycle_through(g: &Graph, start: &str) -> Option<Vec<String>> {
    fn walk(g: &Graph, at: &str, start: &str, path: &mut Vec<String>, seen: &mut BTreeSet<String>) -> bool {
        for next in g.get(at).into_iter().flat_map(|m| m.keys()) {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(g, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_top_level_modules_import_each_other_without_a_cycle() {
    let g = graph();
    assert!(g.len() >= 10, "found only {:?}: is the source tree where the test looks?", g.keys());
    for m in g.keys() {
        if let Some(cycle) = cycle_through(&g, m) {
            let steps: Vec<String> = cycle
                .iter()
                .zip(cycle.iter().cycle().skip(1))
                .map(|(a, b)| format!("{a} -> {b} (in src/{})", g[a][b]))
                .collect();
            panic!("import cycle: {}", steps.join(", "));
        }
    }
}

#[test]
fn low_level_modules_import_only_lower_ones() {
    let g = graph();
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("time", &[][..]),
        ("civil", &[][..]),
        ("res", &[][..]),
        ("units", &["time"][..]),
        ("series", &["time"][..]),
        ("workload", &["time", "res", "units", "rng", "echo", "civil"][..]),
    ]);
    for (m, ok) in allowed {
        let uses: Vec<(&String, &String)> = g.get(m).map(|d| d.iter().collect()).unwrap_or_default();
        for (dep, file) in uses {
            assert!(ok.contains(&dep.as_str()), "{m} imports {dep} (src/{file}); it may import only {ok:?}");
        }
    }
}

#[test]
fn the_graph_sees_the_imports_it_must_see() {
    // The engine drives the cluster and the policies: if the parser missed these, the tests
    // above would pass on an empty graph.
    let g = graph();
    for (a, b) in [("engine", "cluster"), ("engine", "policy"), ("policy", "cluster"), ("report", "metrics")] {
        assert!(g.get(a).is_some_and(|d| d.contains_key(b)), "{a} should import {b}: {:?}", g.get(a));
    }
}
