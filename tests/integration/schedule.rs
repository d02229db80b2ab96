//! Scheduling through the library on small inline models: exact forecasts, slack, drivers and
//! standings for the shapes a routemap has (chains, diamonds, parallel branches, complete,
//! undated, overdue and not-yet-started work), then property tests on random DAGs.

#[path = "../../benches/support/dag.rs"]
mod dag;
mod reference;

use std::path::PathBuf;

use crate::common::{config, rank};
use crate::test::TempDir;
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::Index;
use routemap::assess::{self, Assessment, OutcomeResult, Standing};
use routemap::graph::Graph;
use routemap::model::{self, Model, Source, Span};
use routemap::rules::Rules;
use routemap::schedule::{self, Own};
use routemap::session::Session;

// ---- Building inline models --------------------------------------------------------------------

const CATALOGUE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/odpm-outcomes.yaml");

/// The seed's issue date: the default as-of date of every inline model.
const ISSUE: &str = "2005-04-13";

/// One piece of work in an inline model: a task (its own action) or a project.
#[derive(Debug, Clone)]
struct Work {
    id: String,
    /// `task`, `project`, `national` or `milestone`.
    kind: &'static str,
    /// A task's proposed target, or a project's finish.
    target: String,
    /// A project's start phrase.
    start: Option<String>,
    status: String,
    /// Ids waited on, each optionally with a lag: `proj` or `proj@1m`.
    waits_on: Vec<String>,
    /// Outcome codes the task's action serves.
    serves: Vec<String>,
}

/// A task with its target phrase, status and what it waits on.
fn task(id: &str, target: &str, status: &str, waits_on: &[&str]) -> Work {
    Work {
        id: id.into(),
        kind: "task",
        target: target.into(),
        start: None,
        status: status.into(),
        waits_on: waits_on.iter().map(|s| s.to_string()).collect(),
        serves: Vec::new(),
    }
}

/// A project finishing by a phrase.
fn project(id: &str, finish: &str, status: &str, waits_on: &[&str]) -> Work {
    Work { kind: "project", ..task(id, finish, status, waits_on) }
}

/// A milestone on a date.
fn milestone(id: &str, on: &str) -> Work {
    Work { kind: "milestone", ..task(id, on, "", &[]) }
}

impl Work {
    fn serves(mut self, codes: &[&str]) -> Work {
        self.serves = codes.iter().map(|s| s.to_string()).collect();
        self
    }

    fn starts(mut self, phrase: &str) -> Work {
        self.target = String::new();
        self.start = Some(phrase.into());
        self
    }
}

fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The YAML of a model with these pieces of work, issued on `issue`.
fn yaml(issue: &str, work: &[Work]) -> String {
    let mut projects = String::new();
    let mut actions = String::new();
    for (i, w) in work.iter().enumerate() {
        let mut deps = String::new();
        for d in &w.waits_on {
            let (id, lag) = d.split_once('@').map_or((d.as_str(), None), |(a, b)| (a, Some(b)));
            deps.push_str(&format!("          - id: {}\n", q(id)));
            if let Some(lag) = lag {
                deps.push_str(&format!("            lag: {lag}\n"));
            }
        }
        let status =
            if w.status.is_empty() { String::new() } else { format!("status: {}", q(&w.status)) };
        if w.kind == "task" {
            let codes: Vec<&str> = w.serves.iter().map(String::as_str).collect();
            actions.push_str(&format!(
                "  - ref: \"action-{i}\"\n    section: Test\n    outcomes: [{}]\n    tasks:\n      \
                 - id: {}\n        text: {}\n        proposed: {}\n        {status}\n        \
                 waits_on:\n{deps}",
                codes.join(", "),
                q(&w.id),
                q(&format!("Task {}", w.id)),
                q(&w.target),
            ));
            if w.waits_on.is_empty() {
                actions.push_str("          []\n");
            }
        } else {
            let mut p = format!(
                "  - id: {}\n    title: {}\n    kind: {}\n    {status}\n",
                q(&w.id),
                q(&format!("Project {}", w.id)),
                w.kind
            );
            if !w.target.is_empty() {
                p.push_str(&format!("    finish: {}\n", q(&w.target)));
            }
            if let Some(start) = &w.start {
                p.push_str(&format!("    start: {}\n", q(start)));
            }
            if !w.waits_on.is_empty() {
                p.push_str(&format!("    waits_on:\n{}", deps.replace("          ", "      ")));
            }
            projects.push_str(&p);
        }
    }
    format!(
        "document:\n  council: Test Council\n  title: Test routemap\n  version: \"1\"\n  \
         issue_date: {issue}\ncatalogue: {}\nprojects:\n{}actions:\n{}",
        q(CATALOGUE),
        if projects.is_empty() { "  []\n".to_string() } else { projects },
        if actions.is_empty() { "  []\n".to_string() } else { actions },
    )
}

/// Write a model to a fresh temporary directory: the directory (removed when dropped) and the
/// model file's path.
fn write(name: &str, issue: &str, work: &[Work]) -> (TempDir, PathBuf) {
    let dir = TempDir::new(&format!("schedule-{name}"));
    let path = PathBuf::from(dir.path("routemap.yaml"));
    std::fs::write(&path, yaml(issue, work)).expect("write the model");
    (dir, path)
}

/// A loaded, evaluated inline model.
struct Run {
    model: Model,
    graph: Graph,
    rules: Rules,
    a: Assessment,
}

/// Load an inline model and evaluate it with the default rules on `as_of`.
fn evaluate_on(name: &str, as_of: &str, work: &[Work]) -> Run {
    let (dir, path) = write(name, ISSUE, work);
    let model = model::load(&Source::Path(path.clone()))
        .unwrap_or_else(|e| panic!("{name}: the model does not load:\n{e}\n{}", yaml(ISSUE, work)));
    let graph = Graph::build(&model).unwrap_or_else(|e| panic!("{name}: {e}"));
    let rules = Rules::load(None).expect("the default rules compile");
    let a = assess::evaluate(&model, &graph, &rules, date(as_of)).expect("the rules run");
    drop(dir);
    Run { model, graph, rules, a }
}

fn evaluate(name: &str, work: &[Work]) -> Run {
    evaluate_on(name, ISSUE, work)
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("`{s}`: {e}"))
}

impl Run {
    fn forecast(&self, id: &str) -> Option<NaiveDate> {
        let n = self.graph.node(id).unwrap_or_else(|| panic!("no node `{id}`"));
        self.a.forecast[n.index()]
    }

    fn outcome(&self, code: &str) -> &OutcomeResult {
        self.a
            .outcomes
            .iter()
            .find(|r| self.graph.dag[r.node].id == code)
            .unwrap_or_else(|| panic!("no outcome {code}"))
    }

    fn drivers(&self, code: &str) -> Vec<&str> {
        self.outcome(code).drivers.iter().map(|n| self.graph.dag[*n].id.as_str()).collect()
    }

    fn assumption(&self, id: &str) -> Option<&str> {
        let n = self.graph.node(id).unwrap_or_else(|| panic!("no node `{id}`"));
        self.a.basis.assumption[n.index()].as_deref()
    }

    /// Forecast, slack, standing and drivers of an outcome, in one comparable value.
    fn summary(&self, code: &str) -> (Option<NaiveDate>, Option<i64>, Standing, Vec<&str>) {
        let r = self.outcome(code);
        (r.forecast, r.slack_days, r.standing, self.drivers(code))
    }
}

fn d(s: &str) -> Option<NaiveDate> {
    Some(date(s))
}

// ---- Shapes -------------------------------------------------------------------------------------

#[test]
fn chain_task_waits_on_project_waits_on_milestone() {
    let run = evaluate(
        "chain",
        &[
            milestone("pilot-report", "Sept 2005"),
            project("rollout", "Sept 2005", "In progress", &["pilot-report@1m"]),
            task("t", "Aug 2005", "On target", &["rollout"]).serves(&["R8"]),
        ],
    );
    // The milestone's end-of-month date plus a month's lag stays at the month's end.
    assert_eq!(run.forecast("pilot-report"), d("2005-09-30"));
    assert_eq!(run.forecast("rollout"), d("2005-10-31"));
    assert_eq!(run.forecast("t"), d("2005-10-31"));
    assert_eq!(
        run.summary("R8"),
        (d("2005-10-31"), Some(61), Standing::OnTrack, vec!["pilot-report", "rollout", "t", "R8"])
    );
    // Latest finishes work back from the deadline through the lag.
    let latest = |id: &str| run.a.latest[run.graph.node(id).unwrap().index()];
    assert_eq!(latest("t"), d("2005-12-31"));
    assert_eq!(latest("rollout"), d("2005-12-31"));
    assert_eq!(latest("pilot-report"), d("2005-11-30"));
}

#[test]
fn diamond_takes_the_later_side() {
    let run = evaluate(
        "diamond",
        &[
            task("a", "Jun 2005", "In progress", &[]),
            task("b", "Aug 2005", "Not started", &["a"]),
            task("c", "Oct 2005", "Not started", &["a"]),
            task("d", "Sept 2005", "Not started", &["b", "c"]).serves(&["R10"]),
        ],
    );
    assert_eq!(run.forecast("a"), d("2005-06-30"));
    assert_eq!(run.forecast("b"), d("2005-08-31"));
    assert_eq!(run.forecast("c"), d("2005-10-31"));
    assert_eq!(run.forecast("d"), d("2005-10-31"));
    // The chain stops at c: its own date, not a's, sets its forecast.
    assert_eq!(
        run.summary("R10"),
        (d("2005-10-31"), Some(61), Standing::OnTrack, vec!["c", "d", "R10"])
    );
}

#[test]
fn diamond_tie_goes_to_the_dependency_earliest_in_the_model() {
    let run = evaluate(
        "diamond-tie",
        &[
            task("a", "Jun 2005", "In progress", &[]),
            task("b", "Oct 2005", "Not started", &["a"]),
            task("c", "Oct 2005", "Not started", &["a"]),
            task("d", "Oct 2005", "Not started", &["b", "c"]).serves(&["R10"]),
        ],
    );
    // d's own date ties with both b and c; a dependency wins over the own date, b over c.
    assert_eq!(run.drivers("R10"), vec!["b", "d", "R10"]);
}

#[test]
fn parallel_branches_the_later_branch_drives() {
    let run = evaluate(
        "parallel",
        &[
            task("x1", "Jun 2005", "In progress", &[]),
            task("x2", "Jul 2005", "Not started", &["x1"]).serves(&["R20"]),
            task("y1", "Sept 2005", "In progress", &[]),
            task("y2", "Aug 2005", "Not started", &["y1"]).serves(&["R20"]),
        ],
    );
    assert_eq!(run.forecast("x2"), d("2005-07-31"));
    assert_eq!(run.forecast("y2"), d("2005-09-30"));
    assert_eq!(
        run.summary("R20"),
        (d("2005-09-30"), Some(92), Standing::OnTrack, vec!["y1", "y2", "R20"])
    );
}

#[test]
fn complete_work_finishes_by_the_as_of_date_whatever_it_waits_on() {
    let run = evaluate(
        "complete",
        &[
            project("late-project", "Dec 2006", "Not started", &[]),
            task("done-early", "Dec 2004", "Complete", &["late-project"]).serves(&["R5"]),
            // Complete ahead of a target that is still in the future: done on the as-of date.
            task("done-ahead", "Dec 2005", "Complete", &[]).serves(&["R5"]),
        ],
    );
    assert_eq!(run.forecast("late-project"), d("2006-12-31"));
    assert_eq!(run.forecast("done-early"), d("2004-12-31"));
    assert_eq!(run.forecast("done-ahead"), d(ISSUE));
    assert_eq!(
        run.summary("R5"),
        (d(ISSUE), Some(262), Standing::Achieved, vec!["done-ahead", "R5"])
    );
}

#[test]
fn unset_target_with_nothing_to_wait_on_is_unknown() {
    let run = evaluate("unset", &[task("u", "None set", "In progress", &[]).serves(&["R13"])]);
    assert_eq!(run.forecast("u"), None);
    let r = run.outcome("R13");
    assert_eq!((r.forecast, r.slack_days, r.standing), (None, None, Standing::Unknown));
    assert_eq!(run.a.floor[r.node.index()], None);
    let u = run.graph.node("u").unwrap();
    assert_eq!(run.a.basis.own[u.index()], Own::Unknown);
    let reason = run.a.basis.unknown_reason[u.index()].as_deref().unwrap_or("");
    assert!(reason.contains("nothing it waits on"), "{reason}");
    assert_eq!(run.drivers("R13"), vec!["u", "R13"]);
}

#[test]
fn unset_target_follows_what_it_waits_on() {
    let run = evaluate(
        "unset-follows",
        &[
            task("before", "Oct 2005", "In progress", &[]),
            task("u", "None set", "Not started", &["before"]).serves(&["R13"]),
        ],
    );
    assert_eq!(run.forecast("u"), d("2005-10-31"));
    assert!(run.assumption("u").is_some_and(|a| a.contains("no date of its own")));
    // The forecast rests on an assumption in its chain, so it is at risk despite 61 days' slack.
    assert_eq!(
        run.summary("R13"),
        (d("2005-10-31"), Some(61), Standing::AtRisk, vec!["before", "u", "R13"])
    );
}

#[test]
fn unknown_work_makes_everything_after_it_unknown_but_keeps_a_floor() {
    let run = evaluate(
        "unknown-floor",
        &[
            task("u", "To be determined", "Not started", &[]),
            task("late", "Mar 2006", "Not started", &[]),
            // Undated itself, so nothing dated needs `u` by a date the rules could assume.
            task("t", "To be determined", "Not started", &["u", "late"]).serves(&["R8"]),
        ],
    );
    assert_eq!(run.forecast("t"), None);
    let r = run.outcome("R8");
    assert_eq!(r.forecast, None);
    assert_eq!(run.a.floor[r.node.index()], d("2006-03-31"));
    // Known work already puts it past the deadline: off track, not merely unknown.
    assert_eq!(r.standing, Standing::OffTrack);
}

#[test]
fn overdue_work_is_re_forecast_after_the_as_of_date() {
    let run = evaluate("overdue", &[task("o", "Dec 2004", "In progress", &[]).serves(&["R9"])]);
    // rules/forecast.rhai: OVERDUE_SLIP_MONTHS = 3 after 13 April 2005.
    assert_eq!(run.forecast("o"), d("2005-07-13"));
    let assumption = run.assumption("o").unwrap_or("");
    assert!(assumption.contains("OVERDUE_SLIP_MONTHS = 3"), "{assumption}");
    assert!(assumption.contains("2004-12-31"), "{assumption}");
    // Plenty of slack, but the date is the rules' assumption.
    assert_eq!(run.summary("R9"), (d("2005-07-13"), Some(171), Standing::AtRisk, vec!["o", "R9"]));
}

#[test]
fn project_with_only_a_start_runs_for_the_default_project_months() {
    let work = [
        project("document-management", "", "Not started", &[]).starts("To commence in August 2005"),
        task("t", "December 2005", "On target", &["document-management"]).serves(&["R8"]),
    ];
    let run = evaluate("start-only", &work);
    // "To commence in August 2005" starts 2005-08-31; PROJECT_MONTHS = 6.
    assert_eq!(run.forecast("document-management"), d("2006-02-28"));
    assert!(run.assumption("document-management").is_some_and(|a| a.contains("6 months")));
    assert_eq!(
        run.summary("R8"),
        (d("2006-02-28"), Some(-59), Standing::OffTrack, vec!["document-management", "t", "R8"])
    );
    // Judged after its start date, not started: it starts on the as-of date instead.
    let late = evaluate_on("start-only-late", "2005-09-15", &work);
    assert_eq!(late.forecast("document-management"), d("2006-03-15"));
    assert!(late.assumption("document-management").is_some_and(|a| a.contains("not started")));
}

#[test]
fn as_of_decides_what_is_overdue() {
    let work = [task("t", "Jun 2005", "In progress", &[]).serves(&["R22"])];
    let (_dir, path) = write("as-of", ISSUE, &work);
    let source = Source::Path(path.clone());
    let session = |as_of: Option<&str>| {
        Session::open(&source, None, as_of.map(date)).expect("the model evaluates")
    };
    let forecast = |s: &Session| s.assessment.forecast[s.graph.node("t").unwrap().index()];
    let assumed =
        |s: &Session| s.assessment.basis.assumption[s.graph.node("t").unwrap().index()].clone();
    let r22 = |s: &Session| {
        let node = s.graph.node("R22").unwrap();
        s.assessment.outcomes.iter().find(|r| r.node == node).unwrap().standing
    };

    // On the issue date the June target is still ahead: it stands as stated.
    let issued = session(None);
    assert_eq!(issued.assessment.basis.as_of, date(ISSUE));
    assert_eq!(forecast(&issued), d("2005-06-30"));
    assert_eq!(assumed(&issued), None);
    assert_eq!(r22(&issued), Standing::OnTrack);

    // On 1 July 2005 it has passed unfinished: re-forecast three months on.
    let july = session(Some("2005-07-01"));
    assert_eq!(forecast(&july), d("2005-10-01"));
    assert!(assumed(&july).is_some_and(|a| a.contains("passed before 2005-07-01")));
    assert_eq!(r22(&july), Standing::AtRisk);

    // On 1 November 2005 the re-forecast lands after the deadline.
    let november = session(Some("2005-11-01"));
    assert_eq!(forecast(&november), d("2006-02-01"));
    assert_eq!(r22(&november), Standing::OffTrack);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn every_outcome_of_the_catalogue_is_assessed_in_order() {
    let run = evaluate("catalogue", &[task("t", "Dec 2005", "On target", &[]).serves(&["G19"])]);
    let codes: Vec<&str> =
        run.a.outcomes.iter().map(|r| run.graph.dag[r.node].id.as_str()).collect();
    assert_eq!(codes.len(), 54);
    assert_eq!((codes[0], codes[28], codes[29], codes[53]), ("R1", "R29", "G1", "G25"));
    assert_eq!(run.model.outcomes.len(), 54);
    // G19 (deadline 1 April 2006) has 91 days of slack.
    assert_eq!(run.summary("G19").1, Some(91));
    // An outcome no work serves has no forecast, and the default rule judges it off track:
    // nothing in the routemap delivers it.
    let r1 = run.outcome("R1");
    assert_eq!((r1.standing, r1.forecast), (Standing::OffTrack, None));
    assert!(r1.reason.contains("nothing in the routemap delivers it"), "{}", r1.reason);
    let _ = &run.rules;
}

/// The minimal counterexample `slipping_work_never_helps_an_outcome` finds with
/// `PROPTEST_CASES=3000`: an overdue task re-forecast to 13 July 2005 (a rule assumption) sets
/// G3's date, so G3 is at risk; slipping another task's stated date past it to 14 July takes the
/// assumption out of the driving chain, and G3 becomes on track although its forecast is later.
#[test]
fn slipping_a_stated_date_past_an_assumed_one_does_not_improve_the_outcome() {
    let run = evaluate(
        "slip-past-assumed",
        &[
            task("t0", "Jun 2004", "In progress", &[]).serves(&["G3"]),
            task("t1", "Apr 2005", "In progress", &[]).serves(&["G3"]),
        ],
    );
    assert_eq!(run.summary("G3"), (d("2005-07-13"), Some(262), Standing::AtRisk, vec!["t0", "G3"]));
    let mut basis = run.a.basis.clone();
    basis.own[run.graph.node("t1").unwrap().index()] = Own::Date(date("2005-07-14"));
    let slipped = assess::assess(&run.model, &run.graph, &run.rules, basis).expect("rules run");
    let g3 = slipped.outcomes.iter().find(|r| r.node == run.outcome("G3").node).unwrap();
    assert_eq!(g3.forecast, d("2005-07-14"));
    assert!(
        rank(g3.standing) >= rank(Standing::AtRisk),
        "slipping t1 to 2005-07-14 made G3 {:?}: {}",
        g3.standing,
        g3.reason
    );
}

// ---- Large models ------------------------------------------------------------------------------

/// A model large enough for its rule calls to be shared between threads is judged exactly as
/// when every call is made in turn, on any number of threads.
#[test]
fn rules_judge_a_large_model_the_same_on_several_threads_as_on_one() {
    let dir = TempDir::new("schedule-large");
    let path = PathBuf::from(dir.path("routemap.json"));
    std::fs::write(&path, dag::dag(6_000, 7)).expect("write the model");
    let model = model::load(&Source::Path(path)).expect("the synthetic model loads");
    let graph = Graph::build(&model).expect("the synthetic model is a DAG");
    let as_of = date(ISSUE);
    let judge = |rules: &Rules| {
        let basis = assess::basis(&model, &graph, rules, as_of).expect("the rules run");
        format!("{basis:?}")
    };
    let rules = |threads| Rules::load(None).expect("the default rules compile").on_threads(threads);
    let in_turn = judge(&rules(1));
    assert!(in_turn.contains("Date("), "some work has a rule-given finish");
    for threads in [2, 3, 8] {
        let shared = judge(&rules(threads));
        assert!(shared == in_turn, "the basis differs between {threads} threads and one");
    }
}

/// Hook answers remembered by what each call read are the answers the calls give: on generated
/// models of many shapes, at as-of dates before, on and after the routemap's, on one thread and
/// two, the basis judged with the memory is the basis judged calling every hook, and the memory
/// answers some calls (a knock-on comment makes `follow_on` read the work's id and comments).
#[test]
fn remembered_hook_answers_are_the_answers_the_hooks_give() {
    let dir = TempDir::new("schedule-memo");
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 12,
        ..config()
    });
    let cases = (0u64..1_000, 20usize..600, -400i64..400, 1usize..=2);
    let result = runner.run(&cases, |(seed, nodes, shift, threads)| {
        let path = PathBuf::from(dir.path(&format!("m-{seed}-{nodes}.json")));
        let text = dag::dag(nodes, seed).replacen(
            "\"comments\":\"\"",
            "\"comments\":\"a knock-on of it\"",
            3,
        );
        std::fs::write(&path, text).expect("write the model");
        let model = model::load(&Source::Path(path)).expect("the synthetic model loads");
        let graph = Graph::build(&model).expect("the synthetic model is a DAG");
        let as_of = date(ISSUE) + chrono::TimeDelta::days(shift);
        let judge = |rules: &Rules| {
            let basis = assess::basis(&model, &graph, rules, as_of).expect("the rules run");
            format!("{basis:?}")
        };
        let load = || Rules::load(None).expect("the default rules compile").on_threads(threads);
        let memoised = load();
        let remembered = judge(&memoised);
        let called = judge(&load().memoised(false));
        prop_assert!(remembered == called, "the memoised basis differs");
        let hits: u64 = memoised.memo_counts().iter().map(|(_, hits, _)| hits).sum();
        prop_assert!(hits > 0, "no call was answered from memory");
        Ok(())
    });
    result.unwrap_or_else(|e| panic!("{e}"));
    // Rules that read otherwise, or answer wrongly (the error is the same): fixtures' own
    // forecast.rhai, and two edits of the default one, on the embedded routemap and a generated
    // model. `id-decides` lets a work's id decide its answer, and `builds-marker` makes at run
    // time the placeholder routemap shows in place of an id: neither may have one work's answer
    // handed to another.
    let edited = |name: &str, edits: &[(&str, &str)]| {
        let (_, default) =
            routemap::rules::DEFAULTS.iter().find(|(n, _)| *n == "forecast").unwrap();
        let mut text = default.to_string();
        for (from, to) in edits {
            assert!(text.contains(from), "the default forecast.rhai has no `{from}`");
            text = text.replacen(from, to, 1);
        }
        let rules_dir = PathBuf::from(dir.path(name));
        std::fs::create_dir_all(&rules_dir).expect("make the rules directory");
        std::fs::write(rules_dir.join("forecast.rhai"), text).expect("write the rules");
        rules_dir
    };
    let id_decides = edited(
        "id-decides",
        &[(
            "fn own_finish(work) {\n",
            "fn own_finish(work) {\n    if work.id.ends_with(\"7\") && work.target == \"date\" && \
             work.target_date != () && work.target_date >= work.as_of {\n        return #{ date: \
             work.target_date.add_months(1), assumption: `${work.id}: a pilot, a month late` };\n    }\n",
        )],
    );
    let builds_marker = edited(
        "builds-marker",
        &[
            ("(OVERDUE_SLIP_MONTHS = ${OVERDUE_SLIP_MONTHS})`", "${placeholder()}`"),
            (
                "// Work that \"commences\"",
                "// U+FDD0, a Unicode non-character, made from its UTF-8 bytes at run time.\n\
                 fn mark() { let b = blob(); b.push(0xEF); b.push(0xB7); b.push(0x90); b.as_string() }\n\
                 // The text routemap shows a rule in place of the first view's id: the marker, the \
                 slot, `_` to 200 bytes, the marker.\n\
                 fn placeholder() { let p = mark() + \"0\"; p.pad(195, '_'); p + mark() }\n\n\
                 // Work that \"commences\"",
            ),
        ],
    );
    let path = PathBuf::from(dir.path("ids.json"));
    std::fs::write(&path, dag::dag(3_000, 5)).expect("write the model");
    for model in [model::load_embedded(), model::load(&Source::Path(path))] {
        let model = model.expect("the model loads");
        let graph = Graph::build(&model).expect("the model is a DAG");
        let fixtures =
            ["before-as-of", "done-in-future", "forecast-before-done-on", "misspelt-key"]
                .map(|rules| PathBuf::from(format!("fixtures/rules/{rules}")));
        for rules_dir in fixtures.iter().chain([&id_decides, &builds_marker]) {
            let Ok(on) = Rules::load(Some(rules_dir)) else { continue };
            let off = Rules::load(Some(rules_dir)).expect("loads twice").memoised(false);
            let judge = |r: &Rules| format!("{:?}", assess::basis(&model, &graph, r, date(ISSUE)));
            assert_eq!(judge(&on), judge(&off), "{}", rules_dir.display());
        }
    }
}

/// Work that differs only in its id is forecast with one rule call, though each answer names
/// its own work: the default rules read a work's id only to name it.
#[test]
fn an_answer_that_names_its_work_serves_other_work_with_its_name() {
    let work: Vec<Work> = (0..40)
        .map(|i| task(&format!("t{i}"), "Jun 2004", "In progress", &[]).serves(&["R8"]))
        .collect();
    let run = evaluate("named", &work);
    for i in [0, 17, 39] {
        let node = run.graph.node(&format!("t{i}")).expect("the task is in the graph");
        let assumption = run.a.basis.assumption[node.index()].as_deref().unwrap_or_default();
        assert!(
            assumption.starts_with(&format!("t{i}: target 2004-06-30 passed")),
            "t{i}: {assumption}"
        );
    }
    let counts = run.rules.memo_counts();
    let own_finish = counts.iter().find(|(hook, ..)| *hook == "own_finish");
    assert_eq!(own_finish, Some(&("own_finish", 39, 1)), "{counts:?}");
}

/// More targets than one machine word of bits: a chain of 100 tasks, every node a target, with
/// complete work part-way along, past which nothing is looked for.
#[test]
fn upstream_sets_in_one_pass_span_several_words_of_targets() {
    let work: Vec<Work> = (0..100)
        .map(|i| {
            let status = if i == 40 { "Complete" } else { "In progress" };
            let waits = if i == 0 { Vec::new() } else { vec![format!("t{}", i - 1)] };
            let waits: Vec<&str> = waits.iter().map(String::as_str).collect();
            let t = task(&format!("t{i}"), "Dec 2005", status, &waits);
            if i == 99 { t.serves(&["R8"]) } else { t }
        })
        .collect();
    let run = evaluate("upstream-words", &work);
    let all: Vec<_> = run.graph.dag.node_indices().collect();
    let each = run.a.schedule.upstream_open_each(&run.a.basis.own, &all);
    for (&n, up) in all.iter().zip(&each) {
        assert_eq!(up, &schedule::upstream_open(&run.graph, &run.a.basis.own, n));
    }
    let r8 = run.graph.node("R8").unwrap();
    let ids: Vec<&str> = each[r8.index()].iter().map(|n| run.graph.dag[*n].id.as_str()).collect();
    assert_eq!(ids.len(), 60, "t40 (complete) to t99: {ids:?}");
    assert!(ids.contains(&"t40") && !ids.contains(&"t39"), "{ids:?}");
}

// ---- Properties on random DAGs --------------------------------------------------------------------

const STATUSES: [&str; 5] = ["In progress", "Not started", "On target", "Complete", ""];
const LAGS: [&str; 4] = ["", "0d", "15d", "1m"];
const CODES: [&str; 4] = ["R1", "R8", "G3", "G19"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"];

/// One random task: a month offset from June 2004 (36 and over: `None set`), an index into
/// STATUSES, and what it waits on: (an earlier task, an index into LAGS).
type RandomTask = (usize, usize, Vec<(Index, usize)>);

/// A random model: tasks with By-dates (months from June 2004 to May 2007, now and then
/// `None set`), statuses, dependencies on earlier tasks only (so it is acyclic) with lags, and a
/// few outcomes each served by some of the tasks.
#[derive(Debug, Clone)]
struct Random {
    tasks: Vec<RandomTask>,
    /// For each of CODES in turn, the tasks that serve it.
    serves: Vec<Vec<Index>>,
}

fn random_model() -> impl Strategy<Value = Random> {
    (2usize..=12)
        .prop_flat_map(|n| {
            let one = (
                0usize..40,
                0..STATUSES.len(),
                prop::collection::vec((any::<Index>(), 0..LAGS.len()), 0..3),
            );
            (
                prop::collection::vec(one, n),
                prop::collection::vec(prop::collection::vec(any::<Index>(), 1..4), 1..=CODES.len()),
            )
        })
        .prop_map(|(tasks, serves)| Random { tasks, serves })
}

impl Random {
    fn work(&self) -> Vec<Work> {
        let n = self.tasks.len();
        self.tasks
            .iter()
            .enumerate()
            .map(|(j, (month, status, deps))| {
                let target = if *month >= 36 {
                    "None set".to_string()
                } else {
                    format!("{} {}", MONTHS[(5 + month) % 12], 2004 + (5 + month) / 12)
                };
                let mut waits: Vec<String> = Vec::new();
                if j > 0 {
                    for (dep, lag) in deps {
                        let i = dep.index(j);
                        if !waits.iter().any(|w| w.split('@').next() == Some(&format!("t{i}"))) {
                            waits.push(match LAGS[*lag] {
                                "" => format!("t{i}"),
                                lag => format!("t{i}@{lag}"),
                            });
                        }
                    }
                }
                let serves: Vec<&str> = self
                    .serves
                    .iter()
                    .enumerate()
                    .filter(|(_, ts)| ts.iter().any(|t| t.index(n) == j))
                    .map(|(c, _)| CODES[c])
                    .collect();
                let waits: Vec<&str> = waits.iter().map(String::as_str).collect();
                task(&format!("t{j}"), &target, STATUSES[*status], &waits).serves(&serves)
            })
            .collect()
    }
}

/// `basis` with one dependency's follow-on time (picked by `which`) `days` longer, under new
/// lags (so nothing compiled from the old ones is shared); `None` when there are no dependencies.
fn longer_follow_on(basis: &assess::Basis, which: Index, days: u32) -> Option<assess::Basis> {
    if basis.lag.is_empty() {
        return None;
    }
    let mut basis = basis.clone();
    let mut lag = basis.lag.as_ref().clone();
    let e = which.index(lag.len());
    lag[e].days += days;
    basis.lag = std::sync::Arc::new(lag);
    Some(basis)
}

proptest! {
    #![proptest_config(config())]

    /// (a) Every node that is not complete finishes no earlier than each dependency plus lag, and
    /// is unknown when a dependency is.
    #[test]
    fn forecast_follows_every_dependency(random in random_model()) {
        let run = evaluate("prop-forward", &random.work());
        let f = reference::forward(&run.graph, &run.a.basis.lag, &run.a.basis.own, &[]);
        prop_assert_eq!(&f.forecast, &run.a.forecast);
        for e in run.graph.dag.edge_indices() {
            let (p, n) = run.graph.dag.edge_endpoints(e).unwrap();
            if matches!(run.a.basis.own[n.index()], Own::Done(_)) {
                continue;
            }
            let lag = run.a.basis.lag[e.index()];
            match (f.forecast[p.index()], f.forecast[n.index()]) {
                (Some(pf), Some(nf)) => prop_assert!(
                    nf >= lag.after(pf),
                    "{} finishes {nf}, before {} ({pf}) plus {lag:?}",
                    run.graph.dag[n].id, run.graph.dag[p].id
                ),
                (None, Some(nf)) => prop_assert!(
                    false,
                    "{} has forecast {nf} although it waits on unknown {}",
                    run.graph.dag[n].id, run.graph.dag[p].id
                ),
                _ => {}
            }
        }
    }

    /// The one-pass upstream sets equal one walk per node, for every node of the graph at once
    /// (outcomes, and work that others wait on, complete or not).
    #[test]
    fn upstream_sets_in_one_pass_equal_a_walk_per_node(random in random_model()) {
        let run = evaluate("prop-upstream", &random.work());
        // Every node, twice: a target named again gets the same answer.
        let all: Vec<_> = run.graph.dag.node_indices().chain(run.graph.dag.node_indices()).collect();
        let each = run.a.schedule.upstream_open_each(&run.a.basis.own, &all);
        for (&n, up) in all.iter().zip(&each) {
            prop_assert_eq!(up, &schedule::upstream_open(&run.graph, &run.a.basis.own, n));
        }
    }

    /// (b) Slipping any one node's own date later never brings an outcome's forecast earlier and
    /// never improves its standing.
    #[test]
    fn slipping_work_never_helps_an_outcome(
        random in random_model(),
        which in any::<Index>(),
        days in 1i64..400,
    ) {
        let run = evaluate("prop-slip", &random.work());
        let dated: Vec<usize> = run.a.basis.own.iter().enumerate()
            .filter(|(_, o)| matches!(o, Own::Date(_)))
            .map(|(i, _)| i)
            .collect();
        if dated.is_empty() {
            return Ok(());
        }
        let i = dated[which.index(dated.len())];
        let mut basis = run.a.basis.clone();
        let Own::Date(was) = basis.own[i] else { unreachable!() };
        basis.own[i] = Own::Date(was + chrono::Days::new(days as u64));
        let slipped = assess::assess(&run.model, &run.graph, &run.rules, basis).expect("rules run");
        for (before, after) in run.a.outcomes.iter().zip(&slipped.outcomes) {
            let code = &run.graph.dag[before.node].id;
            let context = || format!(
                "slipping {} by {days} days: {code} went from {:?} {:?} ({}) to {:?} {:?} ({})",
                run.graph.dag[petgraph::graph::NodeIndex::new(i)].id,
                before.standing, before.forecast, before.reason,
                after.standing, after.forecast, after.reason,
            );
            if let (Some(b), Some(a)) = (before.forecast, after.forecast) {
                prop_assert!(a >= b, "{}", context());
            }
            if let (Some(b), Some(a)) = (rank(before.standing), rank(after.standing)) {
                prop_assert!(a >= b, "{}", context());
            }
        }
    }

    /// (b2) A longer follow-on time on any dependency never brings a forecast earlier and never
    /// improves an outcome's standing.
    #[test]
    fn a_longer_follow_on_never_helps(
        random in random_model(),
        which in any::<Index>(),
        days in 1u32..400,
    ) {
        let run = evaluate("prop-follow-on", &random.work());
        let Some(basis) = longer_follow_on(&run.a.basis, which, days) else { return Ok(()) };
        let longer = assess::assess(&run.model, &run.graph, &run.rules, basis).expect("rules run");
        for (n, (before, after)) in run.a.forecast.iter().zip(&longer.forecast).enumerate() {
            if let (Some(b), Some(a)) = (before, after) {
                prop_assert!(a >= b, "node {} moved from {b} to {a}", run.graph.dag[petgraph::graph::NodeIndex::new(n)].id);
            }
        }
        for (before, after) in run.a.outcomes.iter().zip(&longer.outcomes) {
            if let (Some(b), Some(a)) = (rank(before.standing), rank(after.standing)) {
                prop_assert!(a >= b, "{}: {:?} -> {:?}", run.graph.dag[before.node].id, before.standing, after.standing);
            }
        }
    }

    /// (a2) The compiled schedule gives the same forecast, floor, latest finish, slack and
    /// drivers as the reference passes over the graph, with and without slips (in days and in
    /// calendar months), and the simulation's pass the same forecasts.
    #[test]
    fn the_compiled_schedule_equals_the_reference_passes(
        random in random_model(),
        slips in proptest::collection::vec((0u32..200, 0u32..3), 0..40),
    ) {
        use routemap::schedule::compiled::{self, Compiled};
        let run = evaluate("prop-compiled", &random.work());
        let (graph, basis) = (&run.graph, &run.a.basis);
        let c = Compiled::new(graph, &basis.lag);
        let n = graph.dag.node_count();
        let spans: Vec<Option<Span>> = (0..n)
            .map(|i| slips.get(i).map(|&(days, months)| Span { months, days }))
            .map(|s| s.filter(|s| *s != Span::default()))
            .collect();
        let name = |x: usize| graph.dag[petgraph::graph::NodeIndex::new(x)].id.clone();
        for slip in [&[][..], &spans[..]] {
            let reference = reference::forward(graph, &basis.lag, &basis.own, slip);
            let pass = c.forward(&basis.own, slip);
            prop_assert_eq!(c.dates(&pass.forecast), reference.forecast.clone());
            prop_assert_eq!(c.dates(&pass.floor), reference.floor.clone());
            prop_assert_eq!(c.dates(&pass.unslipped), reference.unslipped.clone());
            prop_assert_eq!(c.dates(&pass.unslipped_floor), reference.unslipped_floor.clone());
            for x in graph.dag.node_indices() {
                prop_assert_eq!(
                    c.drivers(&basis.own, &pass, x),
                    reference::drivers(graph, &basis.lag, &basis.own, &reference, x),
                    "drivers of {}", name(x.index())
                );
                prop_assert_eq!(
                    c.floor_drivers(&basis.own, &pass, x),
                    reference::floor_drivers(graph, &basis.lag, &basis.own, &reference, x),
                    "floor drivers of {}", name(x.index())
                );
            }
            // The simulation's pass, on slips of whole days (its slips are days).
            if slip.iter().flatten().all(|s| s.months == 0) {
                let days: Vec<i32> = c.node.iter()
                    .map(|&x| slip.get(x as usize).copied().flatten().map_or(0, |s| s.days as i32))
                    .collect();
                let mut out = Vec::new();
                c.forward_days(&c.owns(&basis.own), &days, &mut out);
                for (i, &x) in c.node.iter().enumerate() {
                    prop_assert_eq!(compiled::date(out[i]), reference.forecast[x as usize], "{}", name(x as usize));
                }
            }
        }
        let latest = reference::backward(graph, &basis.lag, &basis.deadline);
        prop_assert_eq!(c.dates(&c.backward(&basis.deadline)), latest.clone());
        prop_assert_eq!(run.a.latest.as_ref(), &latest);
        for r in &run.a.outcomes {
            prop_assert_eq!(r.slack_days, schedule::slack(latest[r.node.index()], r.forecast));
        }
    }

    /// (a4) An incremental what-if (the baseline's pass carried through the slipped work's
    /// downstream cone) equals assessing the scenario's basis from nothing.
    #[test]
    fn an_incremental_what_if_equals_a_full_recompute(
        random in random_model(),
        changes in proptest::collection::vec((any::<Index>(), 0u8..4, 1u32..120), 1..4),
    ) {
        use routemap::scenario::{self, Change, Scenario, Slip};
        let run = evaluate("prop-incremental", &random.work());
        let work: Vec<_> = run.graph.dag.node_indices()
            .filter(|&x| run.graph.dag[x].kind != routemap::graph::NodeKind::Outcome)
            .collect();
        if work.is_empty() {
            return Ok(());
        }
        let slips = changes.iter().map(|&(which, how, days)| {
            let id = run.graph.dag[work[which.index(work.len())]].id.clone();
            let change = match how {
                0 => Change::Later(Span { months: 0, days }),
                1 => Change::Later(Span { months: days % 4 + 1, days: 0 }),
                2 => Change::On(date(ISSUE) + chrono::Days::new(u64::from(days) * 3)),
                _ => Change::Complete,
            };
            Slip { text: format!("{id}={change:?}"), id, change, location: None }
        });
        // Slips of complete work (in the model, or made complete by an earlier slip) are
        // refused; keep the others.
        let mut kept: Vec<Slip> = Vec::new();
        for s in slips {
            kept.push(s);
            if scenario::apply(&run.model, &run.graph, run.a.basis.clone(), &kept).is_err() {
                kept.pop();
            }
        }
        let slips = kept;
        let sc = Scenario { name: "s".into(), description: None, as_of: None, slips };
        let incremental = scenario::run(&run.model, &run.graph, &run.rules, &run.a, &sc)
            .expect("the scenario runs");
        let basis = scenario::apply(&run.model, &run.graph, run.a.basis.clone(), &sc.slips)
            .expect("the slips apply");
        let full = assess::assess(&run.model, &run.graph, &run.rules, basis).expect("rules run");
        prop_assert_eq!(&incremental.pass, &full.pass);
        prop_assert_eq!(&incremental.forecast, &full.forecast);
        prop_assert_eq!(&incremental.floor, &full.floor);
        prop_assert_eq!(&incremental.latest, &full.latest);
        for (i, f) in incremental.outcomes.iter().zip(&full.outcomes) {
            prop_assert_eq!(
                (i.node, i.forecast, i.slack_days, i.standing, &i.reason, &i.drivers, &i.assumptions),
                (f.node, f.forecast, f.slack_days, f.standing, &f.reason, &f.drivers, &f.assumptions)
            );
        }
        prop_assert_eq!(incremental.exposure.at_risk_gbp, full.exposure.at_risk_gbp);
    }

    /// (a5) Reusing an earlier assessment gives what assessing afresh gives, also when the
    /// basis has other follow-on times (as a scenario on another as-of date may): nothing
    /// computed from the earlier lags is kept.
    #[test]
    fn reusing_an_assessment_with_other_lags_equals_a_fresh_one(
        random in random_model(),
        which in any::<Index>(),
        days in 1u32..400,
    ) {
        let run = evaluate("prop-reuse-lags", &random.work());
        let Some(basis) = longer_follow_on(&run.a.basis, which, days) else { return Ok(()) };
        let reused = assess::assess_reusing(&run.model, &run.graph, &run.rules, basis.clone(), Some(&run.a))
            .expect("rules run");
        let fresh = assess::assess(&run.model, &run.graph, &run.rules, basis).expect("rules run");
        prop_assert_eq!(&reused.pass, &fresh.pass);
        prop_assert_eq!(&reused.forecast, &fresh.forecast);
        prop_assert_eq!(&reused.latest, &fresh.latest);
        for (r, f) in reused.outcomes.iter().zip(&fresh.outcomes) {
            prop_assert_eq!((r.standing, &r.reason, &r.drivers), (f.standing, &f.reason, &f.drivers));
        }
    }

    /// (a3) Sensitivity's incremental runs give the same damage as a full re-run of each
    /// single-slip scenario.
    #[test]
    fn incremental_sensitivity_equals_full_reruns(random in random_model()) {
        use routemap::scenario::{self, Change, Damage, Scenario, Slip};
        let run = evaluate("prop-sensitivity", &random.work());
        let spans = [Span { months: 0, days: 30 }, Span { months: 3, days: 0 }];
        let fast = scenario::sensitivity(&run.model, &run.graph, &run.rules, &run.a, &spans)
            .expect("sensitivity runs");
        for s in &fast {
            for (span, damage) in spans.iter().zip(&s.damage) {
                let id = run.graph.dag[s.node].id.clone();
                let sc = Scenario {
                    name: "one".into(),
                    description: None,
                    as_of: None,
                    slips: vec![Slip {
                        id: id.clone(),
                        change: Change::Later(*span),
                        text: format!("{id}=+{span}"),
                        location: None,
                    }],
                };
                let full = scenario::run(&run.model, &run.graph, &run.rules, &run.a, &sc)
                    .expect("the scenario runs");
                prop_assert_eq!(damage, &Damage::between(&run.a, &full), "{} +{}", id, span);
            }
        }
    }

    /// (c) Each outcome's drivers are a path in the graph ending at the outcome.
    #[test]
    fn drivers_are_a_path_ending_at_the_outcome(random in random_model()) {
        let run = evaluate("prop-drivers", &random.work());
        for r in &run.a.outcomes {
            let code = &run.graph.dag[r.node].id;
            prop_assert_eq!(r.drivers.last(), Some(&r.node), "{} drivers {:?}", code, r.drivers);
            for w in r.drivers.windows(2) {
                prop_assert!(
                    run.graph.dag.find_edge(w[0], w[1]).is_some(),
                    "{}: no edge {} -> {}", code, run.graph.dag[w[0]].id, run.graph.dag[w[1]].id
                );
            }
            // An outcome with no forecast whose dated work already makes it late is driven by
            // that dated work; any other by the chain that sets (or withholds) its forecast.
            let fwd =
                reference::forward(&run.graph, &run.a.basis.lag, &run.a.basis.own, &run.a.basis.slip);
            let late = r.forecast.is_none() && fwd.floor[r.node.index()].is_some_and(|f| f > r.deadline);
            let expected = if late {
                reference::floor_drivers(&run.graph, &run.a.basis.lag, &run.a.basis.own, &fwd, r.node)
            } else {
                reference::drivers(&run.graph, &run.a.basis.lag, &run.a.basis.own, &fwd, r.node)
            };
            prop_assert_eq!(&expected, &r.drivers);
        }
    }
}
