//! Write a synthetic routemap model of about N nodes to standard output, for whole-process
//! measurements: `cargo run --release --example dag -- 100000 > dag-100k.json`, then
//! `routemap --model dag-100k.json forecast --format json`. See docs/performance.md.

#[path = "../benches/support/dag.rs"]
mod dag;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let nodes = args.next().and_then(|n| n.parse::<usize>().ok());
    let seed = args.next().map_or(Some(1), |s| s.parse::<u64>().ok());
    let (Some(nodes), Some(seed)) = (nodes, seed) else {
        eprintln!("usage: dag NODES [SEED]   (writes a JSON routemap model to standard output)");
        return std::process::ExitCode::from(2);
    };
    print!("{}", dag::dag(nodes, seed));
    std::process::ExitCode::SUCCESS
}
