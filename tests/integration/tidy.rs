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

/// The modules outside `src/rules/` that still decode hook answers from rhai values themselves.
/// The list may only shrink: a module that stops using rhai must leave it.
const DECODE_RHAI_ANSWERS: [&str; 1] = ["src/simulate/mod.rs"];

#[test]
fn nothing_outside_rules_uses_rhai() {
    let users: Vec<String> = sources()
        .into_iter()
        .filter(|(n, t)| !n.starts_with("src/rules/") && code(t).contains("rhai::"))
        .map(|(n, _)| n)
        .collect();
    assert_eq!(users, DECODE_RHAI_ANSWERS, "modules outside src/rules/ that use rhai");
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
