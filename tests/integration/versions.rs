//! Versions of a routemap: `routemap diff` over Loxley's three synthetic updates
//! (fixtures/versions/, each file says what changed), the trend across them, and the risk
//! report's "Progress since" section.

use crate::common::{bad, docx_body, json, ok};
use serde_json::Value;

const V1: &str = "fixtures/versions/loxley-v1.yaml";
const V2: &str = "fixtures/versions/loxley-v2.yaml";
const V3: &str = "fixtures/versions/loxley-v3.yaml";

fn changes(step: &Value) -> Vec<(String, String)> {
    step["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| (c["id"].as_str().expect("id").to_string(), c["kind"].to_string()))
        .collect()
}

fn change<'a>(step: &'a Value, id: &str, kind: &str) -> &'a Value {
    step["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["id"] == id && c["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} of {id} in {step:#}"))
}

#[test]
fn two_versions_report_each_kind_of_change() {
    let d = json(&ok(&["diff", V1, V2, "--format", "json"]));
    let step = &d["steps"][0];
    assert_eq!((step["from"].as_u64(), step["to"].as_u64()), (Some(1), Some(2)));
    // The finance system three months later, to the day count.
    let f = change(step, "finance-system", "target_moved");
    assert_eq!(f["before"], "March 2005");
    assert_eq!(f["after"], "June 2005");
    assert_eq!(f["before_date"], "2005-03-31");
    assert_eq!(f["after_date"], "2005-06-30");
    assert_eq!(f["days"], 91);
    // Planning tracking brought forward: a negative move.
    assert_eq!(change(step, "2.2", "target_moved")["days"], -61);
    // Committee papers done: the task completed, and its action listed as completed.
    assert_eq!(change(step, "1.1", "completed")["after"], "Done");
    change(step, "1", "completed");
    // "through" became "via": the same task, reworded, with the share of words in common.
    let r = change(step, "3.1", "reworded");
    assert_eq!(r["before"], "Electronic ordering through the new finance system");
    assert_eq!(r["similarity"], 0.86);
    // E-consultation now waits on the e-forms project.
    assert_eq!(change(step, "4.2", "dependency_added")["waits_on"], "e-forms");
    // Nothing added or removed between these two.
    assert!(!changes(step).iter().any(|(_, k)| k == "\"added\"" || k == "\"removed\""), "{step:#}");
}

#[test]
fn an_added_task_renumbers_the_ones_after_it_and_they_are_still_matched() {
    let d = json(&ok(&["diff", V2, V3, "--format", "json"]));
    let step = &d["steps"][0];
    let all = changes(step);
    // "Online planning register" is new as 2.1, so the planning forms (2.1 before) are now 2.2
    // and tracking 2.3; the scanning task (2.3 before) was dropped.
    let forms = change(step, "2.2", "renumbered");
    assert_eq!(forms["earlier_id"], "2.1");
    assert_eq!(forms["text"], "Online planning application forms");
    assert_eq!(change(step, "2.3", "renumbered")["earlier_id"], "2.2");
    assert_eq!(change(step, "2.1", "added")["text"], "Online planning register");
    let removed = change(step, "2.3", "removed");
    assert_eq!(removed["text"], "Scanning of historic planning files");
    // A renumbered task whose target did not move reports no target move.
    assert!(!all.contains(&("2.2".into(), "\"target_moved\"".into())), "{all:?}");
    // Electronic ordering re-planned once more, a month later.
    assert_eq!(change(step, "3.1", "target_moved")["days"], 30);
    assert_eq!(change(step, "3.2", "completed")["before"], "Not started");
}

#[test]
fn what_the_changes_did_to_the_outcomes_names_the_change_that_moved_each() {
    let d = json(&ok(&["diff", V1, V2, "--format", "json"]));
    let step = &d["steps"][0];
    let outcome = |code: &str| {
        step["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["code"] == code)
            .unwrap_or_else(|| panic!("{code} did not move: {step:#}"))
            .clone()
    };
    // R5: committee papers done, so achieved; undoing the completion alone restores its status.
    let r5 = outcome("R5");
    assert_eq!(r5["before"]["status"], "on_track");
    assert_eq!(r5["after"]["status"], "achieved");
    let cause = &r5["moved_by"][0];
    assert_eq!(cause["id"], "1.1");
    assert_eq!(cause["restores"], true);
    assert!(r5["reason"].as_str().unwrap().starts_with("moved by 1.1 (completed"), "{r5:#}");
    // R9 waits on the finance system through electronic ordering, re-planned a month later.
    let r9 = outcome("R9");
    let ids: Vec<&str> =
        r9["moved_by"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"3.1"), "{r9:#}");
    // The grant and the versions' counts are reported beside.
    assert_eq!(step["exposure_gbp"].as_array().unwrap().len(), 2);
    assert_eq!(d["versions"][1]["version"], "2");
    assert_eq!(d["versions"][1]["issue_date"], "2004-12-15");
    assert!(d["trend"].is_null());
}

#[test]
fn three_versions_give_the_trend() {
    let d = json(&ok(&["diff", V1, V2, V3, "--format", "json"]));
    assert_eq!(d["steps"].as_array().unwrap().len(), 2);
    let trend = &d["trend"];
    let r5 = trend["outcomes"].as_array().unwrap().iter().find(|l| l["code"] == "R5").unwrap();
    let statuses: Vec<&str> =
        r5["verdicts"].as_array().unwrap().iter().map(|v| v["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["on_track", "achieved", "achieved"]);
    // Every outcome, at every version.
    assert_eq!(trend["outcomes"].as_array().unwrap().len(), 54);
    // Electronic ordering moved later at both updates (Sept, Oct, Nov 2005); the finance system
    // too (March, June, 30 June 2005).
    let slipped: Vec<&str> = trend["slipped_every_update"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert_eq!(slipped, ["3.1"]);
    let ordering = &trend["slipped_every_update"][0];
    assert_eq!(ordering["targets"], serde_json::json!(["Sept 2005", "Oct 2005", "Nov 2005"]));
    assert_eq!(ordering["days"], 61);
}

#[test]
fn every_format_writes() {
    let table = ok(&["diff", V1, V2, V3]);
    for part in [
        "version 1 (30 June 2004) \u{2192} version 2 (15 December 2004)",
        "target March 2005 \u{2192} June 2005, 91 days later",
        "renumbered from 2.1",
        "Slipped at every update",
    ] {
        assert!(table.contains(part), "no {part:?} in\n{table}");
    }
    let csv = ok(&["diff", V1, V2, "--format", "csv"]);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers().unwrap().clone();
    assert_eq!(&headers[0], "from");
    assert!(rows.records().any(|r| r.unwrap().iter().any(|c| c == "target moved")), "{csv}");
    let md = ok(&["diff", V1, V2, V3, "--format", "md"]);
    assert!(
        md.contains("## version 1 (30 June 2004) \u{2192} version 2 (15 December 2004)"),
        "{md}"
    );
    assert!(md.contains("### Targets moved"), "{md}");
    let html = ok(&["diff", V1, V2, V3, "--format", "html"]);
    assert!(html.contains("<svg"), "the HTML has its chart");
    assert!(html.contains("Outcomes by status at each version"), "{html}");
    let body = docx_body(&["diff", V1, V2, V3]);
    roxmltree::Document::parse(&body).expect("the Word body is XML");
    assert!(body.contains("Slipped at every update"));
}

#[test]
fn versions_out_of_order_and_bad_versions_are_refused() {
    let err = bad(&["diff", V2, V1]);
    assert!(err.contains("is given after"), "{err}");
    assert!(err.contains("oldest first"), "{err}");
    let err = bad(&["diff", V1]);
    assert!(err.contains("VERSION") || err.contains("two versions"), "{err}");
    // A version that adds a loop or names work that does not exist: located, naming the
    // version it is in.
    let dir = crate::test::TempDir::new("versions");
    let looped = std::fs::read_to_string(V2).unwrap().replace(
        "    owner: Web Team\n",
        "    owner: Web Team\n    waits_on:\n      - id: \"4.2\"\n        source: \"x\"\n",
    );
    let path = dir.path("looped.yaml");
    std::fs::write(&path, looped).unwrap();
    let err = bad(&["diff", V1, &path]);
    assert!(err.contains("version 2 of 2"), "{err}");
    assert!(err.contains("looped.yaml"), "{err}");
    let dangling = std::fs::read_to_string(V2).unwrap().replace(
        "id: e-forms\n            source: \"built",
        "id: e-formz\n            source: \"built",
    );
    let path = dir.path("dangling.yaml");
    std::fs::write(&path, dangling).unwrap();
    let err = bad(&["diff", V1, &path]);
    assert!(err.contains("version 2 of 2"), "{err}");
    assert!(err.contains("dangling.yaml:"), "located: {err}");
    assert!(err.contains("e-formz"), "{err}");
    // The versions are kept from --output.
    let err = bad(&["diff", V1, V2, "-o", V2]);
    assert!(err.contains(V2), "{err}");
}

#[test]
fn the_risk_report_says_what_changed_since_the_earlier_version() {
    let md = ok(&["risk-report", "--model", V3, "--since", V2, "--format", "md"]);
    assert!(md.contains("## Progress since version 2 (15 December 2004)"), "{md}");
    assert!(md.contains("### Completed"), "{md}");
    assert!(md.contains("- Purchase order rollout to all departments (task 3.2)"), "{md}");
    assert!(md.contains("### Targets moved"), "{md}");
    let html = ok(&["risk-report", "--model", V3, "--since", V2, "--format", "html"]);
    assert!(html.contains("Progress since version 2"), "{html}");
    let body = docx_body(&["risk-report", "--model", V3, "--since", V2]);
    assert!(body.contains("Progress since version 2"));
    let j = json(&ok(&["risk-report", "--model", V3, "--since", V2, "--format", "json"]));
    assert_eq!(j["progress_since"]["versions"][0]["version"], "2");
    // Without --since, no such section and no such field.
    let plain = json(&ok(&["risk-report", "--model", V3, "--format", "json"]));
    assert!(plain.get("progress_since").is_none());
    // A later version given as --since is refused.
    let err = bad(&["risk-report", "--model", V2, "--since", V3, "--format", "md"]);
    assert!(err.contains("oldest first"), "{err}");
}

#[test]
fn history_is_evidence_and_the_last_version_is_predicted_from_the_ones_before() {
    let args = ["simulate", "--model", V3, "--history", V2, V1];
    // The distributions learn from each interval's dated moves: electronic ordering's two
    // re-plans (31 and 30 days) in place of the document's one pair (61 days).
    let d = ok(&[&args[..], &["--distributions"]].concat());
    assert!(d.contains("3.1 slip 31d") && d.contains("3.1 slip 30d"), "{d}");
    assert!(!d.contains("3.1 slip 61d"), "the document's own pair is not counted too:\n{d}");
    // The scanning task, dropped in version 3, is named as version 2 had it and said to be gone,
    // not taken for the planning tracking that is 2.3 now.
    assert!(d.contains("2.3 (as of 2004-12-15, since removed) slip 91d"), "{d}");
    let c = json(&ok(&[&args[..], &["--calibration", "--format", "json"]].concat()));
    let t = &c["temporal"];
    assert_eq!(t["learnt_to"], "2004-12-15");
    assert_eq!(t["predicted"], "2005-04-20");
    // Due between the two: online payments (March 2005, re-planned to July) and the
    // Councillors' templates (February 2005, done).
    assert_eq!((t["targets"].as_u64(), t["missed"].as_u64()), (Some(2), Some(1)));
    let brier = t["brier"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&brier), "{t:#}");
    // Without history there is no temporal figure.
    let plain = json(&ok(&["simulate", "--model", V3, "--calibration", "--format", "json"]));
    assert!(plain["temporal"].is_null());
    // A "history" issued after the routemap is refused, naming it.
    let err = bad(&["simulate", "--model", V2, "--history", V3]);
    assert!(err.contains("--history fixtures/versions/loxley-v3.yaml"), "{err}");
    assert!(err.contains("not before this routemap"), "{err}");
    // Same seed, same history: same bytes.
    let runs =
        ["simulate", "--model", V3, "--history", V1, V2, "--runs", "500", "--format", "json"];
    assert_eq!(ok(&runs), ok(&runs));
}

/// A version written into `dir` from a fixture, with its text replaced.
fn variant(dir: &crate::test::TempDir, name: &str, from: &str, edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(from).expect("the fixture");
    for (old, new) in edits {
        assert!(text.contains(old), "{from} has no {old:?}");
        text = text.replacen(old, new, 1);
    }
    let path = dir.path(name);
    std::fs::write(&path, text).expect("write the variant");
    path
}

#[test]
fn a_task_added_before_a_reworded_one_is_told_apart_from_it() {
    let dir = crate::test::TempDir::new("versions-match");
    // The planning forms (2.1) gain words and move to 2.2 behind a new task: the same id with
    // a few shared words ("Online planning register") must not win over the real successor.
    let later = variant(
        &dir,
        "later.yaml",
        V2,
        &[
            ("issue_date: 2004-12-15", "issue_date: 2005-02-01"),
            (
                "      - text: Online planning application forms\n",
                "      - text: Online planning register\n        original: Aug 2005\n        status: In progress\n      - text: Online planning application forms on the e-forms platform\n",
            ),
        ],
    );
    let d = json(&ok(&["diff", V2, &later, "--format", "json"]));
    let step = &d["steps"][0];
    assert_eq!(change(step, "2.2", "reworded")["earlier_id"], "2.1");
    assert_eq!(change(step, "2.1", "added")["text"], "Online planning register");
    // A project renamed under its id is the same project, reworded.
    let renamed = variant(
        &dir,
        "renamed.yaml",
        V2,
        &[
            ("issue_date: 2004-12-15", "issue_date: 2005-02-01"),
            ("title: Replacement finance system", "title: Oracle Financials implementation"),
        ],
    );
    let d = json(&ok(&["diff", V2, &renamed, "--format", "json"]));
    let all = changes(&d["steps"][0]);
    assert_eq!(all, [("finance-system".to_string(), "\"reworded\"".to_string())], "{all:?}");
}

#[test]
fn an_earlier_assumed_verdict_given_back_names_the_change() {
    let dir = crate::test::TempDir::new("versions-assumed");
    // In version 3 the e-forms project is overdue to start, so G3's verdict rests on the rules'
    // re-forecast; a month later it is in progress, and G3 is on track on the council's dates.
    let later = variant(
        &dir,
        "v4.yaml",
        V3,
        &[
            ("issue_date: 2005-04-20", "issue_date: 2005-05-20"),
            (
                "status: Not started (overdue)\n    owner: Web Team",
                "status: In progress\n    owner: Web Team",
            ),
        ],
    );
    let d = json(&ok(&["diff", V3, &later, "--format", "json"]));
    let g3 = d["steps"][0]["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .find(|o| o["code"] == "G3")
        .expect("G3 moved")
        .clone();
    assert_eq!(
        (g3["before"]["basis"].as_str(), g3["after"]["status"].as_str()),
        (Some("assumed"), Some("on_track"))
    );
    assert!(g3["reason"].as_str().expect("reason").starts_with("moved by e-forms"), "{g3:#}");
}

#[test]
fn since_and_history_refuse_what_is_not_an_earlier_version() {
    // Another council's routemap is not an earlier version of this one.
    let err = bad(&["risk-report", "--since", V1, "--format", "md"]);
    assert!(
        err.contains("Loxley Borough Council's routemap, not Charnwood Borough Council's"),
        "{err}"
    );
    assert!(err.contains("loxley-v1.yaml:7:12"), "located: {err}");
    // --since judges each version on its own issue date: another --as-of is refused.
    let err = bad(&["risk-report", "--model", V3, "--since", V2, "--as-of", "2006-01-15"]);
    assert!(err.contains("--as-of 2006-01-15"), "{err}");
    // The same file twice, to diff or as history, is refused at its issue date.
    let err = bad(&["diff", V2, V2]);
    assert!(err.contains("is given twice") && err.contains("loxley-v2.yaml:11:15"), "{err}");
    let err = bad(&["simulate", "--model", V3, "--history", V2, V2]);
    assert!(err.contains("issued on the same day"), "{err}");
}

#[test]
fn a_target_open_through_every_version_is_one_observation() {
    let dir = crate::test::TempDir::new("versions-overdue");
    // Committee papers (due Sept 2004) left open in every version: one overdue observation at
    // the last version (202 days), not one per interval.
    let status = (
        "        original: Sept 2004\n        status: ",
        "        original: Sept 2004\n        status: In progress\n        status_note: ",
    );
    let open = ("    completed: true\n", "");
    let (v1, v2, v3) = (
        variant(&dir, "v1.yaml", V1, &[status]),
        variant(&dir, "v2.yaml", V2, &[status, open]),
        variant(&dir, "v3.yaml", V3, &[status, open]),
    );
    let d = ok(&["simulate", "--model", &v3, "--history", &v1, &v2, "--distributions"]);
    assert!(d.contains("1.1 overdue 202d"), "{d}");
    assert_eq!(d.matches("1.1 overdue").count(), 1, "{d}");
}

/// The pages as a reader sees them: the table (at 100 columns, no colour) and the Markdown of
/// the three versions, and the risk report's section.
#[test]
fn pages() {
    let table = crate::test::Test::new()
        .args(["diff", V1, V2, V3])
        .env("COLUMNS", "100")
        .stderr("")
        .run()
        .stdout;
    insta::assert_snapshot!("diff_table", table);
    insta::assert_snapshot!("diff_md", ok(&["diff", V1, V2, V3, "--format", "md"]));
    let md = ok(&["risk-report", "--model", V3, "--since", V2, "--format", "md"]);
    let since = md.split("## Progress since").nth(1).expect("the section");
    let since = since.split("\n## ").next().expect("to the next section");
    insta::assert_snapshot!("risk_report_since_md", format!("## Progress since{since}"));
}
