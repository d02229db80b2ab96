//! BVPI 157 and the IEG return (issue 15): `routemap bvpi` and `routemap ieg-return` through the
//! real binary, snapshotted in every format on the embedded Charnwood routemap; what their JSON
//! must say whatever the snapshots hold; the step curve never falls and ends at the table's
//! target once all the work is complete; a group with no linked work is reported, not enabled; a
//! model with no BVPI 157 table gets a message saying what to add; the rule, not the code,
//! decides when a group is enabled; and the model's links quote the routemap.
//!
//! The rule files' identity is taken out of the snapshots ([`crate::common::redact_rules`]): it changes
//! whenever any rule file is edited, even one these reports never call.

use crate::common::{bad, config, json, ok, redact_rules, routemap};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use routemap::model::{self, Source};
use routemap::scenario::{self, Scenario, Slip};
use routemap::session::Session;
use serde_json::Value;

/// The small council model: dated work, undated work, an action, and a group with no work.
const SMALL: &str = "fixtures/bvpi/small.yaml";
/// A model with no BVPI 157 table.
const NO_TABLE: &str = "fixtures/bvpi/no-table.yaml";
/// The routemap document the embedded model was transcribed from.
const SEED: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/charnwood/strategy-and-routemap-v3.txt");

fn ok_redacted(args: &[&str]) -> String {
    redact_rules(&ok(args))
}

/// The percentages of a JSON curve, in order.
fn curve(v: &Value) -> Vec<u64> {
    v["curve"]
        .as_array()
        .expect("curve")
        .iter()
        .map(|s| s["percent"].as_u64().expect("a percentage"))
        .collect()
}

/// Every piece of work linked to the groups of a BVPI JSON output, each once, in order.
fn group_work(v: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for g in v["groups"].as_array().expect("groups") {
        for w in g["work"].as_array().expect("work") {
            let id = w["id"].as_str().expect("an id").to_string();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Split CSV text into records and fields (RFC 4180: quoted fields, doubled quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "an unclosed quote in:\n{text}");
    assert!(field.is_empty() && row.is_empty(), "the last record has no line end:\n{text}");
    rows
}

// ---- Snapshots on the embedded routemap ---------------------------------------------------------

#[test]
fn bvpi_table() {
    let out = ok_redacted(&["bvpi"]);
    // The table leads with the answer.
    let answer = out.split_once("\n\n").map_or("", |(_, rest)| rest);
    assert!(answer.starts_with("90% of customer-facing processes forecast e-enabled on 31 December 2005, against a target of 100%"), "{out}");
    insta::assert_snapshot!("bvpi_table", out);
}

#[test]
fn bvpi_json() {
    insta::assert_snapshot!("bvpi_json", ok_redacted(&["bvpi", "--format", "json"]));
}

#[test]
fn bvpi_markdown() {
    insta::assert_snapshot!("bvpi_md", ok_redacted(&["bvpi", "--format", "md"]));
}

#[test]
fn bvpi_csv() {
    let out = ok(&["bvpi", "--format", "csv"]);
    let rows = parse_csv(&out);
    assert_eq!(rows.len(), 11, "a header and one row per interaction group:\n{out}");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "ragged rows:\n{out}");
    insta::assert_snapshot!("bvpi_csv", out);
}

#[test]
fn ieg_return_csv() {
    let out = ok(&["ieg-return"]);
    let rows = parse_csv(&out);
    assert_eq!(rows[0][0], "code");
    assert_eq!(rows.len(), 55, "a header and one row per outcome:\n{out}");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()), "ragged rows:\n{out}");
    let codes: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!((codes[0], codes[28], codes[29], codes[53]), ("R1", "R29", "G1", "G25"));
    // R4's title holds commas, so it is quoted and still one field.
    let r4 = &rows[4];
    assert!(r4[2].starts_with("Community safety - Local authority"), "{r4:?}");
    insta::assert_snapshot!("ieg_return_csv", out);
}

#[test]
fn ieg_return_markdown() {
    insta::assert_snapshot!("ieg_return_md", ok_redacted(&["ieg-return", "--format", "md"]));
}

#[test]
fn ieg_return_json() {
    insta::assert_snapshot!("ieg_return_json", ok_redacted(&["ieg-return", "--format", "json"]));
}

// ---- What the outputs must say ------------------------------------------------------------------

#[test]
fn bvpi_json_keeps_its_contract() {
    let v = json(&ok(&["bvpi", "--format", "json"]));
    assert_eq!(v["as_of"], "2005-04-13");
    assert_eq!(v["baseline_percent"], 69);
    assert_eq!(v["target_percent"], 100);
    assert_eq!(v["deadline"], "2005-12-31");
    let groups = v["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 10);
    let targets: Vec<u64> = groups.iter().map(|g| g["target_percent"].as_u64().unwrap()).collect();
    assert_eq!(targets, [75, 75, 82, 85, 86, 92, 93, 95, 96, 100]);
    for g in groups {
        for key in ["interaction", "processes", "target_percent", "forecast", "drivers"] {
            assert!(g.get(key).is_some(), "a group without `{key}`: {g:#}");
        }
        // Each group's forecast is its work's: the work holding it up is among its work, and a
        // forecast is the latest of its work's forecasts (the default rule).
        let work = g["work"].as_array().unwrap();
        let forecasts: Vec<Option<&str>> = work.iter().map(|w| w["forecast"].as_str()).collect();
        let expected = if forecasts.contains(&None) {
            None
        } else {
            forecasts.iter().flatten().max().copied()
        };
        assert_eq!(g["forecast"].as_str(), expected, "{g:#}");
        let by = g["held_up_by"].as_str().expect("held_up_by");
        assert!(work.iter().any(|w| w["id"] == by), "{g:#}");
        assert_eq!(g["drivers"].as_array().unwrap().last().unwrap(), by, "{g:#}");
    }
    // The December figure is the baseline plus the points of the groups enabled by then.
    let gained: u64 = groups
        .iter()
        .filter(|g| g["enabled_by_deadline"] == true)
        .map(|g| g["gain_percent"].as_u64().unwrap())
        .sum();
    assert_eq!(v["forecast_percent_at_deadline"], 69 + gained);
    // 90: the undated contact centre and customer service centre are assumed done in time for
    // the work that waits on them (UNDATED_DONE_IN_TIME), so Regulation and Booking (part two)
    // are enabled by December.
    assert_eq!(v["forecast_percent_at_deadline"], 90);
    let missed: Vec<&str> =
        v["missed"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(
        missed,
        ["Application for services (part one)", "Consultation", "Providing benefits and grants"]
    );
    assert_eq!(v["model"]["hash"].as_str().map(str::len), Some(12));
    assert_eq!(v["rules"]["hash"].as_str().map(str::len), Some(12));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for format in ["table", "json", "md", "csv"] {
        assert_eq!(ok(&["bvpi", "--format", format]), ok(&["bvpi", "--format", format]));
    }
    for format in ["csv", "md", "json"] {
        assert_eq!(
            ok(&["ieg-return", "--format", format]),
            ok(&["ieg-return", "--format", format])
        );
    }
}

#[test]
fn the_step_curve_starts_at_the_baseline_and_never_falls() {
    let v = json(&ok(&["bvpi", "--format", "json"]));
    let c = curve(&v);
    assert_eq!(c[0], 69, "{v:#}");
    assert!(c.windows(2).all(|w| w[0] <= w[1]), "the curve falls: {c:?}");
    let dates: Vec<&str> =
        v["curve"].as_array().unwrap().iter().map(|s| s["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "steps out of order: {dates:?}");
    // The group that waits on the undated contact centre steps up on the date the work waiting
    // on it needs it by (an assumption), after the deadline.
    let step = v["curve"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g == "Application for services (part one)")
        })
        .expect("a step for Application for services (part one)");
    assert_eq!(step["date"], "2006-03-31", "{v:#}");
}

#[test]
fn with_all_its_work_complete_the_curve_ends_at_the_tables_target() {
    let v = json(&ok(&["bvpi", "--format", "json"]));
    let slips: Vec<String> =
        group_work(&v).iter().map(|id| format!("--slip={id}=complete")).collect();
    let mut args = vec!["bvpi", "--format", "json"];
    args.extend(slips.iter().map(String::as_str));
    let done = json(&ok(&args));
    let c = curve(&done);
    assert_eq!(c.last().copied(), Some(100), "{done:#}");
    assert_eq!(done["forecast_percent_at_deadline"], 100);
    assert_eq!(done["final_percent"], 100);
    assert_eq!(done["missed"], serde_json::json!([]));
    assert_eq!(done["slips"].as_array().unwrap().len(), slips.len());
    assert!(c.windows(2).all(|w| w[0] <= w[1]), "the curve falls: {c:?}");
    args[2] = "table";
    let table = ok(&args);
    assert!(
        table.contains("Every interaction group is forecast enabled by 31 December 2005."),
        "{table}"
    );
}

/// Slips of the groups' work, later or complete, as a user writes them.
fn slips_of(work: Vec<String>) -> impl Strategy<Value = Vec<String>> {
    let n = work.len();
    proptest::collection::vec((0..n, 0u32..=200, any::<bool>()), 0..6).prop_map(move |picks| {
        picks
            .into_iter()
            .map(|(i, days, complete)| {
                if complete {
                    format!("{}=complete", work[i])
                } else {
                    format!("{}=+{days}d", work[i])
                }
            })
            .collect()
    })
}

#[test]
fn no_slip_makes_the_curve_fall_or_pass_the_tables_target() {
    let s = Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates");
    let base = routemap::bvpi::evaluate(&s.model, &s.graph, &s.rules, &s.assessment)
        .expect("the BVPI rules run")
        .expect("the embedded routemap has a BVPI 157 table");
    let work: Vec<String> = {
        let mut ids: Vec<String> = Vec::new();
        for g in &base.groups {
            for n in &g.work {
                let id = s.graph.dag[*n].id.clone();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    };
    let mut runner = TestRunner::new(config());
    let result = runner.run(&slips_of(work), |texts| {
        let mut slips = Vec::new();
        for t in &texts {
            slips.push(Slip::parse(t).map_err(|d| TestCaseError::fail(d.to_string()))?);
        }
        let sc = Scenario { name: "test".into(), description: None, as_of: None, slips };
        // Complete work cannot slip later; such a scenario is refused, not a forecast.
        let Ok(after) = scenario::run(&s.model, &s.graph, &s.rules, &s.assessment, &sc) else {
            return Ok(());
        };
        let f = routemap::bvpi::evaluate(&s.model, &s.graph, &s.rules, &after)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .expect("a table");
        let c: Vec<u32> = f.curve.iter().map(|st| st.percent).collect();
        prop_assert!(c.windows(2).all(|w| w[0] <= w[1]), "{texts:?}: the curve falls: {c:?}");
        prop_assert!(c.iter().all(|p| *p <= f.final_percent), "{texts:?}: {c:?}");
        prop_assert_eq!(f.percent_at_deadline, f.percent_on(f.deadline));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

// ---- A group with no work, a model with no table ------------------------------------------------

#[test]
fn a_group_with_no_linked_work_is_reported_and_never_enabled() {
    let v = json(&ok(&["bvpi", "--model", SMALL, "--format", "json"]));
    let regulation = &v["groups"][3];
    assert_eq!(regulation["interaction"], "Regulation");
    assert_eq!(regulation["work"], serde_json::json!([]));
    assert_eq!(regulation["forecast"], Value::Null);
    assert_eq!(regulation["enabled_by_deadline"], false);
    assert_eq!(regulation["reason"], "no routemap work is linked to it");
    // All the other work complete: still not enabled, so the curve stops short of 100%.
    let done = json(&ok(&[
        "bvpi",
        "--model",
        SMALL,
        "--format",
        "json",
        "--slip",
        "e-forms=complete",
        "--slip",
        "contact-centre-rollout=complete",
        "--slip",
        "29=complete",
    ]));
    assert_eq!(done["missed"], serde_json::json!(["Regulation"]));
    assert_eq!(curve(&done).last().copied(), Some(95));
    let table = ok(&["bvpi", "--model", SMALL]);
    assert!(
        table.contains("  Regulation (+5 points): no routemap work is linked to it\n"),
        "{table}"
    );
    insta::assert_snapshot!("bvpi_small_table", redact_rules(&table));
}

#[test]
fn a_rule_cannot_enable_a_group_with_no_linked_work() {
    let err = bad(&["--rules", "fixtures/rules/bvpi-enables-unlinked", "bvpi", "--model", SMALL]);
    insta::assert_snapshot!("bvpi_enables_unlinked_stderr", err);
    assert!(err.contains("a date for a group with no linked work for `Regulation`"), "{err}");
}

#[test]
fn a_model_with_no_bvpi_table_is_told_what_to_add() {
    let err = bad(&["bvpi", "--model", NO_TABLE]);
    insta::assert_snapshot!("bvpi_no_table_stderr", err);
    assert!(err.contains("has no BVPI 157 table"), "{err}");
    assert!(err.contains("add a `bvpi157:` section"), "{err}");
    // The other commands carry on without it: the return says there is none, what-if adds no
    // BVPI figures.
    let r = json(&ok(&["ieg-return", "--model", NO_TABLE, "--format", "json"]));
    assert_eq!(r["bvpi157"], Value::Null);
    let md = ok(&["ieg-return", "--model", NO_TABLE, "--format", "md"]);
    assert!(md.contains("**BVPI 157:** the model has no BVPI 157 table."), "{md}");
    let w = json(&ok(&["what-if", "--model", NO_TABLE, "--slip", "29=+1m", "--format", "json"]));
    assert!(w.get("bvpi157").is_none(), "{w:#}");
}

// ---- Rules decide -------------------------------------------------------------------------------

#[test]
fn the_rule_decides_when_a_group_is_enabled_and_the_target() {
    let v = json(&ok(&[
        "--rules",
        "fixtures/rules/bvpi-half-done",
        "bvpi",
        "--model",
        SMALL,
        "--format",
        "json",
    ]));
    assert_eq!(v["target_percent"], 95);
    assert_eq!(v["deadline"], "2006-03-31");
    // Half of action 29's two tasks: the May 2005 one.
    assert_eq!(v["groups"][2]["forecast"], "2005-05-31");
    assert_eq!(v["groups"][2]["reason"], "enabled once 1 of its 2 pieces of work finish");
    assert!(
        v["rules"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "fixtures/rules/bvpi-half-done/bvpi.rhai"),
        "{v:#}"
    );
    // The default rule waits for both.
    let d = json(&ok(&["bvpi", "--model", SMALL, "--format", "json"]));
    assert_eq!(d["groups"][2]["forecast"], "2006-02-28");
}

#[test]
fn ieg_positions_are_the_rules_words_for_each_status() {
    let v = json(&ok(&["ieg-return", "--format", "json"]));
    let f = json(&ok(&["forecast", "--format", "json"]));
    for (line, outcome) in
        v["outcomes"].as_array().unwrap().iter().zip(f["outcomes"].as_array().unwrap())
    {
        assert_eq!(line["code"], outcome["code"]);
        assert_eq!(line["status"], outcome["status"]);
        assert_eq!(line["expected"], outcome["forecast"]);
        let words = match outcome["status"].as_str().unwrap() {
            "achieved" => "Achieved",
            "on_track" => "On target to achieve by the deadline",
            "at_risk" => "At risk of missing the deadline",
            "off_track" => "Will not be achieved by the deadline",
            "not_applicable" => "Not applicable",
            _ => "Not yet known",
        };
        assert_eq!(line["position"], words, "{line:#}");
    }
    assert_eq!(v["bvpi157"]["forecast_percent_at_deadline"], 90);
}

// ---- what-if, risk-report -----------------------------------------------------------------------

#[test]
fn what_if_gives_the_change_in_the_december_percentage() {
    let v =
        json(&ok(&["what-if", "--slip", "contact-centre-rollout=2005-09-30", "--format", "json"]));
    let b = &v["bvpi157"];
    assert_eq!(b["deadline"], "2005-12-31");
    assert_eq!(b["baseline_percent_at_deadline"], 90);
    assert_eq!(b["scenario_percent_at_deadline"], 96);
    assert_eq!(b["change_percent"], 6);
    assert_eq!(b["groups"][0]["interaction"], "Application for services (part one)");
    assert_eq!(b["groups"][0]["scenario"], "2005-12-31");
    let table = ok(&["what-if", "--slip", "contact-centre-rollout=2005-09-30"]);
    assert!(table.ends_with("BVPI 157 on 31 Dec 2005: 90% -> 96% (+6 points)\n"), "{table}");
    // The same slip through bvpi gives the same figure.
    let direct =
        json(&ok(&["bvpi", "--slip", "contact-centre-rollout=2005-09-30", "--format", "json"]));
    assert_eq!(direct["forecast_percent_at_deadline"], 96);
}

#[test]
fn the_risk_report_states_the_bvpi_forecast_in_a_section_of_its_own() {
    let md = ok(&["risk-report"]);
    let section = md
        .split("\n## ")
        .find(|s| s.starts_with("BVPI 157: e-enabled customer-facing processes"))
        .expect("a BVPI 157 section");
    assert!(
        section.contains("90% of customer-facing processes are forecast to be e-enabled on 31 December 2005, against the target of 100%"),
        "{section}"
    );
    // Stated once, in its section, not under a register risk.
    let risk9 =
        md.split("\n## ").find(|s| s.starts_with("9. E-Government target")).expect("risk 9");
    assert!(!risk9.contains("**BVPI 157 forecast:**"), "{risk9}");
}

// ---- Errors and help ----------------------------------------------------------------------------

#[test]
fn a_bad_slip_is_refused() {
    let err = bad(&["bvpi", "--slip", "e-form=complete"]);
    assert!(err.contains("--slip"), "{err}");
    assert!(err.contains("did you mean `e-forms`?"), "{err}");
}

#[test]
fn a_broken_bvpi_rule_is_located() {
    let err = bad(&["--rules", "fixtures/rules/bvpi-bad-target", "bvpi"]);
    insta::assert_snapshot!("bvpi_bad_target_stderr", err);
}

#[test]
fn help_ends_with_examples() {
    for (command, example) in [
        ("bvpi", "  routemap bvpi --slip contact-centre-rollout=2005-09-30 --format json\n"),
        ("ieg-return", "  routemap ieg-return --format md\n"),
    ] {
        let run = routemap(&[command, "--help"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.ends_with(example), "{command} --help:\n{}", run.stdout);
        // Every example runs (its output redirection left to the shell).
        let examples = run.stdout.split("Examples:\n").nth(1).expect("an Examples section");
        for line in examples.lines() {
            let line = line.split('>').next().unwrap_or("").trim();
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            assert_eq!(line.split_whitespace().next(), Some("routemap"), "{line}");
            ok(&args);
        }
    }
}

// ---- The model's links --------------------------------------------------------------------------

/// Runs of whitespace as one space and every kind of dash as `-`.
fn normalise(text: &str) -> String {
    let dashes = ['\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}'];
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace(dashes, "-")
}

#[test]
fn every_group_of_the_embedded_table_is_linked_with_the_routemaps_words() {
    let seed = std::fs::read_to_string(SEED).unwrap_or_else(|e| {
        panic!("cannot read {SEED}: {e}; this test checks the quotes against it")
    });
    let seed = normalise(&seed);
    let m = model::load_embedded().expect("the embedded model loads");
    let table = m.bvpi157.expect("the embedded model has a BVPI 157 table");
    assert_eq!(table.interactions.len(), 10);
    for row in &table.interactions {
        assert!(!row.enabled_by.is_empty(), "{} has no linked work", row.interaction);
        for link in &row.enabled_by {
            assert!(
                seed.contains(&normalise(&link.source)),
                "{} -> {}: the source is not in the routemap: {:?}",
                row.interaction,
                link.id,
                link.source
            );
        }
    }
}
