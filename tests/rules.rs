//! `--rules DIR`: a council's own rule files replace the embedded ones by name, change the
//! forecast as the docs say, and every kind of broken rule file is reported with its place and
//! exit 2 (fixtures in fixtures/rules/).

mod common;

use std::collections::BTreeMap;

use common::{bad, json, ok};

/// Each outcome's status in `forecast --format json`, by code.
fn statuses(args: &[&str]) -> BTreeMap<String, String> {
    let mut all = vec!["forecast", "--format", "json"];
    all.extend_from_slice(args);
    json(&ok(&all))["outcomes"]
        .as_array()
        .expect("an outcomes array")
        .iter()
        .map(|o| {
            let text = |key: &str| o[key].as_str().expect("a string").to_string();
            (text("code"), text("status"))
        })
        .collect()
}

#[test]
fn not_started_work_near_the_deadline_is_off_track() {
    let default = statuses(&[]);
    let custom = statuses(&["--rules", "fixtures/rules/not-started-off-track"]);
    let changed: Vec<(&str, &str, &str)> = default
        .iter()
        .filter(|(code, status)| custom[*code] != **status)
        .map(|(code, status)| (code.as_str(), status.as_str(), custom[code].as_str()))
        .collect();
    // Each has a Not started task and under 92 days of slack: G11 (action 32, e-billing, 91
    // days), G19 (63.1, FOI records research, March 2006), G3 and G4 (actions 2 and 7, March
    // 2006), R27 (70.3, web integration, December 2005).
    assert_eq!(
        changed,
        vec![
            ("G11", "at_risk", "off_track"),
            ("G19", "at_risk", "off_track"),
            ("G3", "at_risk", "off_track"),
            ("G4", "at_risk", "off_track"),
            ("R27", "at_risk", "off_track")
        ]
    );
}

#[test]
fn custom_rules_are_named_in_the_output() {
    let out = ok(&["--rules", "fixtures/rules/not-started-off-track", "explain", "G11"]);
    assert!(out.contains("Status: off_track (1 task(s) not started"), "{out}");
    assert!(out.contains("fixtures/rules/not-started-off-track/classify.rhai"), "{out}");
    // Files the directory does not replace stay the embedded ones.
    let f = json(&ok(&[
        "--rules",
        "fixtures/rules/not-started-off-track",
        "forecast",
        "--format",
        "json",
    ]));
    assert_eq!(
        f["rules"]["files"],
        serde_json::json!([
            "<embedded>/rules/deadlines.rhai",
            "<embedded>/rules/forecast.rhai",
            "fixtures/rules/not-started-off-track/classify.rhai",
            "<embedded>/rules/funding.rhai",
            "<embedded>/rules/risk.rhai",
            "<embedded>/rules/bvpi.rhai",
            "<embedded>/rules/ieg.rhai",
            "<embedded>/rules/simulate.rhai"
        ])
    );
    let default = json(&ok(&["forecast", "--format", "json"]));
    assert_ne!(f["rules"]["hash"], default["rules"]["hash"]);
}

#[test]
fn check_accepts_a_valid_rules_directory() {
    ok(&["--rules", "fixtures/rules/not-started-off-track", "check", "--format", "json"]);
}

#[test]
fn a_rule_that_fails_at_run_time_is_located() {
    let stderr = bad(&["--rules", "fixtures/rules/failing", "forecast"]);
    assert!(stderr.contains("fixtures/rules/failing/classify.rhai:8:18"), "{stderr}");
    assert!(stderr.contains("slack_margin"), "{stderr}");
    insta::assert_snapshot!("failing_stderr", stderr);
}

#[test]
fn a_rule_that_never_returns_is_stopped_and_located() {
    let stderr = bad(&["--rules", "fixtures/rules/endless", "forecast"]);
    assert!(stderr.contains("stopped"), "{stderr}");
    // The hook starts on line 4 and the loop is on lines 6 to 8 of the fixture; either will do.
    assert!(
        ["4:", "6:", "7:", "8:"]
            .iter()
            .any(|l| stderr.contains(&format!("fixtures/rules/endless/forecast.rhai:{l}"))),
        "the error names the file but not where in it the rule was stopped:\n{stderr}"
    );
    // Recorded once the location is there: what a user sees.
    insta::assert_snapshot!("endless_stderr", stderr);
}

#[test]
fn a_syntax_error_is_located() {
    let stderr = bad(&["--rules", "fixtures/rules/syntax", "check"]);
    assert!(stderr.contains("fixtures/rules/syntax/deadlines.rhai:5:"), "{stderr}");
    insta::assert_snapshot!("syntax_stderr", stderr);
    // Every command refuses the rules, not just `check`.
    bad(&["--rules", "fixtures/rules/syntax", "forecast"]);
}

#[test]
fn a_misspelt_rule_file_names_the_files_routemap_reads() {
    let stderr = bad(&["--rules", "fixtures/rules/unknown-name", "forecast"]);
    assert!(stderr.contains("clasify.rhai"), "{stderr}");
    for known in ["deadlines.rhai", "forecast.rhai", "classify.rhai"] {
        assert!(stderr.contains(known), "{stderr}");
    }
    insta::assert_snapshot!("unknown_name_stderr", stderr);
}

#[test]
fn a_missing_rules_directory_is_an_error() {
    let stderr = bad(&["--rules", "fixtures/rules/does-not-exist", "forecast"]);
    assert!(stderr.contains("fixtures/rules/does-not-exist"), "{stderr}");
    insta::assert_snapshot!("missing_dir_stderr", stderr);
}

/// A council's forecast.rhai written before the `done_on` hook still works: the built-in hook
/// dates its complete work, and the forecast is the built-in one's.
#[test]
fn a_forecast_file_without_done_on_uses_the_built_in_hook() {
    let custom = json(&ok(&[
        "--rules",
        "fixtures/rules/forecast-before-done-on",
        "forecast",
        "--format",
        "json",
    ]));
    let default = json(&ok(&["forecast", "--format", "json"]));
    assert_eq!(custom["outcomes"], default["outcomes"]);
    assert_ne!(custom["rules"]["hash"], default["rules"]["hash"]);
}

#[test]
fn complete_work_dated_after_the_as_of_date_is_refused() {
    let stderr = bad(&["--rules", "fixtures/rules/done-in-future", "forecast"]);
    assert!(
        stderr.contains("rule `done_on` in fixtures/rules/done-in-future/forecast.rhai"),
        "{stderr}"
    );
    assert!(stderr.contains("fixtures/rules/done-in-future/forecast.rhai:"), "{stderr}");
}

/// A `risk.rhai` written before the `propose` hook existed still works: the built-in hook picks
/// the outcomes that get proposed actions.
#[test]
fn a_risk_file_without_propose_uses_the_built_in_hook() {
    let custom = ok(&["--rules", "fixtures/rules/risk-before-propose", "risk-report"]);
    let default = ok(&["risk-report"]);
    let actions = |md: &str| md.lines().filter(|l| l.contains(" | 31 December 2005 | ")).count();
    assert!(actions(&default) > 0);
    assert_eq!(actions(&custom), actions(&default));
}
