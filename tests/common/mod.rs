//! Shared helpers for the integration tests: run the real `routemap` binary the way a user would
//! and capture what it does. Not every test binary uses every helper.
#![allow(dead_code)]

use std::process::Command;

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
