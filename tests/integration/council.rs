//! A second council's routemap, written from docs/model.md alone: no `catalogue:` line, its own
//! status words, a project with a start and a finish, outcomes no work serves, no risk register.
//! Every command works on it, and the verdicts on what it leaves out agree across commands.

use crate::common::{ok, routemap};
use crate::test::Test;

const MODEL: &str = "fixtures/loxley/routemap.yaml";

fn on_loxley(args: &[&str]) -> String {
    let mut all = vec!["--model", MODEL];
    all.extend_from_slice(args);
    ok(&all)
}

fn redact_rules_hash(text: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&on_loxley(&["forecast", "--format", "json"])).expect("JSON");
    let hash = json["rules"]["hash"].as_str().expect("rules.hash").to_string();
    text.replace(&hash, "[hash]")
}

#[test]
fn loads_with_the_national_catalogue_and_its_own_status_words() {
    let out: serde_json::Value =
        serde_json::from_str(&on_loxley(&["check", "--format", "json"])).expect("JSON");
    assert_eq!(out["outcomes"], 54);
    assert_eq!((out["actions"].as_u64(), out["tasks"].as_u64()), (Some(4), Some(7)));
}

#[test]
fn forecast_table() {
    insta::assert_snapshot!("loxley_forecast", redact_rules_hash(&on_loxley(&["forecast"])));
}

#[test]
fn a_project_not_started_on_time_still_needs_its_whole_run() {
    // e-forms was to run from March to October 2005 (214 days) and had not started by 1 May.
    // The assumption as a person reads it, however the list wraps to the width.
    let out = on_loxley(&["explain", "R8"]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains("e-forms: due to start 2005-03-31, not started by 2005-05-01; its planned run from then finishes 2005-12-01"), "{out}");
}

#[test]
fn an_outcome_no_work_serves_is_judged_the_same_everywhere() {
    let explain = on_loxley(&["explain", "R1"]);
    assert!(explain.contains("no action serves this outcome"), "{explain}");
    insta::assert_snapshot!("loxley_explain_r1", redact_rules_hash(&explain));
    let forecast: serde_json::Value =
        serde_json::from_str(&on_loxley(&["forecast", "--format", "json"])).expect("JSON");
    let r1 = &forecast["outcomes"][0];
    assert_eq!((r1["code"].as_str(), r1["status"].as_str()), (Some("R1"), Some("off_track")));
    assert!(r1["reason"].as_str().unwrap().contains("nothing in the routemap delivers it"));
    let exposure: serde_json::Value =
        serde_json::from_str(&on_loxley(&["exposure", "--format", "json"])).expect("JSON");
    let r1_gbp = exposure["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["code"] == "R1")
        .map(|o| o["at_risk_gbp"].as_u64().unwrap());
    assert!(r1_gbp.is_some_and(|g| g > 0), "{exposure}");
    let ieg = on_loxley(&["ieg-return", "--format", "csv"]);
    let r1_row = ieg.lines().find(|l| l.starts_with("R1,")).expect("R1 in the IEG return");
    assert!(r1_row.contains("nothing in the routemap delivers it"), "{r1_row}");
    // The risk report lists the unserved outcomes as one group after its table, with the rule's
    // verdict and reason.
    let risk = on_loxley(&["risk-report"]);
    let group = risk
        .lines()
        .find(|l| {
            l.starts_with(
                "Not in the routemap: no action or task serves these 25 Required outcomes (R1, R2,",
            )
        })
        .unwrap_or_else(|| panic!("{risk}"));
    assert!(
        group
            .contains("The rules judge each forecast to miss: nothing in the routemap delivers it"),
        "{group}"
    );
    assert!(!risk.contains("| R1 Deep linking"), "{risk}");
}

#[test]
fn exposure_table() {
    insta::assert_snapshot!("loxley_exposure", redact_rules_hash(&on_loxley(&["exposure"])));
}

#[test]
fn what_if_the_finance_system_slips() {
    let out = on_loxley(&["what-if", "--slip", "finance-system=+6m"]);
    insta::assert_snapshot!("loxley_what_if_finance", redact_rules_hash(&out));
}

#[test]
fn risk_report_without_a_register_still_proposes_actions() {
    let out = on_loxley(&["risk-report"]);
    assert!(out.contains("records no Strategic Risk Register"), "{out}");
    assert!(!out.contains("assesses the risks of the Council's Strategic Risk Register"), "{out}");
    assert!(out.contains("## Proposed actions"), "{out}");
    insta::assert_snapshot!("loxley_risk_report", redact_rules_hash(&out));
}

#[test]
fn check_warns_of_what_is_probably_wrong() {
    let run = routemap(&["--model", MODEL, "check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for kind in [
        "is complete but waits on `finance-system`",
        "is earlier than its original",
        "has no named owner",
        "no work serves 49 outcomes",
    ] {
        assert!(run.stderr.contains(kind), "no warning `{kind}` in:\n{}", run.stderr);
    }
    insta::assert_snapshot!("loxley_check_warnings", run.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&on_loxley(&["check", "--format", "json"])).expect("JSON");
    let kinds: Vec<&str> =
        json["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["proposed-earlier", "driver-without-owner", "complete-waits-on-open", "unserved-outcome"]
    );
    let denied = routemap(&["--model", MODEL, "check", "--deny-warnings"]);
    assert_eq!(denied.code, 1);
}

#[test]
fn an_unknown_status_word_suggests_the_nearest() {
    let text = std::fs::read_to_string(MODEL)
        .unwrap()
        .replace("status: Delayed\n    owner: Head", "status: Delayd\n    owner: Head");
    let test = Test::new().write("routemap.yaml", text);
    let path = test.path("routemap.yaml");
    test.args(["--model", &path, "check"])
        .status(2)
        .stdout("")
        .stderr_contains("unrecognised status `Delayd`")
        .stderr_contains("did you mean `delayed`?")
        .run();
}
