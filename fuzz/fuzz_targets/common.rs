//! What the targets share: a scratch directory of this process holding a copy of the outcomes
//! catalogue, where a fuzzed file is written before routemap reads it as a user's file.
#![allow(dead_code)]

use std::path::PathBuf;

/// The scratch directory, created once: `<tmp>/routemap-fuzz-<pid>/`, with `odpm-outcomes.yaml`
/// in it and an empty `charnwood/` beside, so that a model's `catalogue: ../odpm-outcomes.yaml`
/// finds the catalogue as it does in the repository.
pub fn scratch() -> &'static PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("routemap-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("charnwood")).expect("a scratch directory");
        std::fs::write(
            dir.join("odpm-outcomes.yaml"),
            include_str!("../../fixtures/odpm-outcomes.yaml"),
        )
        .expect("the catalogue");
        dir
    })
}

/// Write `bytes` to `name` in the scratch directory and return its path.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("a scratch file");
    path
}

/// Every diagnostic of an error has a location (file, line and column).
pub fn located(e: &routemap::Error) -> bool {
    e.diagnostics.iter().all(|d| d.location.is_some())
}
