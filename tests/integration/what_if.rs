//! What-if runs, scenario files, slip sensitivity and funding exposure (docs/scenarios.md).
//!
//! Snapshots of each report on the embedded Charnwood routemap, checks of what their JSON must
//! say whatever the snapshots hold, property tests of slips through the library (a later-by slip
//! never helps; exposure never falls; slips on the same work add up; work no outcome waits on
//! changes nothing), and every error a user can make on the command line or in a scenario file.
//!
//! The rule files' hash and list are taken out of the snapshots (see [`redact`]): they name every
//! embedded rule file, so they change whenever any rule file is added or edited, even one these
//! reports never call. What the funding rules decide is still in the snapshots: the amounts and
//! `exposure`'s parameter list.

use crate::common::{bad, config, json, ok, rank, redact_rules as redact, untested_fixtures};
use crate::test::{TempDir, Test};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{TestCaseError, TestRunner};
use routemap::assess::{Assessment, Standing};
use routemap::funding::Method;
use routemap::model::{Source, Span};
use routemap::scenario::{self, Scenario, Slip};
use routemap::session::Session;
use serde_json::Value;

// ---- Helpers -------------------------------------------------------------------------------------

/// `ok`, with the rules' identity redacted.
fn ok_redacted(args: &[&str]) -> String {
    redact(&ok(args))
}

/// The embedded routemap, evaluated on its issue date.
fn seed() -> Session {
    Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates")
}

/// A JSON array's entries.
fn array<'a>(v: &'a Value, what: &str) -> &'a Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("{what} is not an array: {v:#}"))
}

fn u64_of(v: &Value, what: &str) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("{what} is not a whole number: {v:#}"))
}

fn i64_of(v: &Value, what: &str) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("{what} is not a whole number: {v:#}"))
}

/// Every string of a JSON array field of every entry of an array: `field_of(changed, "code")`.
fn field_of<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    array(list, field)
        .iter()
        .map(|e| e[field].as_str().unwrap_or_else(|| panic!("no string `{field}` in {e:#}")))
        .collect()
}

/// The strings of a JSON array.
fn field_of_strings(v: &Value) -> Vec<&str> {
    array(v, "strings").iter().filter_map(Value::as_str).collect()
}

// ---- Snapshots of each report on the seed ---------------------------------------------------------

const TWO_SLIPS: &[&str] =
    &["what-if", "--slip", "document-management=+6m", "--slip", "e-forms=+3m"];
const PROGRAMME_BOARD: &str = "fixtures/scenarios/programme-board.yaml";

#[test]
fn what_if_two_slips_table() {
    let out = ok_redacted(TWO_SLIPS);
    assert!(out.starts_with("What if document-management +6m, e-forms +3m: "), "{out}");
    insta::assert_snapshot!("what_if_two_slips_table", out);
}

/// 25.5 (website integration with the replaced purchase order system) was "rolled back as a
/// knock-on effect of the delayed implementation of the FMS system": the follow-on rule keeps
/// its planned gap after FMS, so FMS six months late takes R9 past December 2005.
#[test]
fn what_if_fms_six_months_late_moves_r9() {
    let out = ok_redacted(&["what-if", "--slip", "fms-replacement=+6m"]);
    assert!(out.contains("R9    at risk -> off track"), "{out}");
    insta::assert_snapshot!("what_if_fms_six_months_late", out);
}

#[test]
fn what_if_two_slips_json() {
    let out = ok_redacted(&[TWO_SLIPS, &["--format", "json"]].concat());
    insta::assert_snapshot!("what_if_two_slips_json", out);
}

#[test]
fn what_if_programme_board_table() {
    let out = ok_redacted(&["what-if", "--scenario", PROGRAMME_BOARD]);
    // One column per scenario, in file order.
    let header = out.lines().find(|l| l.trim_start().starts_with("code ")).expect("a header");
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(
        columns,
        ["code", "baseline", "fms-to-september", "docs-six-months-late", "web-phase-3-late"]
    );
    insta::assert_snapshot!("what_if_programme_board_table", out);
}

#[test]
fn what_if_programme_board_json() {
    let out = ok_redacted(&["what-if", "--scenario", PROGRAMME_BOARD, "--format", "json"]);
    insta::assert_snapshot!("what_if_programme_board_json", out);
}

#[test]
fn sensitivity_table() {
    let out = ok_redacted(&["sensitivity"]);
    let header = out.lines().find(|l| l.trim_start().starts_with("# ")).expect("a header");
    let columns: Vec<&str> = header.split_whitespace().collect();
    assert_eq!(columns, ["#", "work", "owner", "bites", "+1m", "+3m", "+6m"], "{header}");
    let prose = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(prose.contains("Ranked by where each bites (the smallest slip that does any damage)"));
    insta::assert_snapshot!("sensitivity_table", out);
}

#[test]
fn sensitivity_json() {
    let out = ok_redacted(&["sensitivity", "--format", "json"]);
    insta::assert_snapshot!("sensitivity_json", out);
}

#[test]
fn exposure_table() {
    let out = ok_redacted(&["exposure"]);
    assert!(out.contains("£500,000"), "{out}");
    insta::assert_snapshot!("exposure_table", out);
}

#[test]
fn exposure_json() {
    let out = ok_redacted(&["exposure", "--format", "json"]);
    insta::assert_snapshot!("exposure_json", out);
}

// ---- What the JSON must say, whatever the snapshots hold ------------------------------------------

/// The funding rule of councils that share the grant pro rata (docs/rules.md): its arithmetic.
const PRO_RATA: &str = "fixtures/rules/pro-rata";

#[test]
fn exposure_json_adds_up() {
    let x = json(&ok(&["--rules", PRO_RATA, "exposure", "--format", "json"]));
    assert_eq!(x["as_of"], "2005-04-13");
    let rules = &x["rules"];
    let hash = rules["hash"].as_str().unwrap_or("");
    assert!(hash.len() == 12 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{rules:#}");
    assert!(field_of_strings(&rules["files"]).iter().any(|f| f.ends_with("pro-rata/funding.rhai")));

    // The routemap: "£350k in 2004/05 and £150k in 2005/06".
    assert_eq!(u64_of(&x["total_gbp"], "total_gbp"), 500_000);
    let streams = array(&x["streams"], "streams");
    let amounts: Vec<u64> = streams.iter().map(|s| u64_of(&s["amount_gbp"], "amount")).collect();
    assert_eq!(amounts, [350_000, 150_000]);
    assert_eq!(field_of(&x["streams"], "financial_year"), ["2004/05", "2005/06"]);
    // Judged on 13 April 2005, both are still at risk.
    assert!(streams.iter().all(|s| s["at_risk"] == true), "{:#}", x["streams"]);

    let at_risk = u64_of(&x["at_risk_gbp"], "at_risk_gbp");
    assert!(at_risk > 0 && at_risk < 500_000, "{at_risk}");
    let by_stream: u64 = streams.iter().map(|s| u64_of(&s["at_risk_gbp"], "stream")).sum();
    assert_eq!(at_risk, by_stream, "the streams' at_risk_gbp add up to the total");
    for s in streams {
        assert!(u64_of(&s["at_risk_gbp"], "a") <= u64_of(&s["amount_gbp"], "b"), "{s:#}");
    }

    let outcomes = array(&x["outcomes"], "outcomes");
    assert_eq!(outcomes.len(), 54);
    let codes = field_of(&x["outcomes"], "code");
    assert_eq!((codes[0], codes[28], codes[29], codes[53]), ("R1", "R29", "G1", "G25"));
    let by_outcome: u64 = outcomes.iter().map(|o| u64_of(&o["at_risk_gbp"], "outcome")).sum();
    assert_eq!(at_risk, by_outcome, "the outcomes' at_risk_gbp add up to the total");
    // Every stream is at risk, so the outcomes' parts share out all £500,000, exactly.
    let parts: u64 = outcomes.iter().map(|o| u64_of(&o["portion_gbp"], "portion")).sum();
    assert_eq!(parts, 500_000);
    for o in outcomes {
        let (part, risked) = (u64_of(&o["portion_gbp"], "part"), u64_of(&o["at_risk_gbp"], "r"));
        assert!(risked <= part, "{o:#}");
        // rules/funding.rhai: OFF_TRACK_SHARE = 1.0; achieved and on track expose nothing.
        match o["status"].as_str() {
            // An outcome the council does not deliver carries no weight.
            Some("not_applicable") => assert_eq!((part, risked), (0, 0), "{o:#}"),
            Some("off_track") => assert_eq!(risked, part, "{o:#}"),
            Some("achieved" | "on_track") => assert_eq!(risked, 0, "{o:#}"),
            Some("at_risk" | "unknown") => assert!(risked > 0 && risked < part, "{o:#}"),
            other => panic!("status {other:?} in {o:#}"),
        }
    }
    // A Required outcome weighs twice a Good one (REQUIRED_WEIGHT = 2.0, GOOD_WEIGHT = 1.0).
    let part = |code: &str| {
        let o = outcomes.iter().find(|o| o["code"] == code).expect("the outcome");
        u64_of(&o["portion_gbp"], code)
    };
    assert!(part("R3").abs_diff(2 * part("G2")) <= 2, "R3 {} G2 {}", part("R3"), part("G2"));

    // The statuses are the forecast's.
    let f = json(&ok(&["--rules", PRO_RATA, "forecast", "--format", "json"]));
    assert_eq!(field_of(&x["outcomes"], "status"), field_of(&f["outcomes"], "status"));
    let names: Vec<&str> = field_of(&x["parameters"], "name");
    assert!(names.contains(&"OFF_TRACK_SHARE"), "{names:?}");
}

/// An outcome of `forecast --format json`.
fn forecast_outcome<'a>(f: &'a Value, code: &str) -> &'a Value {
    array(&f["outcomes"], "outcomes")
        .iter()
        .find(|o| o["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in the forecast"))
}

#[test]
fn what_if_json_keeps_the_contract() {
    let w = json(&ok_redacted(&[TWO_SLIPS, &["--format", "json"]].concat()));
    assert_eq!(w["name"], "command line");
    assert_eq!(w["as_of"], "2005-04-13");

    // slips[].id and slips[].days: document management's assumed finish (28 February 2006)
    // moves six months; e-forms' (30 November 2005) three.
    assert_eq!(field_of(&w["slips"], "id"), ["document-management", "e-forms"]);
    assert_eq!(field_of(&w["slips"], "slip"), ["+6m", "+3m"]);
    let slips = array(&w["slips"], "slips");
    let days: Vec<i64> = slips.iter().map(|s| i64_of(&s["days"], "days")).collect();
    assert_eq!(days, [184, 90]);
    assert_eq!((&slips[0]["from"], &slips[0]["to"]), (&"2006-02-28".into(), &"2006-08-31".into()));
    assert_eq!((&slips[1]["from"], &slips[1]["to"]), (&"2005-11-30".into(), &"2006-02-28".into()));

    // changed[]: R..., then G..., each with its baseline and scenario status and forecast.
    let f = json(&ok(&["forecast", "--format", "json"]));
    let changed = array(&w["changed"], "changed");
    assert!(!changed.is_empty());
    let codes = field_of(&w["changed"], "code");
    let order: Vec<usize> = codes
        .iter()
        .map(|c| field_of(&f["outcomes"], "code").iter().position(|x| x == c).expect("a code"))
        .collect();
    assert!(
        order.windows(2).all(|p| p[0] < p[1]),
        "changed is in R1..R29, G1..G25 order: {codes:?}"
    );
    for c in changed {
        let code = c["code"].as_str().expect("a code");
        let (b, s) = (&c["baseline"], &c["scenario"]);
        for state in [b, s] {
            assert!(state["status"].is_string(), "{c:#}");
            assert!(state["forecast"].is_string() || state["forecast"].is_null(), "{c:#}");
        }
        // The baseline is the forecast's.
        let base = forecast_outcome(&f, code);
        assert_eq!(b["status"], base["status"], "{code}");
        assert_eq!(b["forecast"], base["forecast"], "{code}");
        assert_eq!(b["drivers"], base["drivers"], "{code}");
        // Listed only when the status, the forecast or (with no forecast) the earliest finish
        // moves; never for the better.
        assert!(
            b["status"] != s["status"]
                || b["forecast"] != s["forecast"]
                || b["no_earlier_than"] != s["no_earlier_than"],
            "{c:#}"
        );
        assert_eq!(c["status_changed"], b["status"] != s["status"], "{c:#}");
        assert!(no_better(standing(&b["status"]), standing(&s["status"])), "{c:#}");
        let d = |t: &str| t.parse::<chrono::NaiveDate>().expect("a date");
        let pair = |key: &str| b[key].as_str().zip(s[key].as_str());
        let compared = match (b["forecast"].is_null(), s["forecast"].is_null()) {
            (false, false) => pair("forecast"),
            (true, true) => pair("no_earlier_than"),
            _ => None,
        };
        match compared {
            Some((bf, sf)) => {
                assert!(sf > bf, "{c:#}");
                assert_eq!(i64_of(&c["days"], "days"), (d(sf) - d(bf)).num_days(), "{c:#}");
            }
            None => assert!(c["days"].is_null(), "{c:#}"),
        }
    }
    // R28 (e-forms) misses its deadline; the six-month slip of document management pushes G19
    // past its deadline, known work alone.
    let r28 = changed.iter().find(|c| c["code"] == "R28").expect("R28 moves");
    assert_eq!(r28["scenario"]["status"], "off_track");
    assert_eq!(r28["scenario"]["forecast"], "2006-02-28");
    assert_eq!(r28["scenario"]["drivers"][0], "e-forms");
    let g19 = changed.iter().find(|c| c["code"] == "G19").expect("G19 moves");
    assert_eq!(g19["scenario"]["status"], "off_track");
    assert_eq!(g19["scenario"]["no_earlier_than"], "2006-08-31");

    // exposure.baseline_gbp is `exposure`'s at_risk_gbp. Under the default rule the 2005/06
    // grant is already at risk in full (a Required outcome is off track), so the slips add
    // nothing; shared pro rata, the scenario's is more.
    let x = json(&ok(&["exposure", "--format", "json"]));
    let e = &w["exposure"];
    let (before, after) = (u64_of(&e["baseline_gbp"], "b"), u64_of(&e["scenario_gbp"], "s"));
    assert_eq!(before, u64_of(&x["at_risk_gbp"], "exposure"));
    assert_eq!((before, after), (150_000, 150_000), "{e:#}");
    let pro_rata = json(&ok(&[&["--rules", PRO_RATA], TWO_SLIPS, &["--format", "json"]].concat()));
    let e = &pro_rata["exposure"];
    let (before, after) = (u64_of(&e["baseline_gbp"], "b"), u64_of(&e["scenario_gbp"], "s"));
    assert!(after > before, "{e:#}");
    assert_eq!(i64_of(&e["change_gbp"], "change"), after as i64 - before as i64);

    // The summaries count every outcome, before and after.
    for side in ["baseline", "scenario"] {
        let mut total = 0;
        for category in ["required", "good"] {
            let counts = w["summary"][side][category].as_object().expect("counts");
            total += counts.values().map(|n| u64_of(n, "count")).sum::<u64>();
        }
        assert_eq!(total, 54, "{side}");
    }
    assert_eq!(w["summary"]["baseline"], f["summary"]);
}

#[test]
fn scenario_file_json_compares_each_scenario_with_the_baseline() {
    let c = json(&ok(&["what-if", "--scenario", PROGRAMME_BOARD, "--format", "json"]));
    let x = json(&ok(&["exposure", "--format", "json"]));
    let f = json(&ok(&["forecast", "--format", "json"]));
    assert_eq!(c["as_of"], "2005-04-13");
    let baseline = u64_of(&c["baseline_exposure_gbp"], "baseline_exposure_gbp");
    assert_eq!(baseline, u64_of(&x["at_risk_gbp"], "at_risk_gbp"));
    assert_eq!(c["baseline_summary"], f["summary"]);
    assert_eq!(
        field_of(&c["scenarios"], "name"),
        ["fms-to-september", "docs-six-months-late", "web-phase-3-late"]
    );
    let scenarios = array(&c["scenarios"], "scenarios");
    for s in scenarios {
        assert_eq!(u64_of(&s["exposure"]["baseline_gbp"], "baseline"), baseline, "{}", s["name"]);
        assert!(u64_of(&s["exposure"]["scenario_gbp"], "scenario") >= baseline, "{}", s["name"]);
        assert!(s["description"].is_string(), "{}", s["name"]);
    }
    assert_eq!(field_of(&scenarios[0]["slips"], "slip"), ["2005-09-30"]);
    assert_eq!(field_of(&scenarios[2]["slips"], "id"), ["e-forms", "crm-web-integration"]);
    // A scenario of the file gives what the same slips give on the command line.
    let alone = json(&ok(&["what-if", "--slip", "document-management=+6m", "--format", "json"]));
    assert_eq!(scenarios[1]["changed"], alone["changed"]);
    assert_eq!(scenarios[1]["exposure"], alone["exposure"]);
    assert_eq!(scenarios[1]["slips"], alone["slips"]);
}

#[test]
fn slips_on_the_command_line_join_a_scenario_file_as_one_more_scenario() {
    let args = ["what-if", "--scenario", PROGRAMME_BOARD, "--slip", "25=+2m", "--format", "json"];
    let c = json(&ok(&args));
    let names = field_of(&c["scenarios"], "name");
    assert_eq!(names.len(), 4);
    assert_eq!(names[3], "command line");
    let last = &array(&c["scenarios"], "scenarios")[3];
    assert_eq!(field_of(&last["slips"], "id"), ["25"]);
    // An action ref slips every open task of action 25; R9 waits on them.
    assert!(field_of(&last["changed"], "code").contains(&"R9"), "{last:#}");
}

/// One slip's damage as the sensitivity JSON gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Harm {
    required_worse: u64,
    good_worse: u64,
    exposure_gbp: i64,
    delay_days: i64,
    required_missed: u64,
}

impl Harm {
    fn of(d: &Value) -> Harm {
        Harm {
            required_worse: u64_of(&d["required_worse"], "required_worse"),
            good_worse: u64_of(&d["good_worse"], "good_worse"),
            exposure_gbp: i64_of(&d["exposure_gbp"], "exposure_gbp"),
            delay_days: i64_of(&d["delay_days"], "delay_days"),
            required_missed: u64_of(&d["required_missed"], "required_missed"),
        }
    }

    fn is_none(&self) -> bool {
        *self == Harm::default()
    }
}

/// Pounds as the rank compares them: to the nearest thousand.
fn thousands(gbp: i64) -> i64 {
    (gbp + 500).div_euclid(1000)
}

/// Each slip's damage to one piece of work in the sensitivity JSON.
fn harms(w: &Value) -> Vec<Harm> {
    array(&w["damage"], "damage").iter().map(Harm::of).collect()
}

/// What the sensitivity JSON says the rank is based on, worse first: where the work bites
/// (earlier is worse), the harm there (Required, Good, pounds to the nearest thousand, days),
/// then the pounds at each larger slip.
fn rank_key(w: &Value) -> (std::cmp::Reverse<usize>, (u64, u64, i64, i64), Vec<i64>) {
    let h = harms(w);
    let Some(at) = h.iter().position(|d| !d.is_none()) else {
        return (std::cmp::Reverse(usize::MAX), (0, 0, 0, 0), Vec::new());
    };
    let d = h[at];
    let later = h[at + 1..].iter().map(|d| thousands(d.exposure_gbp)).collect();
    (
        std::cmp::Reverse(at),
        (d.required_worse, d.good_worse, thousands(d.exposure_gbp), d.delay_days),
        later,
    )
}

/// The ids of the sensitivity JSON's work, in rank order.
fn ranked_ids(out: &Value) -> Vec<&str> {
    field_of(&out["work"], "id")
}

#[test]
fn sensitivity_json_ranks_every_candidate_worst_first() {
    let out = json(&ok(&["sensitivity", "--format", "json"]));
    assert_eq!(out["as_of"], "2005-04-13");
    assert_eq!(field_of_strings(&out["by"]), ["+1m", "+3m", "+6m"]);
    assert!(out["ranked_by"].as_str().is_some_and(|t| t.starts_with("the smallest slip")));
    assert_eq!(out["rank_exposure_rounded_to_gbp"], 1000);
    let work = array(&out["work"], "work");

    // Every candidate (every open project, and every open task an outcome waits on), once.
    let s = seed();
    let candidates = scenario::candidates(&s.graph, &s.assessment.basis);
    let mut expected: Vec<&str> = candidates.iter().map(|n| s.graph.dag[*n].id.as_str()).collect();
    let mut ids = field_of(&out["work"], "id");
    expected.sort_unstable();
    ids.sort_unstable();
    assert_eq!(ids, expected);

    // Each piece of work's damage: one per slip, never negative, and never less for a larger
    // slip (a larger slip is a smaller one plus more).
    for (i, w) in work.iter().enumerate() {
        assert_eq!(field_of(&w["damage"], "slip"), ["+1m", "+3m", "+6m"], "{w:#}");
        let d = harms(w);
        assert!(d.iter().all(|h| h.exposure_gbp >= 0 && h.delay_days >= 0), "{w:#}");
        for pair in d.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(
                b.required_missed >= a.required_missed
                    && b.exposure_gbp >= a.exposure_gbp
                    && b.delay_days >= a.delay_days,
                "{}: {d:?}",
                w["id"]
            );
        }
        // Every Required outcome newly off track is one whose status got worse.
        assert!(d.iter().all(|h| h.required_worse >= h.required_missed), "{w:#}");
        assert_eq!(u64_of(&w["rank"], "rank"), i as u64 + 1);
        let bites = d.iter().position(|h| !h.is_none());
        let by = ["+1m", "+3m", "+6m"];
        assert_eq!(w["bites_at"].as_str(), bites.map(|i| by[i]), "{w:#}");
    }
    // Worst first: by where it bites, the harm there, the pounds at larger slips.
    for pair in work.windows(2) {
        let (a, b) = (rank_key(&pair[0]), rank_key(&pair[1]));
        assert!(a >= b, "{} ({a:?}) is ranked above {} ({b:?})", pair[0]["id"], pair[1]["id"]);
    }
    assert_eq!(work[0]["bites_at"], "+1m", "some work bites at the smallest slip");

    // The damage is what a what-if of the same slip shows, for the two worst and one that bites
    // only later.
    let later = work.iter().find(|w| w["bites_at"] == "+3m").expect("work that bites at +3m");
    for w in [&work[0], &work[1], later] {
        let id = w["id"].as_str().expect("an id");
        for (i, by) in ["+1m", "+3m", "+6m"].into_iter().enumerate() {
            let slip = format!("{id}={by}");
            let what_if = json(&ok(&["what-if", "--slip", &slip, "--format", "json"]));
            let changed = array(&what_if["changed"], "changed");
            let worse = |category: &str| {
                changed
                    .iter()
                    .filter(|c| {
                        c["category"] == category
                            && severity(&c["scenario"]["status"])
                                > severity(&c["baseline"]["status"])
                    })
                    .count() as u64
            };
            let missed = changed
                .iter()
                .filter(|c| {
                    c["category"] == "required"
                        && c["baseline"]["status"] != "off_track"
                        && c["scenario"]["status"] == "off_track"
                })
                .count() as u64;
            let delay: i64 =
                changed.iter().filter_map(|c| c["days"].as_i64()).map(|d| d.max(0)).sum();
            let exposure = i64_of(&what_if["exposure"]["change_gbp"], "change_gbp");
            let expected = Harm {
                required_worse: worse("required"),
                good_worse: worse("good"),
                exposure_gbp: exposure,
                delay_days: delay,
                required_missed: missed,
            };
            assert_eq!(harms(w)[i], expected, "{slip}");
        }
    }
}

/// How bad a status is: achieved, on track, at risk, unknown, off track.
fn severity(v: &Value) -> usize {
    let order = ["achieved", "on_track", "at_risk", "unknown", "off_track"];
    order.iter().position(|s| v.as_str() == Some(*s)).unwrap_or_else(|| panic!("status {v}"))
}

const BITES_EARLY: &str = "fixtures/sensitivity/bites-early.yaml";

/// Work with no slack that breaks a Required outcome at the smallest slip ranks above work with
/// months of slack that does more damage only at the largest (the fixture says which is which);
/// a pound's difference in exposure does not reorder two otherwise equal pieces of work.
#[test]
fn sensitivity_ranks_by_the_smallest_slip_that_does_harm() {
    let out = json(&ok(&[
        "--rules",
        PRO_RATA,
        "--model",
        BITES_EARLY,
        "sensitivity",
        "--format",
        "json",
    ]));
    assert_eq!(ranked_ids(&out), ["1.1", "2.1", "3.1", "platform"]);
    let work = array(&out["work"], "work");
    let bites: Vec<&str> = work.iter().map(|w| w["bites_at"].as_str().unwrap_or("-")).collect();
    assert_eq!(bites, ["+1m", "+1m", "+1m", "+6m"]);
    let (tight, other_tight, platform) = (harms(&work[0]), harms(&work[1]), harms(&work[3]));
    // The platform does nothing before +6m, and more there than 1.1 ever does.
    assert!(platform[..2].iter().all(Harm::is_none), "{platform:?}");
    assert!(platform[2].required_worse > tight[2].required_worse, "{platform:?} {tight:?}");
    assert!(platform[2].exposure_gbp > tight[2].exposure_gbp, "{platform:?} {tight:?}");
    // 1.1 breaks R2 at +1m.
    assert_eq!((tight[0].required_worse, tight[0].required_missed), (1, 1), "{tight:?}");
    // 2.1 adds a pound more at every slip and is otherwise the same: model order decides.
    for (a, b) in tight.iter().zip(&other_tight) {
        assert_eq!(b.exposure_gbp, a.exposure_gbp + 1, "{tight:?} {other_tight:?}");
        assert_eq!(Harm { exposure_gbp: a.exposure_gbp, ..*b }, *a);
    }

    // The table says the same, and why.
    let table = ok(&["--rules", PRO_RATA, "--model", BITES_EARLY, "sensitivity"]);
    // The rows: after the header's rule, up to the blank line.
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("--"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .collect();
    let order: Vec<(&str, &str)> = rows.iter().map(|r| (r[1], r[2])).collect();
    assert_eq!(order, [("1.1", "+1m"), ("2.1", "+1m"), ("3.1", "+1m"), ("platform", "+6m")]);
    assert!(table.contains("Ranked by where each bites"), "{table}");
    let md = ok(&["--rules", PRO_RATA, "--model", BITES_EARLY, "sensitivity", "--format", "md"]);
    assert!(md.contains("Ranked by where each bites"), "{md}");
    assert!(md.contains("| 1 | 1.1 |  | +1m | 1R 0G 31d +£1,000 |"), "{md}");

    // With +6m alone, every piece of work bites there, and the harm there decides.
    let out = json(&ok(&[
        "--rules",
        PRO_RATA,
        "--model",
        BITES_EARLY,
        "sensitivity",
        "--by",
        "+6m",
        "--format",
        "json",
    ]));
    assert_eq!(ranked_ids(&out), ["3.1", "platform", "1.1", "2.1"]);
}

// ---- Properties of slips, through the library -----------------------------------------------------

/// Run a property over `strategy` with [`config`], in this thread, so that a session loaded once
/// (rules are not `Send`) serves every case.
fn check<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config());
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

/// A later-by span of up to 6 months and 60 days, not zero.
fn span() -> impl Strategy<Value = Span> {
    (0u32..=6, 0u32..=60)
        .prop_filter("a slip moves something", |(m, d)| m + d > 0)
        .prop_map(|(months, days)| Span { months, days })
}

/// The slips that move `id` later by `span`, as a user writes them: `ID=+3m`, `ID=+10d`.
fn later(id: &str, span: Span) -> Vec<Slip> {
    let mut texts = Vec::new();
    if span.months > 0 {
        texts.push(format!("{id}=+{}m", span.months));
    }
    if span.days > 0 {
        texts.push(format!("{id}=+{}d", span.days));
    }
    texts.iter().map(|t| parse(t)).collect()
}

fn parse(text: &str) -> Slip {
    Slip::parse(text).unwrap_or_else(|e| panic!("`{text}` does not parse: {e}"))
}

/// Run slips against the session's baseline.
fn run(s: &Session, slips: Vec<Slip>) -> Assessment {
    let texts: Vec<String> = slips.iter().map(|s| s.text.clone()).collect();
    let sc = Scenario { name: "property".into(), description: None, as_of: None, slips };
    scenario::run(&s.model, &s.graph, &s.rules, &s.assessment, &sc)
        .unwrap_or_else(|e| panic!("{texts:?} do not run:\n{e}"))
}

/// A status as JSON writes it.
fn standing(v: &Value) -> Standing {
    Standing::ALL
        .into_iter()
        .find(|s| v.as_str() == Some(s.as_str()))
        .unwrap_or_else(|| panic!("not a status: {v}"))
}

/// Whether `after` is no better than `before`: worse or equal among the ordered standings;
/// unknown may become off track (known work alone now misses the deadline) but off track never
/// becomes unknown.
fn no_better(before: Standing, after: Standing) -> bool {
    // Whether an outcome applies to the council does not depend on any slip.
    if before == Standing::NotApplicable || after == Standing::NotApplicable {
        return before == after;
    }
    match (rank(before), rank(after)) {
        (Some(b), Some(a)) => a >= b,
        (None, _) => matches!(after, Standing::Unknown | Standing::OffTrack),
        (Some(_), None) => before != Standing::OffTrack,
    }
}

/// Every outcome's result, every node's forecast and floor, and the exposure are the same.
fn same(s: &Session, a: &Assessment, b: &Assessment) -> Result<(), String> {
    same_but(s, a, b, &[])
}

/// [`same`], but the forecast and floor of the work named in `except` may differ.
fn same_but(s: &Session, a: &Assessment, b: &Assessment, except: &[&str]) -> Result<(), String> {
    if a.outcomes.len() != b.outcomes.len() {
        return Err(format!("{} outcomes against {}", a.outcomes.len(), b.outcomes.len()));
    }
    for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
        let ids = |r: &routemap::assess::OutcomeResult| -> Vec<String> {
            r.drivers.iter().map(|n| s.graph.dag[*n].id.clone()).collect()
        };
        let left = (x.node, x.standing, x.forecast, x.slack_days, ids(x), &x.reason);
        let right = (y.node, y.standing, y.forecast, y.slack_days, ids(y), &y.reason);
        if left != right || x.facts != y.facts {
            return Err(format!("{}: {left:?} against {right:?}", s.graph.dag[x.node].id));
        }
    }
    for (what, p, q) in [("forecast", &a.forecast, &b.forecast), ("floor", &a.floor, &b.floor)] {
        let id = |i: usize| s.graph.dag[petgraph::graph::NodeIndex::new(i)].id.as_str();
        if let Some(i) = (0..p.len()).find(|&i| p[i] != q[i] && !except.contains(&id(i))) {
            return Err(format!("{}: {what} {:?} against {:?}", id(i), p[i], q[i]));
        }
    }
    if a.exposure != b.exposure {
        return Err(format!("exposure {:?} against {:?}", a.exposure, b.exposure));
    }
    Ok(())
}

/// The ids of the seed's sensitivity candidates.
fn candidate_ids(s: &Session) -> Vec<String> {
    let ids: Vec<String> = scenario::candidates(&s.graph, &s.assessment.basis)
        .into_iter()
        .map(|n| s.graph.dag[n].id.clone())
        .collect();
    assert!(ids.len() > 50, "the seed has many pieces of open work: {ids:?}");
    ids
}

/// (a) and (b): a later-by slip of any open work never brings an outcome's forecast earlier,
/// never makes a forecast known or unknown, never improves a standing, and never lowers the
/// funding exposure, in total, in any stream or for any outcome.
#[test]
fn a_later_slip_never_helps() {
    let s = seed();
    let ids = candidate_ids(&s);
    let base = &s.assessment;
    check((any::<Index>(), span()), |(which, span)| {
        let id = which.get(&ids);
        let after = run(&s, later(id, span));
        for (b, a) in base.outcomes.iter().zip(&after.outcomes) {
            let code = &s.graph.dag[b.node].id;
            let context = || {
                format!(
                    "slipping {id} by {span:?}: {code} went from {:?} {:?} ({}) to {:?} {:?} ({})",
                    b.standing, b.forecast, b.reason, a.standing, a.forecast, a.reason
                )
            };
            prop_assert_eq!(b.node, a.node);
            prop_assert_eq!(b.forecast.is_some(), a.forecast.is_some(), "{}", context());
            if let (Some(bf), Some(af)) = (b.forecast, a.forecast) {
                prop_assert!(af >= bf, "{}", context());
            }
            let (bn, an) = (base.floor[b.node.index()], after.floor[a.node.index()]);
            if let (Some(bn), Some(an)) = (bn, an) {
                prop_assert!(an >= bn, "no_earlier_than {bn} -> {an}: {}", context());
            }
            prop_assert!(no_better(b.standing, a.standing), "{}", context());
        }
        let (bx, ax) = (&base.exposure, &after.exposure);
        prop_assert!(
            ax.at_risk_gbp >= bx.at_risk_gbp,
            "slipping {id} by {span:?} lowers the exposure from {} to {}",
            bx.at_risk_gbp,
            ax.at_risk_gbp
        );
        for (i, (b, a)) in bx.streams.iter().zip(&ax.streams).enumerate() {
            prop_assert!(a.at_risk_gbp >= b.at_risk_gbp, "{id} {span:?}: stream {i}");
        }
        // A stream judged on the return is divided among the outcomes that expose it, so one
        // outcome's part may fall when a slip adds another; shared pro rata, none may.
        let pro_rata = base.basis.terms.streams.iter().all(|t| t.method == Method::ProRata);
        for (r, (b, a)) in base.outcomes.iter().zip(bx.outcomes.iter().zip(&ax.outcomes)) {
            if pro_rata {
                prop_assert!(
                    a >= b,
                    "{id} {span:?}: {} exposes {b} then {a}",
                    s.graph.dag[r.node].id
                );
            }
        }
        Ok(())
    });
}

/// (c) Slips on the same work add up: `X=+1m` twice is `X=+2m`, `X=+10d` twice is `X=+20d`,
/// `X=+1w` twice is `X=+14d`, and so for any amounts.
#[test]
fn slips_on_the_same_work_add_up() {
    let s = seed();
    let ids = candidate_ids(&s);
    let amounts = (1u32..=6, 1u32..=6, 1u32..=45, 1u32..=45);
    check((any::<Index>(), amounts), |(which, (m1, m2, d1, d2))| {
        let id = which.get(&ids);
        let cases = [
            ("+1m".to_string(), "+1m".to_string(), "+2m".to_string()),
            ("+10d".into(), "+10d".into(), "+20d".into()),
            ("+1w".into(), "+1w".into(), "+14d".into()),
            (format!("+{m1}m"), format!("+{m2}m"), format!("+{}m", m1 + m2)),
            (format!("+{d1}d"), format!("+{d2}d"), format!("+{}d", d1 + d2)),
        ];
        for (first, second, whole) in cases {
            let twice =
                run(&s, vec![parse(&format!("{id}={first}")), parse(&format!("{id}={second}"))]);
            let once = run(&s, vec![parse(&format!("{id}={whole}"))]);
            if let Err(why) = same(&s, &twice, &once) {
                return Err(TestCaseError::fail(format!(
                    "{id}={first} then {id}={second} differs from {id}={whole}: {why}"
                )));
            }
        }
        Ok(())
    });
}

/// A date or `complete` replaces what came before it on that work.
#[test]
fn a_date_or_complete_replaces_earlier_slips_on_that_work() {
    let s = seed();
    for (first, then) in [
        ("e-forms=+3m", "e-forms=2005-12-31"),
        ("document-management=+6m", "document-management=complete"),
        ("25=+2m", "25=2005-11-30"),
    ] {
        let both = run(&s, vec![parse(first), parse(then)]);
        let alone = run(&s, vec![parse(then)]);
        same(&s, &both, &alone).unwrap_or_else(|why| panic!("{first} then {then}: {why}"));
        // ... and the earlier slip alone would have moved something.
        assert!(same(&s, &run(&s, vec![parse(first)]), &alone).is_err(), "{first}");
    }
}

// ---- Work no outcome waits on -------------------------------------------------------------------

const CATALOGUE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/odpm-outcomes.yaml");

/// A small routemap: `feeder` (a project) -> task 1.1 -> R8 and G3, task 1.2 -> R8 and G3; and
/// work that feeds no outcome: `side-project` -> task 2.1 (action 2 serves no outcome), and the
/// milestone `side-milestone` that nothing waits on.
fn side_model() -> String {
    format!(
        r#"document:
  council: Test Council
  title: Test routemap
  version: "1"
  issue_date: 2005-04-13
catalogue: "{CATALOGUE}"
projects:
  - id: feeder
    title: Feeds R8 and G3
    kind: project
    finish: Oct 2005
    status: In progress
  - id: side-project
    title: Feeds no outcome
    kind: project
    finish: Sept 2005
    status: In progress
  - id: side-milestone
    title: Nothing waits on it
    kind: milestone
    finish: Nov 2005
actions:
  - ref: "1"
    section: Test
    outcomes: [R8, G3]
    tasks:
      - id: "1.1"
        text: Waits on the feeder project
        proposed: Dec 2005
        status: On target
        waits_on:
          - id: feeder
      - id: "1.2"
        text: Stands alone
        proposed: Jun 2005
        status: In progress
  - ref: "2"
    section: Test
    outcomes: []
    tasks:
      - id: "2.1"
        text: Serves no outcome
        proposed: Nov 2005
        status: Not started
        waits_on:
          - id: side-project
funding:
  - id: ieg-2005-06
    name: IEG4 grant 2005/06
    amount_gbp: 150000
    financial_year: 2005/06
    depends_on: The priority outcomes
"#
    )
}

/// [`side_model`] written to a fresh temporary directory, removed when dropped.
struct SideModel {
    dir: TempDir,
}

impl SideModel {
    fn write(name: &str) -> SideModel {
        let dir = TempDir::new(&format!("what-if-{name}"));
        std::fs::write(dir.path("routemap.yaml"), side_model()).expect("write the model");
        SideModel { dir }
    }

    fn session(&self) -> Session {
        Session::open(&Source::Path(self.dir.path("routemap.yaml").into()), None, None)
            .unwrap_or_else(|e| panic!("the side model does not evaluate:\n{e}\n{}", side_model()))
    }
}

/// (d) Slipping work that no outcome waits on changes nothing: no outcome's result, no forecast
/// of work an outcome waits on, and not the exposure.
#[test]
fn slipping_work_no_outcome_waits_on_changes_nothing() {
    let model = SideModel::write("side");
    let s = model.session();
    let base = &s.assessment;
    assert!(base.exposure.at_risk_gbp > 0, "the side model puts some funding at risk");

    // Sensitivity tries every open project, but only the tasks some outcome waits on.
    let tried: Vec<&str> = scenario::candidates(&s.graph, &base.basis)
        .into_iter()
        .map(|n| s.graph.dag[n].id.as_str())
        .collect();
    assert_eq!(tried, ["feeder", "side-project", "side-milestone", "1.1", "1.2"]);

    // Not a vacuous model: slipping the work R8 waits on moves R8.
    let r8 = s.graph.node("R8").expect("R8").index();
    let moved = run(&s, vec![parse("feeder=+3m")]);
    assert!(same(&s, base, &moved).is_err());
    assert!(moved.forecast[r8] > base.forecast[r8], "feeder=+3m moves R8");

    let side = ["side-project", "side-milestone", "2.1", "2"];
    check((any::<Index>(), span()), |(which, span)| {
        let id = *which.get(&side);
        let after = run(&s, later(id, span));
        // The slipped work itself moves...
        if let Some(n) = s.graph.node(id) {
            prop_assert!(after.forecast[n.index()] > base.forecast[n.index()], "{id} {span:?}");
        }
        // ... and nothing any outcome sees does.
        if let Err(why) = same_but(&s, base, &after, &["side-project", "side-milestone", "2.1"]) {
            return Err(TestCaseError::fail(format!("slipping {id} by {span:?}: {why}")));
        }
        Ok(())
    });

    // The same through the binary: no outcome moves, no funding either.
    let path = model.dir.path("routemap.yaml");
    let w =
        json(&ok(&["what-if", "--model", &path, "--slip", "side-project=+3m", "--format", "json"]));
    assert_eq!(w["changed"], serde_json::json!([]), "{w:#}");
    assert_eq!(field_of(&w["slips"], "id"), ["side-project"]);
    assert_eq!(i64_of(&w["slips"][0]["days"], "days"), 92, "30 Sep 2005 -> 31 Dec 2005");
    assert_eq!(i64_of(&w["exposure"]["change_gbp"], "change_gbp"), 0);
    let table = ok(&["what-if", "--model", &path, "--slip", "side-project=+3m"]);
    assert!(table.contains("No outcome's status or forecast moves."), "{table}");
}

// ---- Dates and `complete` from the command line ---------------------------------------------------

#[test]
fn a_date_slip_and_complete_work_from_the_command_line() {
    // e-forms finishes on 31 December 2005 instead of its assumed 30 November: a stated date in
    // place of the rules' assumption.
    let w = json(&ok(&["what-if", "--slip", "e-forms=2005-12-31", "--format", "json"]));
    let slip = &w["slips"][0];
    assert_eq!(slip["id"], "e-forms");
    assert_eq!(slip["slip"], "2005-12-31");
    assert_eq!((&slip["from"], &slip["to"]), (&"2005-11-30".into(), &"2005-12-31".into()));
    assert_eq!(i64_of(&slip["days"], "days"), 31);
    for c in array(&w["changed"], "changed") {
        assert_eq!(c["scenario"]["drivers"][0], "e-forms", "{c:#}");
    }
    assert!(!array(&w["changed"], "changed").is_empty());

    // Document management done today: R8 no longer waits on it, and its floor comes back from
    // February 2006 to the deadline.
    let w = json(&ok(&["what-if", "--slip", "document-management=complete", "--format", "json"]));
    let slip = &w["slips"][0];
    assert_eq!(slip["slip"], "complete");
    assert_eq!((&slip["from"], &slip["to"]), (&"2006-02-28".into(), &"2005-04-13".into()));
    assert_eq!(i64_of(&slip["days"], "days"), -321);
    let r8 = array(&w["changed"], "changed")
        .iter()
        .find(|c| c["code"] == "R8")
        .unwrap_or_else(|| panic!("R8 moves: {w:#}"));
    assert_eq!(r8["baseline"]["status"], "off_track");
    assert_ne!(r8["scenario"]["status"], "off_track");
    let floor = |side: &str| r8[side]["no_earlier_than"].as_str().expect("a floor").to_string();
    assert!(floor("scenario") < floor("baseline"), "{r8:#}");
    // Other Required outcomes stay off track, so the 2005/06 grant stays at risk in full.
    assert_eq!(i64_of(&w["exposure"]["change_gbp"], "change_gbp"), 0, "{:#}", w["exposure"]);

    // `complete` is allowed on complete work (it changes nothing), and is case-blind.
    let table = ok(&["what-if", "--slip", "11.1=COMPLETE"]);
    assert!(table.contains("No outcome's status or forecast moves."), "{table}");
}

// ---- Errors on the command line -----------------------------------------------------------------

/// Run, insist on exit code 2 with nothing on standard output, snapshot standard error.
fn rejected(name: &str, args: &[&str]) -> String {
    let stderr = bad(args);
    assert!(stderr.starts_with("error: "), "{stderr}");
    insta::assert_snapshot!(name, stderr);
    stderr
}

#[test]
fn unknown_id_suggests_the_nearest() {
    let stderr = rejected("slip_unknown_id", &["what-if", "--slip", "document-managment=+3m"]);
    assert!(stderr.contains("`document-managment`"), "{stderr}");
    assert!(stderr.contains("did you mean `document-management`"), "{stderr}");
}

#[test]
fn slip_without_an_equals_sign() {
    let stderr = rejected("slip_no_equals", &["what-if", "--slip", "e-forms"]);
    assert!(stderr.contains("`e-forms`") && stderr.contains("`=`"), "{stderr}");
}

#[test]
fn slip_with_an_unknown_unit() {
    let stderr = rejected("slip_bad_unit", &["what-if", "--slip", "e-forms=+3x"]);
    assert!(stderr.contains("`+3x`"), "{stderr}");
}

#[test]
fn slip_earlier_is_refused() {
    let stderr = rejected("slip_earlier", &["what-if", "--slip", "e-forms=-1m"]);
    assert!(stderr.contains("`-1m`") && stderr.contains("later only"), "{stderr}");
}

#[test]
fn slip_to_a_date_before_the_as_of_date() {
    let stderr = rejected("slip_before_as_of", &["what-if", "--slip", "e-forms=2005-01-01"]);
    assert!(stderr.contains("2005-01-01") && stderr.contains("2005-04-13"), "{stderr}");
    assert!(stderr.contains("e-forms=complete"), "{stderr}");
}

#[test]
fn slip_an_outcome() {
    let stderr = rejected("slip_outcome", &["what-if", "--slip", "R8=+1m"]);
    assert!(stderr.contains("R8 is an outcome"), "{stderr}");
    assert!(stderr.contains("critical-path R8"), "{stderr}");
}

#[test]
fn slip_complete_work() {
    // Task 11.1 (the Pendleton planning website review) is complete in the routemap; so is the
    // data storage project.
    let stderr = rejected("slip_complete_task", &["what-if", "--slip", "11.1=+1m"]);
    assert!(stderr.contains("11.1 is complete") && stderr.contains("cannot slip"), "{stderr}");
    let stderr = bad(&["what-if", "--slip", "data-storage=2005-12-31"]);
    assert!(stderr.contains("data-storage is complete"), "{stderr}");
}

#[test]
fn every_bad_slip_is_reported_at_once() {
    let stderr = rejected(
        "slip_several",
        &["what-if", "--slip", "e-forms", "--slip", "R8=+1m", "--slip", "fms-replacment=+1m"],
    );
    assert!(stderr.ends_with("\n3 errors\n"), "{stderr}");
}

/// Slips too large for the calendar are user errors like any other: exit code 2 and a message,
/// never a panic (ARCHITECTURE.md: "Nothing panics on user input"), and never silently nothing.
#[test]
fn slips_too_large_for_the_calendar_are_refused() {
    for args in [
        &["what-if", "--slip", "e-forms=+4294967295d"][..],
        &["what-if", "--slip", "e-forms=+700000000w"],
        &["what-if", "--slip", "e-forms=+99999999m"],
        &["what-if", "--slip", "e-forms=+4294967295m", "--slip", "e-forms=+1m"],
        &["sensitivity", "--by", "+4294967295d"],
    ] {
        let run = crate::common::routemap(args);
        assert_eq!(run.code, 2, "routemap {args:?}:\n{}{}", run.stdout, run.stderr);
        assert!(!run.stderr.contains("panicked"), "routemap {args:?}:\n{}", run.stderr);
        assert!(run.stderr.contains("hundred years"), "routemap {args:?}:\n{}", run.stderr);
    }
}

#[test]
fn what_if_with_nothing_to_slip() {
    let stderr = rejected("what_if_nothing", &["what-if"]);
    assert!(stderr.contains("--slip") && stderr.contains("--scenario"), "{stderr}");
}

#[test]
fn sensitivity_by_a_date() {
    let stderr = rejected("sensitivity_by_date", &["sensitivity", "--by", "2005-01-01"]);
    assert!(stderr.contains("--by 2005-01-01"), "{stderr}");
}

#[test]
fn sensitivity_by_nothing() {
    let stderr = rejected("sensitivity_by_zero", &["sensitivity", "--by", "+0m"]);
    assert!(stderr.contains("--by +0m"), "{stderr}");
    // One bad slip among good ones is still refused.
    let stderr = bad(&["sensitivity", "--by", "+1m,+0d"]);
    assert!(stderr.contains("--by +0d"), "{stderr}");
}

#[test]
fn scenario_file_that_does_not_exist() {
    let path = "fixtures/scenarios/invalid/no-such-file.yaml";
    let stderr = rejected("scenario_missing_file", &["what-if", "--scenario", path]);
    assert!(stderr.contains(path) && stderr.contains("no such file"), "{stderr}");
}

// ---- Errors in scenario files -------------------------------------------------------------------

/// Run `what-if --scenario fixtures/scenarios/invalid/<name>.yaml`, insist on exit code 2 with
/// nothing on standard output, snapshot standard error, and check that every message points into
/// the file with a line and column. Returns standard error.
fn scenario_invalid(name: &str) -> String {
    let path = format!("fixtures/scenarios/invalid/{name}.yaml");
    let stderr = bad(&["what-if", "--scenario", &path]);
    insta::assert_snapshot!(format!("scenario_{name}"), stderr);
    let messages = stderr.lines().filter(|l| l.starts_with("error: ")).count();
    let located: Vec<&str> =
        stderr.lines().filter(|l| l.trim_start().starts_with("--> ")).collect();
    assert!(messages > 0, "{path}: {stderr}");
    assert_eq!(located.len(), messages, "{path}: every message has a location:\n{stderr}");
    for l in &located {
        let at = l.trim_start().trim_start_matches("--> ");
        let rest = at.strip_prefix(&format!("{path}:")).unwrap_or_else(|| panic!("{l}"));
        let numbers: Vec<usize> =
            rest.split(':').map(|n| n.parse().unwrap_or_else(|_| panic!("{l}"))).collect();
        assert!(numbers.len() == 2 && numbers.iter().all(|n| *n > 0), "{l}");
    }
    stderr
}

/// One test per fixture, named after it, with what its message must say, and the list of
/// fixtures they cover: a fixture added without a test fails `every_scenario_fixture_has_a_test`.
macro_rules! invalid_scenarios {
    ($($test:ident: $name:literal => [$($needle:literal),*],)*) => {
        $(
            #[test]
            fn $test() {
                let stderr = scenario_invalid($name);
                $(assert!(stderr.contains($needle), "{}: no {:?} in\n{stderr}", $name, $needle);)*
            }
        )*

        const SCENARIO_FIXTURES: &[&str] = &[$($name),*];
    };
}

invalid_scenarios! {
    scenario_yaml_syntax: "yaml-syntax" => ["yaml-syntax.yaml:5:9"],
    scenario_unknown_field: "unknown-field" => ["unknown field `slip`", "unknown-field.yaml:4:5"],
    scenario_unknown_id: "unknown-id" => [
        "no task, project or action `document-managment`",
        "did you mean `document-management`?",
        "unknown-id.yaml:5:9"
    ],
    scenario_malformed_slip: "malformed-slip" => ["`+3x`", "malformed-slip.yaml:5:9"],
    scenario_duplicate_name: "duplicate-name" => [
        "`web-late` is named twice",
        "duplicate-name.yaml:6:11"
    ],
    scenario_bad_as_of: "bad-as-of" => ["`2005-13-01` is not a date", "bad-as-of.yaml:4:12"],
    scenario_nothing_to_change: "nothing-to-change" => [
        "`business-as-usual` has no slips and no as_of",
        "nothing-to-change.yaml:3:"
    ],
    scenario_no_scenarios: "no-scenarios" => ["has no scenarios", "no-scenarios.yaml:2:"],
    scenario_several_errors: "several-errors" => [
        "did you mean `document-management`?",
        "`e-forms`: a slip names the work",
        "`docs-late` is named twice",
        "`next week` is not a date",
        "\n4 errors\n"
    ],
    scenario_before_as_of: "before-as-of" => [
        "2005-01-01 is before the as-of date 2005-04-13",
        "before-as-of.yaml:5:9"
    ],
    scenario_complete_work: "complete-work" => [
        "11.1 is complete",
        "complete-work.yaml:5:9"
    ],
}

#[test]
fn every_scenario_fixture_has_a_test() {
    let (untested, missing) = untested_fixtures("fixtures/scenarios/invalid", SCENARIO_FIXTURES);
    assert!(
        untested.is_empty(),
        "fixtures with no test in tests/integration/what_if.rs: {untested:?}"
    );
    assert!(
        missing.is_empty(),
        "tests with no fixture in fixtures/scenarios/invalid/: {missing:?}"
    );
}

#[test]
fn shipped_scenario_files_run() {
    // The autumn review judges the routemap on 1 October 2005, with no slip needed.
    let c = json(&ok(&[
        "what-if",
        "--scenario",
        "fixtures/scenarios/autumn-review.yaml",
        "--format",
        "json",
    ]));
    let s = &c["scenarios"][0];
    assert_eq!(s["name"], "autumn-review");
    assert_eq!(s["as_of"], "2005-10-01");
    assert_eq!(c["as_of"], "2005-04-13");
    assert!(!array(&s["changed"], "changed").is_empty(), "{s:#}");
}

/// A scenario file in YAML's flow style starts with `{` like JSON, and is still read as YAML.
#[test]
fn a_flow_style_scenario_file_is_yaml() {
    let test =
        Test::new().write("flow.yaml", "{scenarios: [{name: late, slips: [e-forms=+3m]}]}\n");
    let file = test.path("flow.yaml");
    let flow = test.args(["what-if", "--scenario", &file, "--format", "json"]).stderr("").run();
    let flow = json(&flow.stdout);
    let direct = json(&ok(&["what-if", "--slip", "e-forms=+3m", "--format", "json"]));
    assert_eq!(flow["scenarios"][0]["changed"], direct["changed"]);
}

/// Scenario names and descriptions are the user's text: Markdown reads them literally, and a
/// pipe in a name does not break the comparison table.
#[test]
fn markdown_reads_scenario_text_literally() {
    let test = Test::new().write(
        "odd.yaml",
        "scenarios:\n  - name: \"a|b *x* <img src=x>\"\n    description: \"one\\n## two\"\n    slips: [e-forms=+3m]\n",
    );
    let file = test.path("odd.yaml");
    let md = test.args(["what-if", "--scenario", &file, "--format", "md"]).stderr("").run().stdout;
    assert!(md.contains("- **a|b \\*x\\* \\<img src=x>**: e-forms +3m. one ## two\n"), "{md}");
    assert!(
        md.contains("| code | baseline | a\\|b \\*x\\* \\<img src=x> |\n|---|---|---|\n"),
        "{md}"
    );
    assert!(!md.contains("\n## two"), "{md}");
}
