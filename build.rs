//! A JSON copy of each embedded model file, written beside the build: the binary reads its
//! default model with the JSON parser, many times faster than YAML's. The YAML files stay the
//! source (every location and the model's hash come from them), and a test in
//! `src/model/load.rs` holds each copy equal to its YAML, value for value.

use std::path::{Path, PathBuf};

/// The embedded files, as `src/model/load.rs` lists them.
const EMBEDDED: [&str; 2] = ["fixtures/charnwood/routemap.yaml", "fixtures/odpm-outcomes.yaml"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for file in EMBEDDED {
        println!("cargo::rerun-if-changed={file}");
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let value: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{file}: {e}"));
        let name = Path::new(file).file_stem().expect("a file name").to_string_lossy();
        let to = out.join(format!("{name}.json"));
        std::fs::write(&to, json).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    }
}
