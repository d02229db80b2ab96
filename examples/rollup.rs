//! Synthetic councils for `routemap rollup`, and the older one-model roll-up.
//!
//! `cargo run --release --example rollup -- 400 --out DIR [--seed S]` writes 400 synthetic
//! councils' routemaps to `DIR/councils/*.json` and a manifest naming each (`DIR/manifest.yaml`,
//! with its name, tier and region): districts, counties, unitaries, metropolitan and London
//! boroughs in England's proportions, across the nine regions, each derived from the embedded
//! Charnwood routemap or the Loxley one (`fixtures/loxley/`) with its own as-of date, re-planned
//! targets, changed statuses, shifted project dates and extra dependencies on the enabling
//! projects, and (beyond districts) the work that delivers the county outcomes. The same seed
//! gives the same bytes. Then `routemap rollup DIR/manifest.yaml`. See docs/rollup.md.
//!
//! `cargo run --release --example rollup -- 400 > roll-up.json` (no `--out`) writes the older
//! national roll-up instead: one model holding 400 copies of the Charnwood work
//! (`benches/support/rollup.rs`), for `routemap --model roll-up.json sensitivity`. See
//! docs/performance.md.

#[path = "../benches/support/rollup.rs"]
mod merged;

#[path = "support/councils.rs"]
mod councils;

use councils::generate;

fn main() -> std::process::ExitCode {
    let usage = "usage: rollup [COUNCILS] [--out DIR] [--seed S]\n  \
                 with --out: COUNCILS synthetic councils and a manifest written to DIR\n  \
                 without: one JSON model holding COUNCILS copies of Charnwood, on standard output";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut councils = 400usize;
    let mut out = None;
    let mut seed = 2005u64;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--out" if i + 1 < args.len() => {
                out = Some(std::path::PathBuf::from(&args[i + 1]));
                i += 1;
            }
            "--seed" if i + 1 < args.len() => match args[i + 1].parse() {
                Ok(s) => {
                    seed = s;
                    i += 1;
                }
                Err(_) => {
                    eprintln!("{usage}");
                    return std::process::ExitCode::from(2);
                }
            },
            n => match n.parse() {
                Ok(n) => councils = n,
                Err(_) => {
                    eprintln!("{usage}");
                    return std::process::ExitCode::from(2);
                }
            },
        }
        i += 1;
    }
    let Some(dir) = out else { return merged_to_stdout(councils) };
    let files = match generate(councils, seed) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    for (path, text) in files {
        let path = dir.join(path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("cannot write {}: {e}", path.display());
            return std::process::ExitCode::from(2);
        }
    }
    eprintln!("{councils} councils and {}", dir.join("manifest.yaml").display());
    std::process::ExitCode::SUCCESS
}

/// The older roll-up: one model of many copies of Charnwood, on standard output.
fn merged_to_stdout(councils: usize) -> std::process::ExitCode {
    let seed = match routemap::model::load_embedded() {
        Ok(m) => m,
        Err(e) => {
            eprint!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let model = merged::roll_up(&seed, councils);
    match serde_json::to_string(&model) {
        Ok(text) => {
            println!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write the roll-up: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
