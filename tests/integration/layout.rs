//! The tests' own layout: every integration test is in this one binary, and every snapshot
//! belongs to a test.

use std::path::Path;

/// The integration tests' directory, `tests/integration/`.
fn here() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/integration"))
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `tests/` holds only this binary: a file beside it would be built as a test binary of its own
/// (Cargo's automatic discovery), which is not how the tests are laid out; an area of tests is a
/// module of `main.rs`.
#[test]
fn the_integration_tests_are_one_binary() {
    let tests = here().parent().expect("tests/");
    assert_eq!(names(tests), ["integration"], "add a module to tests/integration/main.rs instead");
    let main = std::fs::read_to_string(here().join("main.rs")).expect("main.rs");
    for name in names(here()) {
        let Some(module) = name.strip_suffix(".rs") else { continue };
        if module != "main" {
            assert!(
                main.contains(&format!("\nmod {module};\n")),
                "main.rs does not declare {name}"
            );
        }
    }
}

/// Every snapshot file is asserted by a test of its module: `integration__<area>__<name>.snap`
/// needs a `<area>.rs` whose source names `"<name>"`, or makes it with `format!("<prefix>{...}")`
/// from a `"<rest>"` it names. A snapshot left behind by a renamed or deleted test fails here.
#[test]
fn every_snapshot_belongs_to_a_test() {
    let mut orphans = Vec::new();
    for file in names(&here().join("snapshots")) {
        let name = file.strip_suffix(".snap").unwrap_or_else(|| panic!("not a snapshot: {file}"));
        let (area, name) = name
            .strip_prefix("integration__")
            .and_then(|n| n.split_once("__"))
            .unwrap_or_else(|| panic!("not named integration__<area>__<name>.snap: {file}"));
        let Ok(source) = std::fs::read_to_string(here().join(format!("{area}.rs"))) else {
            orphans.push(format!("{file}: no module {area}.rs"));
            continue;
        };
        let quoted = |s: &str| source.contains(&format!("\"{s}\""));
        let made = source.match_indices("format!(\"").any(|(at, m)| {
            let prefix = source[at + m.len()..].split('{').next().unwrap_or("");
            !prefix.is_empty()
                && !prefix.contains('"')
                && name.strip_prefix(prefix).is_some_and(&quoted)
        });
        if !quoted(name) && !made {
            orphans.push(format!("{file}: {area}.rs names no snapshot {name:?}"));
        }
    }
    assert!(orphans.is_empty(), "snapshots no test asserts:\n{}", orphans.join("\n"));
}
