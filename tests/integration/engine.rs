//! The whole engine on the embedded Charnwood routemap, through the real binary: every report
//! format snapshotted as users see it, exit codes, and checks that encode what the forecast must
//! say about the seed whatever the snapshots hold.

use std::collections::HashMap;

use crate::common::{bad, json, ok, outcome, routemap};
use chrono::NaiveDate;
use routemap::assess::Standing;
use routemap::graph::{Item, NodeKind};
use routemap::model::{Source, Status};
use routemap::session::Session;
use serde_json::Value;

// ---- Snapshots of every report on the seed ------------------------------------------------------

#[test]
fn forecast_table() {
    insta::assert_snapshot!("forecast_table", ok(&["forecast"]));
}

#[test]
fn forecast_json() {
    insta::assert_snapshot!("forecast_json", ok(&["forecast", "--format", "json"]));
}

#[test]
fn forecast_csv() {
    insta::assert_snapshot!("forecast_csv", ok(&["forecast", "--format", "csv"]));
}

#[test]
fn forecast_markdown() {
    insta::assert_snapshot!("forecast_md", ok(&["forecast", "--format", "md"]));
}

#[test]
fn forecast_json_as_of_october() {
    let out = ok(&["forecast", "--as-of", "2005-10-01", "--format", "json"]);
    assert_eq!(json(&out)["as_of"], "2005-10-01");
    insta::assert_snapshot!("forecast_json_as_of_2005-10-01", out);
}

#[test]
fn critical_path_r8_table() {
    insta::assert_snapshot!("critical_path_r8_table", ok(&["critical-path", "R8"]));
}

#[test]
fn critical_path_r8_json() {
    let out = ok(&["critical-path", "R8", "--format", "json"]);
    assert_eq!(json(&out)["outcome"], "R8");
    insta::assert_snapshot!("critical_path_r8_json", out);
}

#[test]
fn critical_path_all_json() {
    let out = ok(&["critical-path", "--format", "json"]);
    let paths = json(&out);
    let codes: Vec<&str> =
        paths.as_array().unwrap().iter().map(|p| p["outcome"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 54);
    assert_eq!((codes[0], codes[28], codes[29], codes[53]), ("R1", "R29", "G1", "G25"));
    insta::assert_snapshot!("critical_path_all_json", out);
}

#[test]
fn explain_r8_table() {
    insta::assert_snapshot!("explain_r8_table", ok(&["explain", "R8"]));
}

#[test]
fn explain_r9_json() {
    let out = ok(&["explain", "R9", "--format", "json"]);
    assert_eq!(json(&out)["code"], "R9");
    insta::assert_snapshot!("explain_r9_json", out);
}

#[test]
fn graph_json() {
    insta::assert_snapshot!("graph_json", ok(&["graph", "--format", "json"]));
}

#[test]
fn graph_dot() {
    let out = ok(&["graph", "--format", "dot"]);
    assert!(out.starts_with("digraph routemap {") && out.ends_with("}\n"));
    insta::assert_snapshot!("graph_dot", out);
}

#[test]
fn graph_mermaid() {
    let out = ok(&["graph", "--format", "mermaid"]);
    assert!(out.starts_with("flowchart LR\n"));
    insta::assert_snapshot!("graph_mermaid", out);
}

// ---- Exit codes --------------------------------------------------------------------------------

#[test]
fn fail_on_trips_when_an_outcome_has_that_status() {
    // The seed has off-track outcomes (R6, R8...) and achieved ones (R5, R17...).
    for status in ["off_track", "achieved"] {
        let run = routemap(&["forecast", "--fail-on", status]);
        assert_eq!(run.code, 1, "--fail-on {status}: {}", run.stderr);
        assert!(run.stdout.contains("R8"), "the gate still prints the forecast");
    }
}

#[test]
fn fail_on_does_not_trip_for_an_absent_status() {
    let statuses: Vec<String> = json(&ok(&["forecast", "--format", "json"]))["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap().to_string())
        .collect();
    for status in ["achieved", "on_track", "at_risk", "off_track", "unknown"] {
        let expected = i32::from(statuses.iter().any(|s| s == status));
        let run = routemap(&["forecast", "--fail-on", status, "--format", "json"]);
        assert_eq!(run.code, expected, "--fail-on {status}");
    }
}

#[test]
fn explain_unknown_outcome() {
    let stderr = bad(&["explain", "R99"]);
    assert!(stderr.contains("R99") && stderr.contains("R1..R29"), "{stderr}");
    insta::assert_snapshot!("explain_r99_stderr", stderr);
}

#[test]
fn as_of_must_be_a_real_date() {
    let stderr = bad(&["forecast", "--as-of", "2005-13-01"]);
    assert!(stderr.contains("2005-13-01") && stderr.contains("YYYY-MM-DD"), "{stderr}");
}

// ---- What the forecast must say about the seed -------------------------------------------------

fn seed() -> Session {
    Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates")
}

#[test]
fn outcomes_whose_tasks_are_all_complete_are_achieved() {
    let s = seed();
    let mut checked = 0;
    for r in &s.assessment.outcomes {
        let code = &s.graph.dag[r.node].id;
        let statuses: Vec<Status> = s
            .model
            .actions
            .iter()
            .filter(|a| a.outcomes.contains(code))
            .flat_map(|a| a.tasks.iter().map(|t| t.status))
            .collect();
        if !statuses.is_empty() && statuses.iter().all(|st| *st == Status::Complete) {
            checked += 1;
            assert_eq!(r.standing, Standing::Achieved, "{code}: every task is complete");
        }
    }
    assert!(checked >= 5, "the seed has several fully complete outcomes, found {checked}");
}

#[test]
fn no_outcome_with_a_task_past_its_deadline_is_on_track() {
    let s = seed();
    let a = &s.assessment;
    for r in &a.outcomes {
        let code = &s.graph.dag[r.node].id;
        for t in s.graph.dag.neighbors_directed(r.node, petgraph::Direction::Incoming) {
            if s.graph.dag[t].kind != NodeKind::Task {
                continue;
            }
            let Item::Task { action, task } = s.graph.dag[t].item else { continue };
            let task = &s.model.actions[action].tasks[task];
            let late_forecast = a.forecast[t.index()].is_some_and(|f| f > r.deadline);
            let late_target = task.status != Status::Complete
                && task.target.date().is_some_and(|d| d > r.deadline);
            if late_forecast || late_target {
                assert_ne!(
                    r.standing,
                    Standing::OnTrack,
                    "{code} is on track although task {} ({:?}, forecast {:?}) lies after its \
                     deadline {}",
                    task.id,
                    task.target_phrase(),
                    a.forecast[t.index()],
                    r.deadline
                );
            }
        }
    }
}

#[test]
fn r8_waits_on_document_management_so_is_not_on_track() {
    let f = json(&ok(&["forecast", "--format", "json"]));
    let r8 = outcome(&f, "R8");
    assert_ne!(r8["status"], "on_track", "{r8:#}");
    assert_ne!(r8["status"], "achieved", "{r8:#}");
    // Document management only commences in August 2005; R8's tasks 10.2 and 10.3 wait on it.
    let assumed = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str() == Some("document-management") || a["id"] == "document-management")
    };
    assert!(assumed(&r8["assumptions"]), "R8 rests on document management: {r8:#}");
    assert!(assumed(&f["assumptions"]), "{:#}", f["assumptions"]);
    let no_earlier: NaiveDate = r8["no_earlier_than"].as_str().unwrap().parse().expect("a date");
    assert!(no_earlier > NaiveDate::from_ymd_opt(2005, 12, 31).unwrap(), "{r8:#}");
}

#[test]
fn summary_counts_every_outcome_once() {
    let f = json(&ok(&["forecast", "--format", "json"]));
    let outcomes = f["outcomes"].as_array().unwrap();
    let mut counted: HashMap<(String, String), u64> = HashMap::new();
    for o in outcomes {
        let key = (o["category"].as_str().unwrap().into(), o["status"].as_str().unwrap().into());
        *counted.entry(key).or_default() += 1;
    }
    for category in ["required", "good"] {
        for (status, n) in f["summary"][category].as_object().unwrap() {
            let expected = counted.get(&(category.into(), status.clone())).copied().unwrap_or(0);
            assert_eq!(n.as_u64(), Some(expected), "{category} {status}");
        }
    }
    assert_eq!(outcomes.len(), 54);
}

#[test]
fn forecast_json_is_byte_identical_across_runs() {
    let first = ok(&["forecast", "--format", "json"]);
    let second = ok(&["forecast", "--format", "json"]);
    assert_eq!(first, second);
}

/// Judged after the dates in the routemap, nothing unfinished is forecast in the past, and an
/// outcome whose deadline has passed without being achieved is off track.
#[test]
fn late_judgements_forecast_nothing_in_the_past() {
    for as_of in ["2005-10-01", "2006-01-15", "2006-06-01"] {
        let f = json(&ok(&["--as-of", as_of, "forecast", "--format", "json"]));
        let day: NaiveDate = as_of.parse().expect("a date");
        for o in f["outcomes"].as_array().expect("outcomes") {
            let status = o["status"].as_str().expect("a status");
            if status == "achieved" || status == "not_applicable" {
                continue;
            }
            if let Some(forecast) = o["forecast"].as_str() {
                let forecast: NaiveDate = forecast.parse().expect("a date");
                assert!(forecast >= day, "as of {as_of}: {o:#}");
            }
            let deadline: NaiveDate =
                o["deadline"].as_str().expect("a deadline").parse().expect("a date");
            if deadline < day {
                assert_eq!(status, "off_track", "as of {as_of}: {o:#}");
            }
        }
    }
}
