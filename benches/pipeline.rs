//! The whole pipeline, stage by stage, on the embedded Charnwood routemap, and forecasting a
//! synthetic national roll-up of 400 councils (400 copies of the Charnwood work, about 78,000
//! nodes) against the quality bars: well under 50 ms a command on the embedded model,
//! under 2 s at national scale.
//!
//! Run: `cargo bench --bench pipeline -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use routemap::assess;
use routemap::graph::Graph;
use routemap::model::{self, Source};
use routemap::rules::Rules;

#[path = "support/rollup.rs"]
mod rollup;
use rollup::roll_up;

/// How many councils the synthetic roll-up holds.
const COUNCILS: usize = 400;

fn embedded(c: &mut Criterion) {
    let model = model::load_embedded().expect("the embedded model loads");
    let graph = Graph::build(&model).expect("the embedded graph builds");
    let rules = Rules::load(None).expect("the embedded rules compile");
    let as_of = model.document.issue_date;

    let mut g = c.benchmark_group("embedded");
    g.bench_function("load", |b| b.iter(|| model::load_embedded().expect("loads")));
    g.bench_function("graph", |b| b.iter(|| Graph::build(black_box(&model)).expect("builds")));
    g.bench_function("rules", |b| b.iter(|| Rules::load(black_box(None)).expect("compiles")));
    g.bench_function("evaluate", |b| {
        b.iter(|| assess::evaluate(black_box(&model), &graph, &rules, as_of).expect("evaluates"))
    });
    let a = assess::evaluate(&model, &graph, &rules, as_of).expect("evaluates");
    let compiled = routemap::schedule::compiled::Compiled::new(&graph, &a.basis.lag);
    g.bench_function("compile the schedule", |b| {
        b.iter(|| routemap::schedule::compiled::Compiled::new(black_box(&graph), &a.basis.lag))
    });
    let owns = compiled.owns(&a.basis.own);
    let mut out = Vec::new();
    g.bench_function("compiled forward pass", |b| {
        b.iter(|| compiled.forward_days(&owns, black_box(&[]), &mut out))
    });
    g.bench_function("compiled full pass (forecasts and floors)", |b| {
        b.iter(|| compiled.forward(black_box(&a.basis.own), &a.basis.slip))
    });
    g.bench_function("compiled backward pass", |b| {
        b.iter(|| compiled.backward(black_box(&a.basis.deadline)))
    });
    g.bench_function("total", |b| {
        b.iter(|| {
            let model = model::load_embedded().expect("loads");
            let graph = Graph::build(&model).expect("builds");
            let rules = Rules::load(None).expect("compiles");
            assess::evaluate(&model, &graph, &rules, model.document.issue_date).expect("evaluates")
        })
    });
    g.finish();
}

fn scale(c: &mut Criterion) {
    let seed = model::load_embedded().expect("the embedded model loads");
    let dir = std::env::temp_dir().join(format!("routemap-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let path: PathBuf = dir.join("roll-up.yaml");
    let text = serde_json::to_string_pretty(&roll_up(&seed, COUNCILS)).expect("serialises");
    std::fs::write(&path, &text).expect("write the roll-up");
    let source = Source::Path(path);

    let model = model::load(&source).unwrap_or_else(|e| panic!("the roll-up loads:\n{e}"));
    let graph = Graph::build(&model).expect("the roll-up graph builds");
    let rules = Rules::load(None).expect("the embedded rules compile");
    let as_of = model.document.issue_date;
    eprintln!(
        "roll-up of {COUNCILS} councils: {} nodes, {} edges, {} MB of model text",
        graph.dag.node_count(),
        graph.edge_count(),
        text.len() / 1_000_000
    );

    let mut g = c.benchmark_group("national");
    g.sample_size(10);
    g.bench_function("load", |b| b.iter(|| model::load(black_box(&source)).expect("loads")));
    g.bench_function("graph", |b| b.iter(|| Graph::build(black_box(&model)).expect("builds")));
    g.bench_function("evaluate", |b| {
        b.iter(|| assess::evaluate(black_box(&model), &graph, &rules, as_of).expect("evaluates"))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, embedded, scale);
criterion_main!(benches);
