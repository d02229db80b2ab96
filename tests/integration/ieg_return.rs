//! The IEG return as councils submitted it (issue 26): each outcome's traffic light at the
//! return's key dates (recorded on or before the as-of date, forecast after it), black where the
//! council does not deliver the outcome, the Good outcomes' December 2005 checkpoint, custom
//! dates, bad dates refused, the colour rule a council's to change, and every format; on the
//! embedded routemap and on the district model (fixtures/verdicts/district.yaml).

use crate::common::{bad, docx_part, json, ok, outcome, redact_rules_hash};
use crate::test::{TempDir, Test};
use serde_json::Value;

const DISTRICT: &str = "fixtures/verdicts/district.yaml";

fn ieg_json(args: &[&str]) -> Value {
    json(&ok(&[&["ieg-return", "--format", "json"], args].concat()))
}

/// An outcome's lights, in date order: `["amber", "green"]`.
fn lights(v: &Value, code: &str) -> Vec<String> {
    outcome(v, code)["lights"]
        .as_array()
        .expect("lights")
        .iter()
        .map(|l| l["colour"].as_str().expect("colour").to_string())
        .collect()
}

/// The text of a Word file's body, run after run.
fn docx_text(xml: &str) -> String {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    doc.descendants().filter(|n| n.has_tag_name("t")).filter_map(|n| n.text()).collect()
}

#[test]
fn lights_at_each_key_date_on_the_embedded_routemap() {
    let v = ieg_json(&[]);
    let dates: Vec<(&str, &str)> = v["key_dates"]
        .as_array()
        .expect("key dates")
        .iter()
        .map(|k| (k["date"].as_str().unwrap(), k["when"].as_str().unwrap()))
        .collect();
    // 31 March 2005 is before the routemap's as-of date (13 April 2005): what it records.
    assert_eq!(
        dates,
        [
            ("2005-03-31", "recorded"),
            ("2005-07-31", "forecast"),
            ("2005-12-31", "forecast"),
            ("2006-03-31", "forecast")
        ]
    );
    // Achieved, and on track with months of slack: green throughout.
    assert_eq!(lights(&v, "R5"), ["green"; 4]);
    assert_eq!(lights(&v, "R10"), ["green"; 4]);
    // At risk, forecast on its deadline: amber until the date it is forecast done by.
    assert_eq!(lights(&v, "R3"), ["amber", "amber", "green", "green"]);
    // Forecast to miss: red, and amber once achieved late (March 2006).
    assert_eq!(lights(&v, "R23"), ["red", "red", "red", "amber"]);
    assert_eq!(lights(&v, "R8"), ["red"; 4]);
    // Each light carries its basis and says whether it is recorded or forecast.
    let r3 = &outcome(&v, "R3")["lights"][0];
    assert_eq!((r3["when"].as_str(), r3["basis"].as_str()), (Some("recorded"), Some("assumed")));
    assert_eq!(outcome(&v, "R23")["lights"][3]["basis"], "derived");
    assert!(outcome(&v, "R3")["assumptions"][0].as_str().unwrap().starts_with("P3.1: "), "{v:#}");
    assert_eq!(outcome(&v, "R3")["basis"], "assumed");
    for o in v["outcomes"].as_array().unwrap() {
        assert_eq!(o["lights"].as_array().unwrap().len(), 4, "{o:#}");
    }
    // The JSON of earlier releases is all still there.
    for key in ["code", "title", "category", "position", "status", "deadline", "evidence"] {
        assert!(outcome(&v, "R3").get(key).is_some(), "{key}");
    }
    // BVPI 157 on each key date, never falling.
    let percents: Vec<u64> = v["bvpi157"]["at_key_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["percent"].as_u64().unwrap())
        .collect();
    assert_eq!(percents, [69, 69, 90, 100]);
}

#[test]
fn lights_on_the_district_model() {
    let v = ieg_json(&["--model", DISTRICT]);
    // On track on the council's own date (October 2005).
    assert_eq!(lights(&v, "R8"), ["green"; 4]);
    // At risk on an assumption: amber, then green from its forecast (November 2005).
    assert_eq!(lights(&v, "R10"), ["amber", "amber", "green", "green"]);
    // Off track on the council's own March 2006 date: achieved late by the last key date.
    assert_eq!(lights(&v, "R16"), ["red", "red", "red", "amber"]);
    assert_eq!(outcome(&v, "R16")["lights"][3]["basis"], "stated");
    // Nothing in the routemap serves R3: red throughout, on the rules' assumption.
    assert_eq!(lights(&v, "R3"), ["red"; 4]);
    assert_eq!(outcome(&v, "R3")["lights"][0]["basis"], "assumed");
}

#[test]
fn black_for_not_applicable_and_only_for_it() {
    for model in [&[][..], &["--model", DISTRICT][..]] {
        let v = ieg_json(model);
        for o in v["outcomes"].as_array().unwrap() {
            let na = o["status"] == "not_applicable";
            let code = o["code"].as_str().unwrap();
            for l in o["lights"].as_array().unwrap() {
                assert_eq!(l["colour"] == "black", na, "{code}: {l:#}");
            }
            if na {
                assert!(o["checkpoint"].is_null(), "{code}");
                assert_eq!(o["lights"][0]["reason"], o["evidence"], "{code}");
            }
        }
    }
    // The model marks R5 not applicable; the catalogue gives G1 to the county.
    let v = ieg_json(&["--model", DISTRICT]);
    assert_eq!(lights(&v, "R5"), ["black"; 4]);
    assert_eq!(lights(&v, "G1"), ["black"; 4]);
    assert!(outcome(&v, "R5")["lights"][0]["reason"].as_str().unwrap().contains("the County"));
}

#[test]
fn the_good_outcomes_checkpoint() {
    let v = ieg_json(&[]);
    assert_eq!(v["checkpoint_date"], "2005-12-31");
    for o in v["outcomes"].as_array().unwrap() {
        let applies = o["status"] != "not_applicable";
        let good = o["category"] == "good";
        assert_eq!(o["checkpoint"].is_object(), good && applies, "{o:#}");
    }
    let checkpoint = |v: &Value, code: &str| {
        let c = &outcome(v, code)["checkpoint"];
        (c["met"].as_bool().unwrap(), c["reason"].as_str().unwrap().to_string())
    };
    // G5 is forecast done by December; G24's work is under way though it has no forecast.
    assert_eq!(checkpoint(&v, "G5"), (true, "implemented by then".into()));
    let (met, reason) = checkpoint(&v, "G24");
    assert!(met && reason.contains("2 of its 3 task(s) finished or under way"), "{reason}");
    // G3's one task has not started and is not forecast done until March 2006.
    let (met, reason) = checkpoint(&v, "G3");
    assert!(!met && reason.contains("none of its 1 task(s)"), "{reason}");
    // Judged in April 2006 instead, it is implemented by then.
    let later = ieg_json(&["--checkpoint", "2006-04-01"]);
    assert_eq!(later["checkpoint_date"], "2006-04-01");
    assert_eq!(checkpoint(&later, "G3"), (true, "implemented by then".into()));
    // The district's routemap serves no Good outcome: none meets it.
    let d = ieg_json(&["--model", DISTRICT]);
    for o in d["outcomes"].as_array().unwrap().iter().filter(|o| o["checkpoint"].is_object()) {
        assert_eq!(o["checkpoint"]["met"], false, "{o:#}");
        assert!(o["checkpoint"]["reason"].as_str().unwrap().contains("no approved plan"));
    }
}

#[test]
fn custom_dates_sorted_and_recorded_up_to_the_as_of_date() {
    let v = ieg_json(&["--model", DISTRICT, "--dates", "2006-01-31,2005-10-31"]);
    let dates: Vec<&str> =
        v["key_dates"].as_array().unwrap().iter().map(|k| k["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2005-10-31", "2006-01-31"]);
    assert_eq!(lights(&v, "R10"), ["amber", "green"]);
    assert_eq!(lights(&v, "R11"), ["green", "green"]);
    let csv = ok(&["ieg-return", "--model", DISTRICT, "--dates", "2005-10-31,2006-01-31"]);
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",light_2005-10-31,reason_2005-10-31,light_2006-01-31,reason_2006-01-31,checkpoint_2005-12-31,checkpoint_reason_2005-12-31"), "{header}");
    // Judged in August 2005, the March and July returns are history, the rest forecast.
    let later = ieg_json(&["--as-of", "2005-08-01"]);
    let whens: Vec<&str> = later["key_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["when"].as_str().unwrap())
        .collect();
    assert_eq!(whens, ["recorded", "recorded", "forecast", "forecast"]);
    assert_eq!(outcome(&later, "R3")["lights"][1]["when"], "recorded");
}

#[test]
fn a_bad_date_is_refused_located() {
    let err = bad(&["ieg-return", "--dates", "2005-03-31,2005-02-30"]);
    assert!(
        err.contains("invalid value '2005-02-30' for '--dates <DATE,...>': `2005-02-30` is not a date: expected YYYY-MM-DD"),
        "{err}"
    );
    let err = bad(&["ieg-return", "--checkpoint", "31/12/2005"]);
    assert!(err.contains("invalid value '31/12/2005' for '--checkpoint <DATE>'"), "{err}");
    let err = bad(&["ieg-return", "--dates", "2005-12-31,2005-03-31,2005-12-31"]);
    assert!(err.starts_with("error: --dates gives 2005-12-31 twice"), "{err}");
    let thirteen: Vec<String> = (1..=13).map(|m| format!("2005-01-{m:02}")).collect();
    let err = bad(&["ieg-return", "--dates", &thirteen.join(",")]);
    assert!(err.contains("--dates gives 13 dates; a return shows at most 12"), "{err}");
    // Nothing half-written.
    let out = Test::new().status(2).args(["ieg-return", "--dates", "2005-13-01", "-o"]);
    let path = out.path("return.csv");
    let run = out.args([path.as_str()]).run();
    assert!(!std::path::Path::new(&path).exists(), "{}", run.stderr);
}

#[test]
fn the_colour_rule_is_the_councils() {
    // A council's older ieg.rhai with only `position` keeps working: the built-in lights.
    let old = Test::new()
        .write("rules/ieg.rhai", "fn position(outcome, status) { \"As reported\" }\n")
        .stderr("");
    let rules = old.path("rules");
    let out = old.args(["ieg-return", "--format", "json", "--rules", rules.as_str()]).run();
    let v = json(&out.stdout);
    assert_eq!(outcome(&v, "R3")["position"], "As reported");
    assert_eq!(lights(&v, "R3"), ["amber", "amber", "green", "green"]);
    // A council that shows amber for all but the achieved.
    let strict = "fn position(o, s) { s }\n\
        fn light(outcome, status, at) {\n\
            if at.done { #{ colour: \"green\", reason: \"done\", basis: \"stated\" } }\n\
            else { #{ colour: \"amber\", reason: \"not yet done\" } }\n\
        }\n\
        fn checkpoint(outcome, status, at) { #{ met: at.tasks_done > 0, reason: \"some done\" } }\n";
    let t = Test::new().write("rules/ieg.rhai", strict);
    let rules = t.path("rules");
    let v =
        json(&t.args(["ieg-return", "--format", "json", "--rules", rules.as_str()]).run().stdout);
    assert_eq!(lights(&v, "R10"), ["amber", "green", "green", "green"]);
    assert_eq!(outcome(&v, "R10")["lights"][1]["basis"], "stated");
    assert_eq!(outcome(&v, "G3")["checkpoint"]["met"], false);
    // Black is for `applies` to decide; a colour that is not one is refused at the hook.
    for (colour, message) in [
        ("black", "returned colour `black` for R3 on 2005-03-31"),
        ("purple", "returned colour `purple` for R3 on 2005-03-31"),
    ] {
        let rule = format!(
            "fn position(o, s) {{ s }}\nfn light(outcome, status, at) {{\n    #{{ colour: \"{colour}\", reason: \"r\" }}\n}}\n"
        );
        let t = Test::new().write("rules/ieg.rhai", rule).status(2).stdout("");
        let rules = t.path("rules");
        let err = t.args(["ieg-return", "--rules", rules.as_str()]).run().stderr;
        assert!(err.contains(message), "{err}");
        assert!(err.contains("/rules/ieg.rhai:2:1"), "{err}");
    }
}

#[test]
fn csv_has_a_row_per_outcome_and_escapes_its_cells() {
    let out = ok(&["ieg-return", "--model", DISTRICT]);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes());
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("CSV").iter().map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 55, "{out}");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    let r16 = rows.iter().find(|r| r[0] == "R16").unwrap();
    let at = |h: &str| rows[0].iter().position(|c| c == h).unwrap();
    assert_eq!(r16[at("light_2006-03-31")], "amber");
    assert!(r16[at("reason_2006-03-31")].starts_with("forecast: achieved by then, 90 days after"));
    assert!(r16[at("reason_2005-03-31")].starts_with("recorded: "));
    assert_eq!(r16[at("checkpoint_2005-12-31")], "");
    // A cell a spreadsheet would read as a formula is written as text.
    let rule = "fn position(o, s) { \"=HYPERLINK(1)\" }\nfn checkpoint(outcome, status, at) { #{ met: true, reason: \"=1+1\" } }\n";
    let t = Test::new().write("rules/ieg.rhai", rule).stderr("");
    let rules = t.path("rules");
    let out = t.args(["ieg-return", "--rules", rules.as_str()]).run().stdout;
    let r3 = out.lines().find(|l| l.starts_with("R3,")).unwrap();
    assert!(r3.contains(",'=HYPERLINK(1),"), "{r3}");
    let g3 = out.lines().find(|l| l.starts_with("G3,")).unwrap();
    assert!(g3.ends_with(",met,forecast: =1+1"), "{g3}");
}

#[test]
fn the_paper_in_markdown_html_and_word() {
    let md = redact_rules_hash(&ok(&["ieg-return", "--model", DISTRICT, "--format", "md"]));
    insta::assert_snapshot!("district_md", md);
    let html = ok(&["ieg-return", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(html.contains("<th>31 Mar 2005 (recorded)</th>"), "{html}");
    assert!(html.contains("<th>Approved and in active implementation by 31 Dec 2005</th>"));
    let dir = TempDir::new("ieg-docx");
    let path = dir.path("return.docx");
    ok(&["ieg-return", "-o", &path]);
    let text = docx_text(&docx_part(&path, "word/document.xml"));
    for part in [
        "IEG return: priority outcomes",
        "31 Dec 2005 (forecast)",
        "Approved and in active implementation by 31 Dec 2005",
        "Amber*",
        "Black",
        "BVPI 157:",
    ] {
        assert!(text.contains(part), "{part} not in:\n{text}");
    }
}

#[test]
fn the_terminal_table() {
    let table = redact_rules_hash(&ok(&["ieg-return", "--model", DISTRICT, "--format", "table"]));
    insta::assert_snapshot!("district_table", table);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    for format in ["csv", "md", "json", "table", "html"] {
        let args = ["ieg-return", "--model", DISTRICT, "--format", format];
        assert_eq!(ok(&args), ok(&args), "{format}");
    }
}
