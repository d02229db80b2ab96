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
use routemap::model::{self, Model, Source};
use routemap::rules::Rules;
use serde_json::{Value, json};

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
    let compiled = routemap::schedule::compiled::Compiled::new(&graph, &a.basis.lag, &a.basis.own);
    let mut out = Vec::new();
    g.bench_function("compiled forward pass", |b| {
        b.iter(|| compiled.forward_days(black_box(&[]), &mut out))
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

/// `id` as it is named in council `c`.
fn prefixed(c: usize, id: &str) -> String {
    format!("c{c}-{id}")
}

fn dependencies(c: usize, deps: &[model::Dependency]) -> Value {
    deps.iter()
        .map(|d| {
            let mut v = json!({ "id": prefixed(c, &d.id) });
            if let Some(lag) = &d.lag_text {
                v["lag"] = json!(lag);
            }
            v
        })
        .collect()
}

/// A model holding `councils` copies of the seed's projects and actions, every id prefixed by its
/// council, all serving the one catalogue of outcomes. JSON is YAML, so the loader reads it as is.
fn roll_up(seed: &Model, councils: usize) -> Value {
    let mut projects = Vec::new();
    let mut actions = Vec::new();
    for c in 0..councils {
        for p in &seed.projects {
            projects.push(json!({
                "id": prefixed(c, &p.id),
                "title": p.title,
                "kind": p.kind.as_str(),
                "start": p.start_text,
                "finish": p.finish_text,
                "duration": p.duration_text,
                "status": p.status_text,
                "waits_on": dependencies(c, &p.waits_on),
            }));
        }
        for a in &seed.actions {
            let tasks: Vec<Value> = a
                .tasks
                .iter()
                .map(|t| {
                    json!({
                        "id": prefixed(c, &t.id),
                        "text": t.text,
                        "original": t.original,
                        "proposed": t.proposed,
                        "status": t.status_text,
                        "waits_on": dependencies(c, &t.waits_on),
                    })
                })
                .collect();
            actions.push(json!({
                "ref": prefixed(c, &a.reference),
                "section": a.section,
                "completed": a.completed,
                "partnership": a.partnership,
                "outcomes": a.outcomes,
                "tasks": tasks,
            }));
        }
    }
    // `null` is an absent optional field to serde, but not to a `start:` that must be a phrase.
    fn strip_nulls(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|_, x| !x.is_null());
                map.values_mut().for_each(strip_nulls);
            }
            Value::Array(items) => items.iter_mut().for_each(strip_nulls),
            _ => {}
        }
    }
    let mut model = json!({
        "document": {
            "council": format!("{councils} councils"),
            "title": "Synthetic national roll-up",
            "version": "1",
            "issue_date": seed.document.issue_date.to_string(),
        },
        "catalogue": concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/odpm-outcomes.yaml"),
        "projects": projects,
        "actions": actions,
    });
    strip_nulls(&mut model);
    model
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
