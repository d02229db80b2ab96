//! Shared helpers for the integration tests: run the real `routemap` binary the way a user would
//! and capture what it does. Not every test binary uses every helper.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use routemap::assess::Standing;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Everything written to standard output.
    pub stdout: String,
    /// Everything written to standard error.
    pub stderr: String,
}

/// Run `routemap` with these arguments from the crate root, so that the paths in its messages are
/// relative and the same on every machine. Output is captured through pipes, never a terminal,
/// and colour is switched off in case any is ever added.
pub fn routemap(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_routemap"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap_or_else(|e| panic!("cannot run routemap {args:?}: {e}"));
    Run {
        code: output
            .status
            .code()
            .unwrap_or_else(|| panic!("routemap {args:?} was killed by a signal")),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Run `routemap` and insist that it succeeded, returning its standard output.
pub fn ok(args: &[&str]) -> String {
    let run = routemap(args);
    assert_eq!(run.code, 0, "routemap {args:?} failed:\n{}", run.stderr);
    assert!(run.stderr.is_empty(), "routemap {args:?} wrote to stderr:\n{}", run.stderr);
    run.stdout
}

/// Run `routemap` and insist that it failed with exit 2 and wrote nothing to standard output,
/// returning its standard error.
pub fn bad(args: &[&str]) -> String {
    let run = routemap(args);
    assert_eq!(run.code, 2, "routemap {args:?} exited {}:\n{}", run.code, run.stderr);
    assert!(run.stdout.is_empty(), "routemap {args:?} wrote to stdout:\n{}", run.stdout);
    run.stderr
}

/// Parse JSON output.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// 64 cases from a fixed seed, so `cargo test` is quick and repeatable; set `PROPTEST_CASES` to
/// search harder.
pub fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(0x5eed_2005_0413),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The four ordered standings, best first; `Unknown` stands apart.
pub fn rank(s: Standing) -> Option<u8> {
    match s {
        Standing::Achieved => Some(0),
        Standing::OnTrack => Some(1),
        Standing::AtRisk => Some(2),
        Standing::OffTrack => Some(3),
        Standing::Unknown => None,
    }
}

/// The YAML fixtures in `dir` (relative to the crate) that `tested` does not name, and the names
/// in `tested` with no fixture: both should be empty.
pub fn untested_fixtures(dir: &str, tested: &[&str]) -> (Vec<String>, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "yaml"))
        .map(|path| path.file_stem().expect("file name").to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let untested = on_disk.iter().filter(|f| !tested.contains(&f.as_str())).cloned().collect();
    let missing =
        tested.iter().filter(|f| !on_disk.iter().any(|d| d == *f)).map(|f| f.to_string()).collect();
    (untested, missing)
}
