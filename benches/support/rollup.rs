//! A synthetic national roll-up: many copies of the embedded Charnwood routemap's projects and
//! actions, every id prefixed by its council, all serving the one built-in catalogue of
//! outcomes, as a JSON model. Used by the benchmarks and by `examples/rollup.rs`, which writes one
//! to standard output for whole-process measurements (see docs/performance.md).

use routemap::model::{self, Model};
use serde_json::{Value, json};

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
pub fn roll_up(seed: &Model, councils: usize) -> Value {
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
        "projects": projects,
        "actions": actions,
    });
    strip_nulls(&mut model);
    model
}
