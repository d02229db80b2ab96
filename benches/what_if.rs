//! What-if and slip sensitivity on the embedded Charnwood routemap: one scenario run against the
//! baseline, and the whole `sensitivity` ranking (every project and every task an outcome waits
//! on, each slipped by +1m, +3m and +6m), which reuses the compiled rules, the rule basis and the
//! graph's topological order across runs.
//!
//! Run: `cargo bench --bench what_if -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use routemap::model::{Source, Span};
use routemap::scenario::{self, Scenario, Slip};
use routemap::session::Session;

fn what_if(c: &mut Criterion) {
    let s = Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates");
    let plan = Scenario {
        name: "docs and e-forms late".into(),
        description: None,
        as_of: None,
        slips: vec![
            Slip::parse("document-management=+6m").expect("a slip"),
            Slip::parse("e-forms=+3m").expect("a slip"),
        ],
    };
    let spans = [1, 3, 6].map(|months| Span { months, days: 0 });
    let runs = scenario::candidates(&s.graph, &s.assessment.basis).len() * spans.len();

    let mut g = c.benchmark_group("what-if");
    g.bench_function("one scenario", |b| {
        b.iter(|| {
            scenario::run(&s.model, &s.graph, &s.rules, &s.assessment, black_box(&plan))
                .expect("runs")
        })
    });
    g.bench_function(format!("sensitivity ({runs} runs)"), |b| {
        b.iter(|| {
            scenario::sensitivity(&s.model, &s.graph, &s.rules, &s.assessment, black_box(&spans))
                .expect("runs")
        })
    });
    g.finish();
}

criterion_group!(benches, what_if);
criterion_main!(benches);
