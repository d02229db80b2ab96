//! One benchmark per stage of a large run, so that a regression shows where it is: parsing the
//! model file, loading it (parsing and validation), building the graph, the rules that judge
//! every piece of work and dependency, the passes over the compiled schedule, and `check`'s
//! warnings. On a generated model (`benches/support/dag.rs`) and a national roll-up
//! (`benches/support/rollup.rs`). Before the benchmarks it prints how many hook calls were
//! answered from memory (`rules::memo`) on each model and on the embedded routemap.
//!
//! Run: `cargo bench --bench stages -- --warm-up-time 1 --measurement-time 5`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use routemap::assess;
use routemap::graph::Graph;
use routemap::model::{self, Model, Source};
use routemap::rules::Rules;
use routemap::schedule::compiled::Compiled;
use routemap::session::Session;

#[path = "support/dag.rs"]
mod dag;
#[path = "support/rollup.rs"]
mod rollup;

/// How many nodes the generated model has, and how many councils the roll-up.
const NODES: usize = 20_000;
const COUNCILS: usize = 100;

/// The hit rate of the remembered hooks when judging `model`.
fn hit_rate(name: &str, model: &Model) {
    let graph = Graph::build(model).expect("the graph builds");
    let rules = Rules::load(None).expect("the embedded rules compile");
    assess::basis(model, &graph, &rules, model.document.issue_date).expect("the rules run");
    for (hook, hits, misses) in rules.memo_counts() {
        let calls = hits + misses;
        if calls > 0 {
            eprintln!(
                "{name}: {hook}: {hits} of {calls} calls answered from memory ({:.1}%)",
                100.0 * hits as f64 / calls as f64
            );
        }
    }
}

fn stages(c: &mut Criterion, name: &str, text: &str) {
    let dir = std::env::temp_dir().join(format!("routemap-stages-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    let path: PathBuf = dir.join("model.json");
    std::fs::write(&path, text).expect("write the model");
    let source = Source::Path(path);
    let model = model::load(&source).unwrap_or_else(|e| panic!("the model loads:\n{e}"));
    hit_rate(name, &model);
    let graph = Graph::build(&model).expect("the graph builds");
    let rules = Rules::load(None).expect("the embedded rules compile");
    let unmemoised = Rules::load(None).expect("the embedded rules compile").memoised(false);
    let as_of = model.document.issue_date;
    let basis = assess::basis(&model, &graph, &rules, as_of).expect("the rules run");
    let compiled = Compiled::new(&graph, &basis.lag);
    eprintln!(
        "{name}: {} nodes, {} edges, {} MB",
        graph.dag.node_count(),
        graph.edge_count(),
        text.len() / 1_000_000
    );

    let mut g = c.benchmark_group(name);
    g.sample_size(10);
    g.bench_function("parse", |b| {
        b.iter(|| serde_json::from_str::<Model>(black_box(text)).expect("parses"))
    });
    g.bench_function("load (parse and validate)", |b| {
        b.iter(|| model::load(black_box(&source)).expect("loads"))
    });
    g.bench_function("build the graph", |b| {
        b.iter(|| Graph::build(black_box(&model)).expect("builds"))
    });
    g.bench_function("rules (remembered)", |b| {
        b.iter(|| {
            // A fresh memory each time, as a run has.
            let rules = Rules::load(None).expect("compiles").memoised(true);
            assess::basis(black_box(&model), &graph, &rules, as_of).expect("the rules run")
        })
    });
    g.bench_function("rules (every call)", |b| {
        b.iter(|| {
            assess::basis(black_box(&model), &graph, &unmemoised, as_of).expect("the rules run")
        })
    });
    g.bench_function("passes", |b| {
        b.iter(|| {
            let compiled = Compiled::new(black_box(&graph), &basis.lag);
            let pass = compiled.forward(&basis.own, &basis.slip);
            (pass, compiled.backward(&basis.deadline))
        })
    });
    drop(compiled);
    let session = Session::open(&source, None, None).expect("the session opens");
    g.bench_function("check", |b| {
        b.iter(|| routemap::check::check(black_box(&session.evaluated())))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn benches(c: &mut Criterion) {
    hit_rate("embedded", &model::load_embedded().expect("the embedded model loads"));
    stages(c, "dag", &dag::dag(NODES, 1));
    let seed = model::load_embedded().expect("the embedded model loads");
    let text = serde_json::to_string(&rollup::roll_up(&seed, COUNCILS)).expect("serialises");
    stages(c, "roll-up", &text);
}

criterion_group!(stages_group, benches);
criterion_main!(stages_group);
