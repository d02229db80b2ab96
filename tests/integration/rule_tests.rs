//! `routemap test`: a council's tests of its own rules (fixtures in fixtures/rules/), and the
//! embedded rules' own tests, which must pass with every coverable line run.

use crate::common::{bad, json, ok, redact_rules_hash, routemap};

/// The lines of a coverage listing about the given files, and the counts line: the embedded
/// rules' line numbers move whenever they are edited, a fixture's do not.
fn lines_about(out: &str, files: &[&str]) -> String {
    out.lines()
        .filter(|l| {
            files.iter().any(|f| l.contains(f) && l.contains("% ")) || l.ends_with(" failed")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_passing_run_lists_each_case_and_the_counts_last() {
    let out = ok(&["test", "--rules", "fixtures/rules/tested"]);
    assert_eq!(out.lines().last(), Some("4 passed, 0 failed"), "{out}");
    insta::assert_snapshot!("passing_table", redact_rules_hash(&out));
}

#[test]
fn a_changed_constant_fails_the_cases_it_moves_and_names_the_rule() {
    // The council's copy of classify.rhai puts AT_RISK_SLACK_DAYS at 62 instead of 31; its copy of
    // the embedded tests shows which expectations no longer hold.
    let run = routemap(&["test", "--rules", "fixtures/rules/slack-62"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(run.stdout.lines().last(), Some("7 passed, 3 failed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("R8 status: expected `on_track`, got `at_risk"),
        "the model case names the outcome, the expectation and the value:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> fixtures/rules/slack-62/classify.rhai:56:9"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("failing_table", redact_rules_hash(&run.stdout));
}

#[test]
fn a_failing_hook_unit_test_in_json() {
    let run = routemap(&[
        "test",
        "--rules",
        "fixtures/rules/slack-62",
        "--filter",
        "a month of slack or more",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut out = json(&run.stdout);
    assert_eq!(out["passed"], 0);
    assert_eq!(out["failed"], 1);
    assert_eq!(out["cases"][0]["failures"][0]["expectation"], "returns.status");
    assert_eq!(out["cases"][0]["failures"][0]["rule"]["line"], 56);
    assert!(out.get("coverage").is_none(), "coverage only when asked for");
    out["rules"]["hash"] = "[hash]".into();
    insta::assert_json_snapshot!("failing_hook_json", out);
}

/// A hook whose answer holds a helper's text (`days()` words its reasons) is located at the hook's
/// own line that answered: the `return` for a hook case and a model case, the final expression
/// where the hook ends on one; never at the helper's line, which ran last.
#[test]
fn a_failure_names_the_hooks_line_not_a_helpers() {
    let run = routemap(&["test", "--rules", "fixtures/rules/helper-reason"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(run.stdout.lines().last(), Some("0 passed, 3 failed"), "{}", run.stdout);
    let at = |line: u32| format!("--> fixtures/rules/helper-reason/classify.rhai:{line}:");
    assert_eq!(run.stdout.matches(&at(13)).count(), 2, "the `return`:\n{}", run.stdout);
    assert_eq!(run.stdout.matches(&at(19)).count(), 1, "the final expression:\n{}", run.stdout);
    assert!(!run.stdout.contains(&at(25)) && !run.stdout.contains(&at(27)), "{}", run.stdout);

    let run = routemap(&["test", "--rules", "fixtures/rules/helper-reason", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = json(&run.stdout);
    let lines: Vec<(String, &serde_json::Value)> = out["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| (c["name"].as_str().unwrap_or_default().to_string(), &c["failures"][0]["rule"]))
        .collect();
    for (name, rule) in &lines {
        assert_eq!(rule["file"], "fixtures/rules/helper-reason/classify.rhai", "{name}");
    }
    let line_of: Vec<&serde_json::Value> = lines.iter().map(|(_, r)| &r["line"]).collect();
    assert_eq!(line_of, [13, 13, 19], "{lines:?}");
}

#[test]
fn a_hook_unit_test_passes_alone() {
    let out = json(&ok(&[
        "test",
        "--rules",
        "fixtures/rules/tested",
        "--filter",
        "fortnight",
        "--format",
        "json",
    ]));
    assert_eq!(out["passed"], 1);
    assert_eq!(out["failed"], 0);
    assert_eq!(out["cases"].as_array().map(Vec::len), Some(1));
    assert_eq!(out["cases"][0]["name"], "a fortnight of slack is at risk");
    assert_eq!(out["cases"][0]["file"], "fixtures/rules/tested/tests/slack.yaml");
    assert_eq!(out["cases"][0]["passed"], true);
}

#[test]
fn coverage_lists_the_lines_never_reached() {
    // Only the two slack cases run (both fail under the stricter rule): the other branches of
    // classify are never reached.
    let run = routemap(&[
        "test",
        "--rules",
        "fixtures/rules/slack-62",
        "--coverage",
        "--filter",
        "slack",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let about = lines_about(&run.stdout, &["slack-62/classify.rhai"]);
    insta::assert_snapshot!("coverage_table", about);
    let run = routemap(&[
        "test",
        "--rules",
        "fixtures/rules/slack-62",
        "--coverage",
        "--filter",
        "slack",
        "--format",
        "json",
    ]);
    let out = json(&run.stdout);
    let files = out["coverage"]["files"].as_array().expect("coverage files");
    let classify = files
        .iter()
        .find(|f| f["file"] == "fixtures/rules/slack-62/classify.rhai")
        .expect("the council's classify.rhai");
    insta::assert_json_snapshot!("coverage_classify_json", classify);
    let rule_files = out["rules"]["files"].as_array().expect("rules.files").len();
    assert_eq!(files.len(), rule_files, "every rule file is listed, embedded or not");
    assert_eq!(
        rule_files, 8,
        "deadlines, forecast, classify, funding, risk, bvpi, ieg and simulate"
    );
}

#[test]
fn a_threshold_the_tests_do_not_reach_exits_1() {
    let run = routemap(&["test", "--rules", "fixtures/rules/tested", "--threshold", "90"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("is under the threshold of 90%"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().last(), Some("4 passed, 0 failed"), "{}", run.stdout);
}

#[test]
fn the_embedded_rules_pass_their_tests_with_every_line_run() {
    let out = ok(&["test", "--coverage", "--threshold", "100"]);
    assert!(out.ends_with(" passed, 0 failed\n"), "{out}");
    let out = json(&ok(&["test", "--coverage", "--format", "json"]));
    assert_eq!(out["failed"], 0);
    assert_eq!(out["coverage"]["percent"], 100.0);
    for f in out["coverage"]["files"].as_array().expect("coverage files") {
        assert_eq!(f["missed"], serde_json::json!([]), "{f}");
        assert!(f["lines"].as_u64().is_some_and(|n| n > 0), "{f}");
    }
    // Every hook of every rule file is called directly by at least one case.
    let names = out["cases"].as_array().expect("cases").len();
    assert!(names >= 40, "{names} cases");
}

#[test]
fn the_same_tests_give_the_same_bytes() {
    let args = ["test", "--coverage", "--format", "json"];
    assert_eq!(ok(&args), ok(&args));
}

#[test]
fn mistakes_in_test_files_are_located() {
    let stderr = bad(&["test", "--rules", "fixtures/rules/bad-tests"]);
    assert!(stderr.contains("fixtures/rules/bad-tests/tests/unknown-key.yaml:8:7"), "{stderr}");
    assert!(stderr.contains("fixtures/rules/bad-tests/tests/mistakes.yaml:33:25"), "{stderr}");
    insta::assert_snapshot!("bad_tests_stderr", stderr);
}

#[test]
fn a_rule_that_fails_under_test_is_located() {
    let stderr = bad(&["test", "--rules", "fixtures/rules/failing"]);
    assert!(stderr.contains("in case `an outcome with work still to do`"), "{stderr}");
    assert!(stderr.contains("fixtures/rules/failing/classify.rhai:8:18"), "{stderr}");
    insta::assert_snapshot!("failing_rule_stderr", stderr);
}

#[test]
fn a_rules_directory_without_tests_is_an_error() {
    let stderr = bad(&["test", "--rules", "fixtures/rules/not-started-off-track"]);
    assert!(stderr.contains("fixtures/rules/not-started-off-track/tests"), "{stderr}");
}

#[test]
fn test_takes_its_models_from_the_test_files() {
    let stderr = bad(&["--model", "fixtures/charnwood/routemap.yaml", "test"]);
    assert!(stderr.contains("takes no --model"), "{stderr}");
}

#[test]
fn help_ends_with_examples() {
    let help = ok(&["test", "--help"]);
    let tail: Vec<&str> = help.trim_end().lines().rev().take(3).collect();
    assert!(tail.iter().any(|l| l.contains("routemap test --coverage --threshold 100")), "{help}");
    assert!(tail.iter().any(|l| l.contains("routemap test --rules my-rules")), "{help}");
}
