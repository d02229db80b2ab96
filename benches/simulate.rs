//! The simulation's run loop on the embedded Charnwood routemap, one thread, against the quality
//! bar of at least 100,000 runs per second per core: `CHUNK` runs per iteration, so the time per
//! iteration divided by `CHUNK` is the time per run (criterion also reports runs per second).
//!
//! Run: `cargo bench --bench simulate -- --warm-up-time 1 --measurement-time 5`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use routemap::model::Source;
use routemap::session::Session;
use routemap::simulate::{CHUNK, Options, Plan, SENSITIVITY_RUNS};

fn runs(c: &mut Criterion) {
    let s = Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates");
    let plan = Plan::new(&s.model, &s.graph, &s.rules, &s.assessment).expect("a plan");
    let mut g = c.benchmark_group("simulate");
    // The run loop alone, one thread: what a core does per run.
    g.throughput(Throughput::Elements(CHUNK));
    g.bench_function("runs per core", |b| {
        b.iter(|| plan.runs_only(black_box(2005), SENSITIVITY_RUNS, SENSITIVITY_RUNS + CHUNK))
    });
    // Everything a command does after the plan: runs, merging, percentiles and rank
    // correlations over the first runs.
    let n = 100_000;
    g.throughput(Throughput::Elements(n));
    g.sample_size(10);
    g.bench_function("100,000 runs, one thread, with the summary", |b| {
        b.iter(|| plan.run(&s.graph, &s.assessment, Options { runs: n, seed: 2005, threads: 1 }))
    });
    g.finish();
}

criterion_group!(benches, runs);
criterion_main!(benches);
