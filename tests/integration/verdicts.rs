//! What each verdict rests on: the council's own dates or a named assumption, and what would
//! change it; outcomes the council does not deliver; estimates for undated work; outcomes nothing
//! in the routemap serves, shown as one group; and the IEG grant judged on the return. On a small
//! district's routemap (fixtures/verdicts/district.yaml says what each outcome is there to show)
//! and on the embedded one.

use crate::common::{bad, json, ok, outcome, routemap};
use serde_json::Value;

const DISTRICT: &str = "fixtures/verdicts/district.yaml";

fn on_district(args: &[&str]) -> String {
    ok(&[&["--model", DISTRICT], args].concat())
}

/// `text` written as `name` in `dir`; its path.
fn write(dir: &crate::test::TempDir, name: &str, text: &str) -> String {
    let path = dir.path(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
    path
}

#[test]
fn each_verdict_carries_its_basis() {
    let f = json(&on_district(&["forecast", "--format", "json"]));
    let basis = |code: &str| {
        let o = outcome(&f, code);
        (o["status"].as_str().unwrap().to_string(), o["basis"].as_str().unwrap().to_string())
    };
    // On the council's own dates.
    assert_eq!(basis("R8"), ("on_track".into(), "stated".into()));
    assert_eq!(basis("R16"), ("off_track".into(), "stated".into()));
    // On the rules' assumptions: a duration, work with no date, an estimate.
    assert_eq!(basis("R9"), ("off_track".into(), "assumed".into()));
    assert_eq!(basis("R10"), ("at_risk".into(), "assumed".into()));
    assert_eq!(basis("R11"), ("at_risk".into(), "assumed".into()));
    assert_eq!(outcome(&f, "R9")["assumptions"], serde_json::json!(["dms"]));
    // Nothing serves R3: the rule's UNSERVED_STATUS decides it.
    assert_eq!(basis("R3"), ("off_track".into(), "assumed".into()));
    assert_eq!(outcome(&f, "R3")["served"], false);
    assert_eq!(outcome(&f, "R8")["served"], true);
    // Every assumption named, with the work it is about.
    let texts: Vec<&str> =
        f["assumptions"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(texts, ["dms", "booking-product", "4.1"]);

    // The table marks the assumed verdicts and says which off-track ones are which.
    let table = on_district(&["forecast"]);
    let prose = table.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(prose.contains("Off track on the council's own dates: R16; only on the rules' assumptions: R9; not in the routemap at all: 39 (listed below)"), "{table}");
    let r9 = table.lines().find(|l| l.starts_with("  R9 ")).expect("R9's row");
    assert!(r9.contains("off track*"), "{r9}");
    let r16 = table.lines().find(|l| l.starts_with("  R16 ")).expect("R16's row");
    assert!(r16.contains("off track ") && !r16.contains('*'), "{r16}");
    assert!(table.contains("* the verdict rests on a rule's assumption"), "{table}");

    // CSV carries the basis, the forecast's basis and the assumed work, in its last columns.
    let csv = on_district(&["forecast", "--format", "csv"]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",basis,forecast_basis,assumptions"), "{header}");
    let row = csv.lines().find(|l| l.starts_with("R9,")).expect("R9");
    assert!(row.ends_with(",assumed,assumed,dms"), "{row}");
    let row = csv.lines().find(|l| l.starts_with("R16,")).expect("R16");
    assert!(row.ends_with(",stated,stated,"), "{row}");
}

#[test]
fn fail_on_can_count_only_the_councils_own_dates() {
    let all = routemap(&["--model", DISTRICT, "forecast", "--fail-on", "off_track"]);
    assert_eq!(all.code, 1);
    assert!(all.stderr.contains(" R9, ") && all.stderr.contains(" R16, "), "{}", all.stderr);
    let stated =
        routemap(&["--model", DISTRICT, "forecast", "--fail-on", "off_track", "--fail-on-stated"]);
    assert_eq!(stated.code, 1);
    assert!(stated.stderr.contains("gate tripped: 1 outcome has that status"), "{}", stated.stderr);
    assert!(stated.stderr.contains("off_track (1): R16\n"), "{}", stated.stderr);
}

#[test]
fn explain_names_the_assumption_that_decides_a_verdict() {
    let text = on_district(&["explain", "R9"]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Basis: assumed"), "{text}");
    assert!(
        text.contains("R9 is off track only because dms: commences 2005-08-31; assumed to take 6 months, finishing 2006-02-28; done by 31 Dec 2005 instead (the date the council's own dates need it by), R9 would be at risk"),
        "{text}"
    );
    let x = json(&on_district(&["explain", "R9", "--format", "json"]));
    let w = &x["without_assumptions"];
    assert_eq!(w["status"], "at_risk", "{x:#}");
    assert_eq!(w["forecast"], "2005-12-31");
    assert_eq!(w["deciding"][0]["id"], "dms");
    assert_eq!(w["deciding"][0]["replaced_by"], "2005-12-31");
    assert_eq!(w["deciding"][0]["status"], "at_risk");
    // A verdict on the council's own dates has nothing to take away.
    let x = json(&on_district(&["explain", "R16", "--format", "json"]));
    assert_eq!((&x["basis"], &x["without_assumptions"]), (&"stated".into(), &Value::Null));
}

#[test]
fn an_estimate_dates_undated_work() {
    let f = json(&on_district(&["forecast", "--format", "json"]));
    assert_eq!(outcome(&f, "R11")["forecast"], "2005-10-31");
    let text = f["assumptions"].as_array().unwrap().iter().find(|a| a["id"] == "4.1").unwrap();
    assert_eq!(
        text["text"],
        "4.1: \"To be determined\"; the model estimates 2005-08-31 to 2006-02-28, likeliest 2005-10-31"
    );
    // Undated work that dated work waits on is done in time for it, by the rule's default.
    assert_eq!(outcome(&f, "R10")["forecast"], "2005-11-30");
}

#[test]
fn outcomes_a_district_does_not_deliver_stand_apart() {
    let f = json(&on_district(&["forecast", "--format", "json"]));
    let na: Vec<&str> = f["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "not_applicable")
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    assert_eq!(na, ["R1", "R2", "R5", "R12", "R18", "R19", "G1", "G6", "G16", "G17"]);
    assert!(outcome(&f, "R19")["reason"].as_str().unwrap().contains("not by a district council"));
    assert!(outcome(&f, "R5")["reason"].as_str().unwrap().contains("the County publishes"));
    assert_eq!(f["summary"]["required"]["not_applicable"], 6);
    assert_eq!(f["summary"]["good"]["not_applicable"], 4);
    let table = on_district(&["forecast"]);
    assert!(table.contains("23 Required by 31 Dec 2005 (6 more not applicable):"), "{table}");
    assert!(table.contains("\nNot applicable to this council: 10 outcomes\n"), "{table}");
    assert!(!table.lines().any(|l| l.starts_with("  R19 ")), "{table}");

    // No weight in the funding, no row in the simulation, "Not applicable" in the IEG return.
    let x = json(&on_district(&["exposure", "--format", "json"]));
    let r19 = outcome(&x, "R19");
    assert_eq!((&r19["status"], &r19["at_risk_gbp"]), (&"not_applicable".into(), &0.into()));
    let s = json(&on_district(&["simulate", "--runs", "200", "--format", "json"]));
    let simulated: Vec<&str> =
        s["outcomes"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
    assert_eq!(simulated.len(), 54 - 10);
    assert!(!simulated.contains(&"R19") && !simulated.contains(&"R5"), "{simulated:?}");
    let ieg = json(&on_district(&["ieg-return", "--format", "json"]));
    assert_eq!(outcome(&ieg, "R19")["position"], "Not applicable");
    assert!(
        outcome(&ieg, "R9")["evidence"]
            .as_str()
            .unwrap()
            .contains("this position rests on the rules' assumptions, not the Council's own dates: dms: commences"),
        "{ieg:#}"
    );
    // Without a tier, every outcome applies.
    let embedded_tierless =
        std::fs::read_to_string(DISTRICT).unwrap().replace("  tier: district\n", "");
    let dir = crate::test::TempDir::new("verdicts-no-tier");
    let path = write(&dir, "routemap.yaml", &embedded_tierless);
    let f = json(&ok(&["--model", &path, "forecast", "--format", "json"]));
    assert_eq!(f["summary"]["required"]["not_applicable"], 1, "only the model's own mark, R5");
}

#[test]
fn unserved_outcomes_are_one_group() {
    let table = on_district(&["forecast"]);
    let group = table.split("\nNot in the routemap: 39 outcomes\n").nth(1).expect("the group");
    assert!(group.starts_with("  - R3, R4, R6, R7, R13,"), "{group}");
    assert!(!table.lines().any(|l| l.starts_with("  R3 ")), "{table}");
    let risk = on_district(&["risk-report"]);
    assert!(
        risk.contains(
            "Not in the routemap: no action or task serves these 18 Required outcomes (R3, R4,"
        ),
        "{risk}"
    );
    // Exposure reports their part apart.
    let x = json(&on_district(&["exposure", "--format", "json"]));
    let unserved: u64 = x["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            o["code"].as_str().is_some_and(|c| !["R8", "R9", "R10", "R11", "R16"].contains(&c))
        })
        .map(|o| o["at_risk_gbp"].as_u64().unwrap())
        .sum();
    assert_eq!(x["unserved_gbp"].as_u64(), Some(unserved));
    assert!(unserved > 0);
}

#[test]
fn the_grant_is_judged_on_the_return() {
    let x = json(&on_district(&["exposure", "--format", "json"]));
    let streams = x["streams"].as_array().unwrap();
    // Paid on 31 March 2005, before the as-of date: not at risk.
    assert_eq!(streams[0]["at_risk"], false);
    assert_eq!(streams[0]["paid_on"], "2005-03-31");
    assert_eq!(streams[0]["reason"], "paid on 31 March 2005, before the as-of date");
    // Still to be paid, and Required outcomes are off track: at risk in full, divided equally
    // among the Required outcomes off track (R9, R16 and the 18 no work serves).
    assert_eq!(
        (&streams[1]["at_risk"], &streams[1]["at_risk_gbp"]),
        (&true.into(), &150_000.into())
    );
    assert_eq!(streams[1]["method"], "return");
    assert_eq!(x["at_risk_gbp"], 150_000);
    let parts: Vec<u64> = x["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at_risk_gbp"].as_u64().unwrap())
        .filter(|g| *g > 0)
        .collect();
    assert_eq!(parts.len(), 20);
    assert_eq!(parts.iter().sum::<u64>(), 150_000);
    assert!(parts.iter().all(|p| *p == 7_500), "{parts:?}");
    assert!(
        x["method"]
            .as_str()
            .unwrap()
            .starts_with("Each stream still at risk is paid against a satisfactory IEG return")
    );
    // Once the outcomes have been judged, nothing is at risk.
    let later = json(&on_district(&["--as-of", "2006-04-02", "exposure", "--format", "json"]));
    assert_eq!(later["at_risk_gbp"], 0);
    // With the simulation: the share of runs in which the stream still to be paid is at risk.
    let s = json(&on_district(&["simulate", "--runs", "200", "--format", "json"]));
    let sim = &s["exposure"]["streams"];
    assert_eq!(sim.as_array().map(Vec::len), Some(1), "{sim:#}");
    assert_eq!(sim[0]["id"], "ieg-2005-06");
    assert!((0.0..=1.0).contains(&sim[0]["p_at_risk"].as_f64().unwrap()));
}

#[test]
fn bad_estimates_and_marks_are_located() {
    let dir = crate::test::TempDir::new("verdicts-bad");
    let text = std::fs::read_to_string(DISTRICT).unwrap();
    let backwards = text.replace("          latest: Feb 2006", "          latest: Jul 2005");
    let path = write(&dir, "backwards.yaml", &backwards);
    let stderr = bad(&["--model", &path, "check"]);
    assert!(
        stderr.contains("the estimate's likely 2005-10-31 is later than its latest 2005-07-31"),
        "{stderr}"
    );
    assert!(stderr.contains("backwards.yaml:"), "{stderr}");
    let unknown = text.replace("  - outcome: R5\n", "  - outcome: R55\n");
    let path = write(&dir, "unknown.yaml", &unknown);
    let stderr = bad(&["--model", &path, "check"]);
    assert!(stderr.contains("unknown outcome code `R55`"), "{stderr}");
    let phrase = text.replace("          likely: Oct 2005", "          likely: soonish");
    let path = write(&dir, "phrase.yaml", &phrase);
    let stderr = bad(&["--model", &path, "check"]);
    assert!(
        stderr.contains("the estimate's likely `soonish` is neither a date nor a length of time"),
        "{stderr}"
    );
}

#[test]
fn the_embedded_routemap_separates_its_own_dates_from_assumptions() {
    let f = json(&ok(&["forecast", "--format", "json"]));
    let off: Vec<(String, String)> = f["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["category"] == "required" && o["status"] == "off_track")
        .map(|o| (o["code"].as_str().unwrap().into(), o["basis"].as_str().unwrap().into()))
        .collect();
    let pairs: Vec<(&str, &str)> = off.iter().map(|(c, b)| (c.as_str(), b.as_str())).collect();
    // R23's March 2006 is 61.1's own target whatever the contact centre's assumed date.
    assert_eq!(
        pairs,
        [("R8", "assumed"), ("R15", "derived"), ("R16", "stated"), ("R23", "derived")]
    );
    // R8 rests on document management's assumed six months.
    let x = json(&ok(&["explain", "R8", "--format", "json"]));
    assert_eq!(x["without_assumptions"]["deciding"][0]["id"], "document-management", "{x:#}");
    // Actions 53 and 56 are complete: R14 and G14 are achieved as far as the council goes.
    assert_eq!(outcome(&f, "R14")["status"], "achieved");
    assert_eq!(outcome(&f, "G14")["status"], "achieved");
    // No earliest finish before the routemap was written.
    for o in f["outcomes"].as_array().unwrap() {
        if let Some(d) = o["no_earlier_than"].as_str() {
            assert!(d >= "2005-04-13" || o["status"] == "achieved", "{o:#}");
        }
    }
}

#[test]
fn the_whole_graph_shows_unserved_outcomes_as_one_group() {
    let g = json(&on_district(&["graph", "--format", "json"]));
    let ids: Vec<&str> =
        g["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&"R3") && ids.contains(&"R8"), "{ids:?}");
    let apart = g["apart"].as_array().unwrap();
    assert_eq!(apart[0]["group"], "Not in the routemap");
    assert_eq!(apart[0]["codes"].as_array().map(Vec::len), Some(39));
    let dot = on_district(&["graph", "--format", "dot"]);
    assert!(dot.contains("g0 [shape=note, label=\"Not in the routemap (39): R3, R4,"), "{dot}");
    let mermaid = on_district(&["graph", "--format", "mermaid"]);
    assert!(mermaid.contains("  g0>\"Not in the routemap (39): R3, R4,"), "{mermaid}");
    let svg = on_district(&["graph", "--format", "svg"]);
    assert!(svg.contains("<title>Not in the routemap (39): R3, R4,"), "{svg}");
    // Asked for by code, an unserved outcome is drawn as itself.
    let one = json(&on_district(&["graph", "R3", "--format", "json"]));
    assert_eq!(one["nodes"][0]["id"], "R3");
    assert_eq!(one["apart"], serde_json::json!([]));
}
