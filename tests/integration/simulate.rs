//! `routemap simulate`: Monte Carlo deadline risk from learnt slip distributions. Snapshots run
//! the real binary with a small run count; properties run the library.

use crate::common::{bad, config, json, ok, redact_rules, redact_rules_hash};
use proptest::prelude::*;
use routemap::model::Source;
use routemap::report::Evaluated;
use routemap::report::simulate::SimulateOut;
use routemap::session::Session;
use routemap::simulate::{Options, Plan, Simulation};
use serde_json::Value;

fn open(model: Option<&str>) -> Session {
    let source = match model {
        Some(p) => Source::Path(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p)),
        None => Source::Embedded,
    };
    Session::open(&source, None, None).expect("the routemap evaluates")
}

fn plan(s: &Session) -> Plan {
    Plan::new(&s.model, &s.graph, &s.rules, &s.assessment).expect("a plan")
}

fn run(s: &Session, p: &Plan, runs: u64, threads: usize) -> Simulation {
    p.run(&s.graph, &s.assessment, Options { runs, seed: 7, threads })
}

fn out(s: &Session, p: &Plan, sim: &Simulation) -> SimulateOut {
    let e =
        Evaluated { model: &s.model, graph: &s.graph, rules: &s.rules, assessment: &s.assessment };
    SimulateOut::new(&e, p, sim)
}

const SMALL: &str = "fixtures/simulate/small.yaml";

#[test]
fn table_leads_with_the_required_outcomes_worst_first() {
    let out = redact_rules_hash(&ok(&["simulate", "--runs", "300"]));
    insta::assert_snapshot!("simulate_table", out);
}

#[test]
fn json_keeps_the_contract() {
    let text = ok(&["simulate", "--runs", "300", "--format", "json"]);
    let v = json(&text);
    for key in ["runs", "seed", "outcomes", "exposure", "criticality", "model", "rules"] {
        assert!(v.get(key).is_some(), "no `{key}`");
    }
    for key in ["code", "p_on_time", "p50", "p80", "p95", "mean"] {
        assert!(v["outcomes"][0].get(key).is_some(), "no outcomes[].{key}");
    }
    for key in ["mean_gbp", "p80_gbp", "p95_gbp"] {
        assert!(v["exposure"].get(key).is_some(), "no exposure.{key}");
    }
    insta::assert_snapshot!("simulate_json", redact_rules(&text));
}

#[test]
fn markdown_and_csv() {
    insta::assert_snapshot!(
        "simulate_md",
        redact_rules_hash(&ok(&["simulate", "--runs", "300", "--format", "md"]))
    );
    insta::assert_snapshot!("simulate_csv", ok(&["simulate", "--runs", "300", "--format", "csv"]));
}

#[test]
fn distributions_show_their_evidence() {
    insta::assert_snapshot!("simulate_distributions", ok(&["simulate", "--distributions"]));
    let v = json(&ok(&["simulate", "--distributions", "--format", "json"]));
    let classes = v["classes"].as_array().expect("classes");
    assert!(classes.iter().any(|c| c["class"] == "task" && c["source"] == "task"));
    // Every class shows its probability of a miss with an interval around it.
    for c in classes {
        let m = &c["p_miss"];
        let (p, low, high) = (m["p"].as_f64(), m["low"].as_f64(), m["high"].as_f64());
        assert!(low <= p && p <= high, "{c:#}");
    }
}

#[test]
fn calibration_holds_each_observation_out() {
    let text = ok(&["simulate", "--calibration"]);
    insta::assert_snapshot!("simulate_calibration", text);
    let v = json(&ok(&["simulate", "--calibration", "--format", "json"]));
    let p50 = v["at_or_under_p50"].as_f64().expect("a share");
    let p80 = v["at_or_under_p80"].as_f64().expect("a share");
    assert!(p50 <= p80, "{p50} > {p80}");
    assert_eq!(
        v["held_out"].as_array().map(Vec::len),
        v["observations"].as_u64().map(|n| n as usize)
    );
}

#[test]
fn the_same_seed_gives_the_same_bytes_whatever_the_threads() {
    let args = |t: &'static str| {
        ["simulate", "--runs", "3000", "--seed", "11", "--threads", t, "--format", "json"]
    };
    let one = ok(&args("1"));
    assert_eq!(one, ok(&args("4")));
    let other =
        ok(&["simulate", "--runs", "3000", "--seed", "12", "--threads", "1", "--format", "json"]);
    assert_ne!(one, other, "another seed gives other runs");
}

#[test]
fn bad_arguments_exit_2() {
    insta::assert_snapshot!("simulate_runs_0_stderr", bad(&["simulate", "--runs", "0"]));
    insta::assert_snapshot!(
        "simulate_bad_rule_stderr",
        bad(&["--rules", "fixtures/simulate/bad-rules", "simulate", "--runs", "10"])
    );
}

#[test]
fn achieved_outcomes_are_always_on_time_and_percentiles_are_ordered() {
    let s = open(None);
    let p = plan(&s);
    let sim = run(&s, &p, 2000, 2);
    for o in &sim.outcomes {
        let r = s.assessment.outcomes.iter().find(|r| r.node == o.node).expect("its outcome");
        assert_ne!(r.standing, routemap::assess::Standing::NotApplicable);
        if r.standing == routemap::assess::Standing::Achieved {
            assert_eq!(o.on_time, sim.runs, "{:?}", s.graph.dag[o.node].id);
        }
        let order = |d: Option<chrono::NaiveDate>| d.unwrap_or(chrono::NaiveDate::MAX);
        assert!(order(o.p50) <= order(o.p80) && order(o.p80) <= order(o.p95));
    }
    let o = out(&s, &p, &sim);
    assert!(o.criticality.iter().all(|c| (0.0..=1.0).contains(&c.index)));
    assert!(o.exposure.p80_gbp <= o.exposure.p95_gbp);
    assert_eq!(sim.required_misses.iter().sum::<u64>(), sim.runs);
}

#[test]
fn with_no_spread_the_simulation_is_the_forecast() {
    for model in [None, Some(SMALL)] {
        let s = open(model);
        let mut p = plan(&s);
        p.without_spread();
        let sim = run(&s, &p, 500, 2);
        for o in &sim.outcomes {
            assert_eq!(o.p50, o.forecast, "{}", s.graph.dag[o.node].id);
            assert_eq!(o.p95, o.forecast, "{}", s.graph.dag[o.node].id);
            let on_time = o.forecast.is_some_and(|f| f <= o.deadline);
            assert_eq!(o.on_time == sim.runs, on_time, "{}", s.graph.dag[o.node].id);
        }
    }
}

#[test]
fn the_only_chain_of_a_single_chain_outcome_is_always_critical() {
    let s = open(Some(SMALL));
    let sim = run(&s, &plan(&s), 1000, 1);
    let r10 = sim.outcomes.iter().find(|o| s.graph.dag[o.node].id == "R10").expect("R10");
    let (node, index) = r10.most_critical.expect("a critical task");
    assert_eq!(s.graph.dag[node].id, "29.1");
    assert_eq!(index, 1.0);
}

#[test]
fn spread_on_work_no_outcome_waits_on_changes_nothing() {
    let s = open(Some(SMALL));
    let p = plan(&s);
    let mut wider = p.clone();
    let local = s.graph.node("90.1").expect("90.1");
    wider.shifted(local, 400);
    let (a, b) = (run(&s, &p, 1000, 2), run(&s, &wider, 1000, 2));
    let show = |x: &Simulation| serde_json::to_string(&out(&s, &p, x).outcomes).expect("json");
    assert_eq!(show(&a), show(&b));
    assert_eq!(a.exposure_mean, b.exposure_mean);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_later_distribution_never_raises_the_chance_of_being_on_time(pick in 0usize..1000, days in 0i32..400) {
        let s = open(None);
        let p = plan(&s);
        let node = p.sampled[pick % p.sampled.len()].node;
        let mut later = p.clone();
        later.shifted(node, days);
        let (a, b) = (run(&s, &p, 300, 1), run(&s, &later, 300, 1));
        for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
            prop_assert!(y.on_time <= x.on_time, "{}", s.graph.dag[x.node].id);
        }
    }
}

#[test]
fn a_scenario_without_spread_is_its_forecast() {
    let s = open(None);
    let sc = routemap::scenario::Scenario {
        name: "fms late".into(),
        description: None,
        as_of: None,
        slips: vec![routemap::scenario::Slip::parse("fms-replacement=+3m").expect("a slip")],
    };
    let after = routemap::scenario::run(&s.model, &s.graph, &s.rules, &s.assessment, &sc)
        .expect("the scenario runs");
    let mut p = Plan::new(&s.model, &s.graph, &s.rules, &after).expect("a plan");
    p.without_spread();
    let sim = p.run(&s.graph, &after, Options { runs: 200, seed: 1, threads: 1 });
    let moved = sim.outcomes.iter().filter(|o| o.forecast != s.assessment.forecast[o.node.index()]);
    assert!(moved.count() > 0, "the slip moves something");
    for o in &sim.outcomes {
        assert_eq!(o.p50, o.forecast, "{}", s.graph.dag[o.node].id);
    }
}

#[test]
fn what_if_and_risk_report_give_the_chance_beside() {
    let args =
        ["what-if", "--slip", "fms-replacement=+3m", "--simulate", "300", "--format", "json"];
    let v = json(&ok(&args));
    let rows = v["simulation"]["outcomes"].as_array().expect("simulation.outcomes");
    let r9 = rows.iter().find(|r| r["code"] == "R9").expect("R9 is not certain");
    assert!(r9["scenarios"][0].as_f64() < r9["baseline"].as_f64(), "{r9}");
    let mut without = v.clone();
    without.as_object_mut().expect("an object").remove("simulation");
    let plain = json(&ok(&["what-if", "--slip", "fms-replacement=+3m", "--format", "json"]));
    assert_eq!(without, plain, "the what-if fields stay as they are");
    let report = ok(&["risk-report", "--simulate", "300"]);
    assert!(report.contains("Simulation") && report.contains("| R9 | at risk |"), "{report}");
    // risk.rhai is given the simulation as evidence, and says what it shows.
    assert!(report.contains("in the simulation, 3 or more miss it in"), "{report}");
    let plain = ok(&["risk-report"]);
    assert!(!plain.contains("in the simulation"), "{plain}");
}

/// 200 runs of the embedded routemap with every spread set to zero, as JSON.
fn without_spread() -> Value {
    json(&ok(&[
        "--rules",
        "fixtures/simulate/no-spread",
        "simulate",
        "--runs",
        "200",
        "--format",
        "json",
    ]))
}

#[test]
fn a_rule_with_no_spread_gives_the_forecast_through_the_binary() {
    let sim = without_spread();
    let forecast =
        json(&ok(&["--rules", "fixtures/simulate/no-spread", "forecast", "--format", "json"]));
    let outcomes = sim["outcomes"].as_array().expect("outcomes");
    // The 9 outcomes a district does not deliver are left out of the runs.
    assert_eq!(outcomes.len(), 45);
    let applicable = forecast["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .filter(|f| f["status"] != "not_applicable");
    for (s, f) in outcomes.iter().zip(applicable) {
        assert_eq!(s["code"], f["code"]);
        assert_eq!(s["p50"], f["forecast"], "{}", s["code"]);
        assert_eq!(s["p95"], f["forecast"], "{}", s["code"]);
    }
    assert_eq!(sim["exposure"]["p80_gbp"], sim["exposure"]["p95_gbp"]);
}

#[test]
fn a_slip_rule_missing_a_key_is_located() {
    let err = bad(&["--rules", "fixtures/simulate/missing-spread", "simulate", "--runs", "10"]);
    assert!(err.contains("returned a map with no `spread`"), "{err}");
    assert!(err.contains("fixtures/simulate/missing-spread/simulate.rhai:2:1"), "{err}");
}

#[test]
fn the_history_is_read_from_original_and_proposed_targets() {
    let v = json(&ok(&["--model", SMALL, "simulate", "--distributions", "--format", "json"]));
    let classes = v["classes"].as_array().expect("classes");
    // Classes are kinds of work, known when the target was set: never the status a slip caused.
    let task = classes.iter().find(|c| c["class"] == "task").expect("task");
    assert_eq!(task["source"], "task");
    // May to October 2005, December 2004 to November 2005, complete on its original, March to
    // June 2005, January to March 2005 (complete, on a later proposed date), and the style guide
    // not due yet.
    let evidence: Vec<(&str, &str, i64)> = task["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["evidence"].as_str().unwrap(),
                t["days"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        evidence,
        [
            ("29.1", "slip", 153),
            ("1.1", "slip", 334),
            ("5.1", "on_time", 0),
            ("90.1", "slip", 91),
            ("90.2", "slip", 59),
            ("90.3", "not_yet_due", 0)
        ]
    );
    // Four of five resolved targets missed; the one not yet due is not read as on time. Shrunk
    // towards every kind's figure (the same evidence here) by five observations' worth.
    let miss = &task["p_miss"];
    assert_eq!((miss["misses"].as_u64(), miss["observations"].as_u64()), (Some(4), Some(5)));
    assert_eq!(miss["p"], 0.8);
    assert_eq!(miss["effective_observations"], 10.0);
    assert!(miss["low"].as_f64().unwrap() < 0.8 && miss["high"].as_f64().unwrap() > 0.8);
    assert_eq!(v["censored"], serde_json::json!(["90.3"]));
    // Work re-planned once draws from the probability of a second miss.
    let future = |id: &str| {
        task["work"].as_array().unwrap().iter().find(|w| w["id"] == id).expect(id)["future"].clone()
    };
    assert_eq!(future("29.1"), "replanned");
    assert_eq!(future("90.3"), "target");
    // A kind with no evidence of its own borrows every kind's.
    let project = classes.iter().find(|c| c["class"] == "project").expect("a project");
    assert_eq!(project["source"], "pooled");
    assert_eq!(project["p_miss"]["p"], 0.8);
}

/// `--runs auto` runs until every headline probability's standard error is at most half a
/// point, and every probability carries its standard error.
#[test]
fn runs_auto_bounds_the_standard_errors() {
    let v = json(&ok(&["simulate", "--runs", "auto", "--format", "json"]));
    let se = v["max_headline_se"].as_f64().unwrap();
    assert!(se <= 0.005, "{se}");
    let runs = v["runs"].as_u64().unwrap();
    for o in v["outcomes"].as_array().unwrap() {
        let p = o["p_on_time"].as_f64().unwrap();
        let expected = (p * (1.0 - p) / runs as f64).sqrt();
        assert!((o["p_on_time_se"].as_f64().unwrap() - expected).abs() < 1e-4, "{o:#}");
    }
    // The same seed and runs give the same bytes as --runs N.
    let n = runs.to_string();
    assert_eq!(
        ok(&["simulate", "--runs", "auto", "--format", "json"]),
        ok(&["simulate", "--runs", &n, "--format", "json"])
    );
    assert!(bad(&["simulate", "--runs", "sometimes"]).contains("or `auto`"));
}

/// `--assumptions` reports the headline under each assumption varied: the range the stated
/// assumptions give, not only the one figure.
#[test]
fn the_headline_is_reported_under_its_assumptions() {
    let v = json(&ok(&["simulate", "--runs", "2000", "--assumptions", "--format", "json"]));
    let varied = v["assumptions"].as_array().expect("assumptions");
    let names: Vec<&str> = varied.iter().map(|a| a["assumption"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "common factor 0",
            "common factor 1",
            "spread of assumed dates x0.5",
            "spread of assumed dates x2",
            "P(miss) at its interval's lower end",
            "P(miss) at its interval's upper end"
        ]
    );
    let at = |k: usize| varied[k]["expected_required_misses"].as_f64().unwrap();
    // A lower probability of a miss never raises the expected misses; a higher never lowers it.
    let base = v["expected_required_misses"].as_f64().unwrap();
    assert!(at(4) <= base && base <= at(5), "{} {base} {}", at(4), at(5));
    let table = ok(&["simulate", "--runs", "2000", "--assumptions"]);
    assert!(table.contains("Under these assumptions, between "), "{table}");
    // Without the flag, no such section.
    assert!(json(&ok(&["simulate", "--runs", "100", "--format", "json"]))["assumptions"].is_null());
}

/// The synthetic calibration through the binary: routemap's learner passes on every known
/// process, the learner that ignores censoring fails on every one.
#[test]
fn the_synthetic_calibration_tells_a_wrong_learner_apart() {
    let v = json(&ok(&["simulate", "--calibration", "--format", "json"]));
    let checks: Vec<(&str, &str, bool)> = v["synthetic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (x["process"].as_str().unwrap(), x["learner"].as_str().unwrap(), x["passes"] == true)
        })
        .collect();
    assert_eq!(checks.len(), 6);
    for (process, learner, passes) in checks {
        assert_eq!(passes, learner == "censored", "{process} {learner}");
    }
}

/// With no spread every run is the forecast, so BVPI 157 on the deadline is what `routemap bvpi`
/// says; with the learnt spread it is never better than that, and the chance of the target is
/// reported.
#[test]
fn bvpi_157_by_the_deadline_is_simulated() {
    let bvpi = json(&ok(&["bvpi", "--format", "json"]));
    let forecast = bvpi["forecast_percent_at_deadline"].as_u64().expect("a percentage");
    let still = without_spread();
    let b = &still["bvpi157"];
    assert_eq!(b["p50_percent"].as_u64(), Some(forecast), "{b}");
    assert_eq!(b["target_percent"], bvpi["target_percent"]);
    let expected_p = if forecast >= b["target_percent"].as_u64().unwrap() { 1.0 } else { 0.0 };
    assert_eq!(b["p_target_by_deadline"].as_f64(), Some(expected_p));
    let spread = json(&ok(&["simulate", "--runs", "500", "--format", "json"]));
    let p50 = spread["bvpi157"]["p50_percent"].as_u64().expect("a percentage");
    assert!(p50 <= forecast, "slips never enable a group sooner: {p50} > {forecast}");
    let table = ok(&["simulate", "--runs", "500"]);
    assert!(table.contains("BVPI 157 on 2005-12-31: 100% reached in"), "{table}");
}

/// Standard errors shrink as the runs grow; work all on stated targets with slack is on time in
/// some runs and late in others, as the evidence of missed and held targets says.
#[test]
fn standard_errors_shrink_and_stated_work_with_slack_can_go_either_way() {
    let s = open(None);
    let p = plan(&s);
    let few = run(&s, &p, 1024, 2);
    let many = run(&s, &p, 8192, 2);
    assert!(many.max_se() < few.max_se(), "{} then {}", few.max_se(), many.max_se());
    assert!(many.expected_misses().1 < few.expected_misses().1);
    // R10 (29.1, May 2005) and R22 (59.2, June 2005) are on track on stated targets with months
    // of slack.
    for code in ["R10", "R22"] {
        let node = s.graph.node(code).expect(code);
        let o = many.outcomes.iter().find(|o| o.node == node).expect(code);
        assert!(0 < o.on_time && o.on_time < many.runs, "{code}: {} of {}", o.on_time, many.runs);
    }
    // A large model keeps fewer runs whole for rank correlations, never more than the budget.
    assert!(p.kept_runs() * (p.sampled.len() as u64 + 24) <= 20_000_000);
}

/// A register risk that names the work it delays occurs in about its share of runs, drives the
/// risk of the outcomes that work serves and of no other, and its proposed action's lower
/// probability buys back part of it.
#[test]
fn a_register_risk_drives_the_outcomes_its_work_serves() {
    let v = json(&ok(&[
        "--model",
        "fixtures/simulate/register-risk.yaml",
        "simulate",
        "--runs",
        "4000",
        "--format",
        "json",
    ]));
    let ev = &v["risk_events"][0];
    assert_eq!(ev["ref"], "4");
    let p = ev["p_occurred"].as_f64().unwrap();
    let se = (0.25f64 / 4000.0).sqrt();
    assert!((p - 0.5).abs() < 4.0 * se, "{p}");
    // Only R8 moves: on time exactly when the risk does not occur (its delay of two to four
    // months exceeds its 61 days of slack).
    let moved: Vec<&str> =
        ev["outcomes"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
    assert_eq!(moved, ["R8"]);
    assert_eq!(ev["outcomes"][0]["p_on_time_without"], 1.0);
    assert!((ev["outcomes"][0]["p_on_time"].as_f64().unwrap() - (1.0 - p)).abs() < 1e-9);
    let (with, without, mitigated) = (
        ev["expected_required_misses"].as_f64().unwrap(),
        ev["expected_required_misses_without"].as_f64().unwrap(),
        ev["expected_required_misses_mitigated"].as_f64().unwrap(),
    );
    assert!(without < mitigated && mitigated < with, "{without} {mitigated} {with}");
    // A delay's points out of order are refused, located.
    let dir = crate::test::TempDir::new("register-risk");
    let text = std::fs::read_to_string("fixtures/simulate/register-risk.yaml").unwrap();
    let path = dir.path("backwards.yaml");
    std::fs::write(&path, text.replace("earliest: 2m", "earliest: 5m")).unwrap();
    let err = bad(&["--model", &path, "check"]);
    assert!(err.contains("the delay's earliest, likely and latest are out of order"), "{err}");
    assert!(err.contains("backwards.yaml:"), "{err}");
}
