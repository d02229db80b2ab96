//! The invariants ARCHITECTURE.md states, kept true by a test (as rust-analyzer's tidy test
//! does): every source file is in the code map; only `src/input.rs` reads files; nothing outside
//! `src/rules/` uses rhai (but for the modules named below, whose hook answers are still decoded
//! where they are used); no writer parses a status, a level or a date back out of text.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, as `src/...` paths, sorted.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    let mut out: Vec<(String, String)> = files
        .into_iter()
        .map(|p| {
            let name =
                p.strip_prefix(root).expect("under the root").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("a source file");
            (name, text)
        })
        .collect();
    out.sort();
    out
}

/// The code outside `#[cfg(test)]` modules (which sit at the end of a file here).
fn code(text: &str) -> &str {
    text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

#[test]
fn every_source_file_is_in_the_code_map() {
    let map =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let missing: Vec<String> = sources()
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| !map.contains(&format!("`{n}`")))
        .collect();
    assert!(missing.is_empty(), "not in ARCHITECTURE.md's code map: {missing:?}");
}

#[test]
fn only_input_reads_files() {
    let reads = ["fs::read(", "fs::read_to_string(", "File::open(", "read_to_end("];
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(n, t)| n != "src/input.rs" && reads.iter().any(|r| code(t).contains(r)))
        .map(|(n, _)| n)
        .collect();
    assert!(offenders.is_empty(), "files read outside src/input.rs: {offenders:?}");
}

#[test]
fn nothing_outside_rules_uses_rhai() {
    let users: Vec<String> = sources()
        .into_iter()
        .filter(|(n, t)| !n.starts_with("src/rules/") && code(t).contains("rhai::"))
        .map(|(n, _)| n)
        .collect();
    // Hook answers are decoded into Rust values inside src/rules/, one decoder per hook.
    assert!(users.is_empty(), "modules outside src/rules/ that use rhai: {users:?}");
}

#[test]
fn no_writer_parses_text_back() {
    let parsing = [
        "parse_from_str",
        "parse::<NaiveDate>",
        "Standing::parse",
        "Level::parse",
        "fn with_field",
    ];
    let offenders: Vec<(String, &str)> = sources()
        .into_iter()
        .filter(|(n, _)| n.starts_with("src/report/"))
        .flat_map(|(n, t)| {
            parsing
                .iter()
                .filter(|p| code(&t).contains(*p))
                .map(|p| (n.clone(), *p))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offenders.is_empty(), "writers that parse text back: {offenders:?}");
}

/// The report modules (`src/report/*.rs` but `mod.rs`) each names through `super::X`, in `use`
/// lines or in paths (`super::super::...` reaches outside `report` and is not counted), by name.
fn report_imports() -> std::collections::BTreeMap<String, Vec<String>> {
    let sources: Vec<(String, String)> = sources()
        .into_iter()
        .filter_map(|(n, t)| {
            let name = n.strip_prefix("src/report/")?.strip_suffix(".rs")?;
            (!name.contains('/') && name != "mod").then(|| (name.to_string(), t))
        })
        .collect();
    let modules: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    let ident = |s: &str| -> String {
        s.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
    };
    let mut imports = std::collections::BTreeMap::new();
    for (name, text) in &sources {
        let text = code(text);
        let mut named: Vec<String> = Vec::new();
        for (at, _) in text.match_indices("super::") {
            if text[..at].ends_with("super::") {
                continue;
            }
            let rest = &text[at + "super::".len()..];
            if rest.starts_with("super::") {
                continue;
            }
            // `super::{a, b::C}` names each of its items; `super::a` names `a`.
            let names: Vec<String> = match rest.strip_prefix('{') {
                Some(group) => {
                    group[..group.find('}').unwrap_or(group.len())].split(',').map(ident).collect()
                }
                None => vec![ident(rest)],
            };
            for n in names {
                if modules.contains(&n.as_str()) && n != *name && !named.contains(&n) {
                    named.push(n);
                }
            }
        }
        named.sort();
        imports.insert(name.clone(), named);
    }
    imports
}

/// The first circle of imports found by a depth-first walk (white, grey on the path, black
/// done), as the modules along it with the first repeated at the end.
fn import_circle(imports: &std::collections::BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        White,
        Grey,
        Black,
    }
    fn visit<'a>(
        m: &'a str,
        imports: &'a std::collections::BTreeMap<String, Vec<String>>,
        marks: &mut std::collections::BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        marks.insert(m, Mark::Grey);
        path.push(m);
        for next in imports.get(m).into_iter().flatten() {
            match marks.get(next.as_str()).copied().unwrap_or(Mark::White) {
                Mark::Grey => {
                    let from = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut circle: Vec<String> =
                        path[from..].iter().map(|p| p.to_string()).collect();
                    circle.push(next.clone());
                    return Some(circle);
                }
                Mark::White => {
                    if let Some(c) = visit(next, imports, marks, path) {
                        return Some(c);
                    }
                }
                Mark::Black => {}
            }
        }
        path.pop();
        marks.insert(m, Mark::Black);
        None
    }
    let mut marks = std::collections::BTreeMap::new();
    for m in imports.keys() {
        if marks.get(m.as_str()).copied().unwrap_or(Mark::White) == Mark::White
            && let Some(c) = visit(m, imports, &mut marks, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn report_modules_import_no_circle() {
    let imports = report_imports();
    assert!(imports.len() > 20, "the report modules were not found: {imports:?}");
    assert!(imports["forecast"].contains(&"render".to_string()), "{imports:?}");
    let circle = import_circle(&imports);
    assert!(
        circle.is_none(),
        "report modules import each other in a circle: {}",
        circle.unwrap_or_default().join(" -> ")
    );
}

#[test]
fn an_import_circle_is_found() {
    let imports = |pairs: &[(&str, &[&str])]| {
        pairs
            .iter()
            .map(|(m, to)| (m.to_string(), to.iter().map(|t| t.to_string()).collect()))
            .collect::<std::collections::BTreeMap<String, Vec<String>>>()
    };
    let circle =
        import_circle(&imports(&[("a", &["b"]), ("b", &["c"]), ("c", &["d", "a"]), ("d", &[])]));
    assert_eq!(circle, Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    assert_eq!(import_circle(&imports(&[("a", &["b"]), ("b", &[]), ("c", &["a", "b"])])), None);
}
