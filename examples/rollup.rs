//! Write a synthetic national roll-up of N councils (default 400) to standard output, for
//! whole-process measurements: `cargo run --release --example rollup -- 400 > roll-up.json`, then
//! `routemap --model roll-up.json sensitivity`. See docs/performance.md.

#[path = "../benches/support/rollup.rs"]
mod rollup;

fn main() -> std::process::ExitCode {
    let councils = match std::env::args().nth(1).map(|n| n.parse::<usize>()) {
        None => 400,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!(
                "usage: rollup [COUNCILS]   (writes a JSON routemap model to standard output)"
            );
            return std::process::ExitCode::from(2);
        }
    };
    let seed = match routemap::model::load_embedded() {
        Ok(m) => m,
        Err(e) => {
            eprint!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let model = rollup::roll_up(&seed, councils);
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
