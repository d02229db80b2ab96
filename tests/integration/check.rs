//! The embedded Charnwood model: `routemap check` accepts it, it is complete (every outcome, every
//! numbered action of the routemap), and the quotes its dependencies rest on are the routemap's own
//! words.

use crate::common::routemap;
use crate::test::Test;
use routemap::graph::Graph;
use routemap::model::{self, Category, Dependency, Model};

/// The routemap document the model was transcribed from.
const SEED: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/charnwood/strategy-and-routemap-v3.txt");

fn embedded() -> Model {
    model::load_embedded().unwrap_or_else(|e| panic!("the embedded model does not load:\n{e}"))
}

/// Run a command that must succeed quietly, and return its standard output.
fn succeeds(args: &[&str]) -> String {
    let run = routemap(args);
    assert_eq!(run.code, 0, "routemap {args:?} failed:\n{}", run.stderr);
    assert_eq!(run.stderr, "", "routemap {args:?} wrote to standard error");
    run.stdout
}

fn json(args: &[&str]) -> serde_json::Value {
    let stdout = succeeds(args);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("routemap {args:?} printed invalid JSON ({e}):\n{stdout}"))
}

/// Every `waits_on` entry of the model, with the id of the task or project that waits.
fn dependencies(model: &Model) -> Vec<(&str, &Dependency)> {
    let projects =
        model.projects.iter().flat_map(|p| p.waits_on.iter().map(move |d| (p.id.as_str(), d)));
    let tasks = model.tasks().flat_map(|(_, t)| t.waits_on.iter().map(move |d| (t.id.as_str(), d)));
    projects.chain(tasks).collect()
}

/// Runs of whitespace as one space and every kind of dash as `-`, so that a quote matches the
/// document however its lines were wrapped and its dashes typed.
fn normalise(text: &str) -> String {
    let dashes =
        ['\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}'];
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace(dashes, "-")
}

#[test]
fn check_accepts_the_embedded_model() {
    let run = routemap(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("routemap check: the model is valid\n"), "{}", run.stdout);
    // What is legal but probably wrong is warned of on standard error, located, and is no error.
    assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    insta::assert_snapshot!("check_warnings_embedded", run.stderr);
}

#[test]
fn deny_warnings_turns_warnings_into_exit_1() {
    let run = routemap(&["check", "--deny-warnings"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("warning:"), "{}", run.stderr);
}

#[test]
fn check_json_gives_the_counts() {
    let stdout = succeeds(&["check", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("`check --format json` printed invalid JSON ({e}):\n{stdout}"));
    for key in ["outcomes", "actions", "tasks", "projects", "edges"] {
        assert!(value[key].is_u64(), "`{key}` is not a count in {value:#}");
    }
    let model = embedded();
    let graph = Graph::build(&model).expect("the embedded model's graph has no loop");
    assert_eq!(value["outcomes"], model.outcomes.len());
    assert_eq!(value["actions"], model.actions.len());
    assert_eq!(value["tasks"], model.tasks().count());
    assert_eq!(value["projects"], model.projects.len());
    assert_eq!(value["edges"], graph.edge_count());
    // The hash changes with every byte of the data, comments included; the snapshot holds only
    // its form, so that editing a comment in the model does not break this test. The text is
    // snapshotted as printed, so that key order and layout are part of it.
    let hash = value["model"]["hash"].as_str().expect("model.hash is text");
    assert!(
        hash.len() == 12 && hash.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')),
        "model.hash `{hash}` is not 12 hex digits"
    );
    let text = stdout.replace(&format!("\"{hash}\""), "\"[hash]\"");
    insta::assert_snapshot!("check_json", text);
}

#[test]
fn the_file_on_disk_is_the_embedded_model() {
    // Warnings name the file as the user named it; everything else is the same.
    let unnamed = |mut v: serde_json::Value| {
        for w in v["warnings"].as_array_mut().expect("a warnings array") {
            w["file"] = serde_json::Value::Null;
        }
        v
    };
    let embedded = unnamed(json(&["check", "--format", "json"]));
    let on_disk = unnamed(json(&[
        "check",
        "--model",
        "fixtures/charnwood/routemap.yaml",
        "--format",
        "json",
    ]));
    assert_eq!(on_disk, embedded);
}

#[test]
fn all_54_outcomes_in_order() {
    let model = embedded();
    let codes: Vec<&str> = model.outcomes.iter().map(|o| o.code.as_str()).collect();
    let expected: Vec<String> =
        (1..=29).map(|n| format!("R{n}")).chain((1..=25).map(|n| format!("G{n}"))).collect();
    assert_eq!(codes, expected);
    for o in &model.outcomes {
        let category = if o.code.starts_with('R') { Category::Required } else { Category::Good };
        assert_eq!(o.category, category, "{}", o.code);
    }
}

#[test]
fn every_numbered_action_of_the_routemap() {
    // The routemap's action tables number 1 to 75; 46 does not appear, and "42 & 47" is one row.
    let mut expected: Vec<String> = (1..=75)
        .filter(|n| ![42, 46, 47].contains(n))
        .map(|n| n.to_string())
        .chain(["42 & 47".to_string()])
        .collect();
    expected.sort();
    let model = embedded();
    let mut numbered: Vec<String> = model
        .actions
        .iter()
        .map(|a| a.reference.clone())
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    numbered.sort();
    let missing: Vec<&String> = expected.iter().filter(|r| !numbered.contains(r)).collect();
    let extra: Vec<&String> = numbered.iter().filter(|r| !expected.contains(r)).collect();
    assert!(missing.is_empty(), "actions missing from the model: {missing:?}");
    assert!(extra.is_empty(), "numbered actions the routemap does not have: {extra:?}");
}

#[test]
fn every_dependency_quotes_its_source() {
    let model = embedded();
    let unsourced: Vec<String> = dependencies(&model)
        .into_iter()
        .filter(|(_, d)| d.source.as_deref().is_none_or(|s| s.trim().is_empty()))
        .map(|(owner, d)| format!("{owner} waits on {} ({})", d.id, d.path()))
        .collect();
    assert!(
        unsourced.is_empty(),
        "dependencies without a `source` quote:\n{}",
        unsourced.join("\n")
    );
}

#[test]
fn implied_dependencies_quote_the_routemap_verbatim() {
    let seed = std::fs::read_to_string(SEED).unwrap_or_else(|e| {
        panic!(
            "cannot read the seed routemap {SEED}: {e}. This test checks the model's quotes \
             against it, so it fails rather than skips without it."
        )
    });
    let seed = normalise(&seed);
    let model = embedded();
    let implied: Vec<_> = dependencies(&model).into_iter().filter(|(_, d)| d.implied).collect();
    assert!(!implied.is_empty(), "the embedded model has no implied dependencies");
    let not_found: Vec<String> = implied
        .into_iter()
        .filter_map(|(owner, d)| {
            let quote = d.source.as_deref().unwrap_or("");
            (!seed.contains(&normalise(quote)))
                .then(|| format!("{owner} waits on {}: {quote:?}", d.id))
        })
        .collect();
    assert!(
        not_found.is_empty(),
        "implied dependencies whose `source` is not in the routemap:\n{}",
        not_found.join("\n")
    );
}

/// A model written as JSON (a machine-written roll-up, say) is read by the JSON parser: the
/// embedded routemap converted to JSON forecasts exactly as the YAML does, and an error in the
/// JSON is reported with its file, line and column.
#[test]
fn a_json_model_forecasts_as_its_yaml_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = std::fs::read_to_string(root.join("fixtures/charnwood/routemap.yaml"))
        .expect("read the embedded model");
    let value: serde_json::Value = serde_yaml::from_str(&yaml).expect("the model is YAML");
    let test = Test::new()
        .write("charnwood/routemap.json", serde_json::to_string_pretty(&value).expect("serialises"))
        .copy("fixtures/odpm-outcomes.yaml", "odpm-outcomes.yaml");
    let model = test.path("charnwood/routemap.json");

    let from_json = json(&["--model", &model, "forecast", "--format", "json"]);
    let from_yaml = json(&["forecast", "--format", "json"]);
    assert_eq!(from_json["outcomes"], from_yaml["outcomes"]);
    assert_eq!(from_json["assumptions"], from_yaml["assumptions"]);

    let mut broken = value.clone();
    broken["actions"][0]["tasks"][0]["colour"] = serde_json::json!("red");
    let run = test
        .write(
            "charnwood/routemap.json",
            serde_json::to_string_pretty(&broken).expect("serialises"),
        )
        .args(["--model", &model, "check"])
        .status(2)
        .stdout("")
        .run();
    assert!(
        run.stderr.contains("actions[0].tasks[0].colour: unknown field `colour`"),
        "{}",
        run.stderr
    );
    let located = format!("{model}:");
    assert!(
        run.stderr.lines().any(|l| l.trim_start().starts_with("--> ") && l.contains(&located)),
        "no file:line:col in\n{}",
        run.stderr
    );
}
