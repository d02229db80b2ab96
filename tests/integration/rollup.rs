//! `routemap rollup`: a partnership rolled up in every format, a manifest's regions and tiers, a
//! broken council left out (located, listed in every output, exit code 3) with the others rolled
//! up, the same bytes whatever the number of threads, and (over generated councils) the
//! per-council counts summing to the per-outcome totals.

#[path = "../../examples/support/councils.rs"]
mod councils;

use proptest::prelude::*;

use crate::common::{config, json};
use crate::test::Test;

const PARTNERSHIP: &str = "fixtures/partnership/manifest.yaml";

/// The rules' hash taken out of a roll-up's JSON: it changes with any rule file.
fn redacted(out: &str) -> String {
    let mut v = json(out);
    for c in v["councils"].as_array_mut().expect("councils") {
        c["rules_hash"] = "[hash]".into();
    }
    serde_json::to_string_pretty(&v).expect("JSON")
}

fn partnership(args: &[&str]) -> String {
    let mut all = vec!["rollup", PARTNERSHIP];
    all.extend_from_slice(args);
    Test::new().args(all).stderr("").run().stdout
}

#[test]
fn a_partnership_in_every_format() {
    insta::assert_snapshot!("partnership_table", partnership(&[]));
    insta::assert_snapshot!("partnership_json", redacted(&partnership(&["--format", "json"])));
    insta::assert_snapshot!("partnership_csv", partnership(&["--format", "csv"]));
    insta::assert_snapshot!("partnership_md", partnership(&["--format", "md"]));
    let html = partnership(&["--format", "html"]);
    assert!(html.contains("@page { size: A4 landscape"), "{html}");
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
    // One heat-map row per council, one cell per outcome.
    // The heading row and one row a council.
    let rows = html.matches("<tr><th class=\"name\">").count();
    assert_eq!(rows, 6, "{html}");
    let heat = &html[html.find("<table class=\"heat\">").expect("heat map")..];
    let heat = &heat[..heat.find("</table>").expect("end")];
    assert_eq!(heat.matches("<td class=\"s").count(), 5 * 54);
    // Outcomes most often off track come first: R1 (off track in the councils without a tier
    // that would exempt them) before R5 (achieved in three).
    let code = |c: &str| heat.find(&format!("<span>{c}</span>")).expect(c);
    assert!(code("R3") < code("R5"), "{heat}");
    assert!(html.contains("What holds councils up") && html.contains("document management"));
}

#[test]
fn the_partnership_json_answers_the_questions() {
    let out = json(&partnership(&["--format", "json"]));
    assert_eq!(out["councils_rolled_up"], 5);
    assert_eq!(out["councils_left_out"], 0);
    let names: Vec<&str> =
        out["councils"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Charnwood Borough Council",
            "Loxley Borough Council",
            "Shire County Council",
            "Soar Vale Borough Council",
            "Wreake Valley District Council"
        ]
    );
    let council = |name: &str| {
        out["councils"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
    };
    // The manifest's tier applies to a model without one: the County's outcomes are not a
    // district's.
    let soar = council("Soar Vale Borough Council");
    assert_eq!(soar["tier"], "district");
    assert_eq!(soar["required"]["not_applicable"], 5);
    // The manifest's as-of date.
    assert_eq!(soar["as_of"], "2005-08-01");
    // The County delivers the education outcomes.
    assert_eq!(council("Shire County Council")["required"]["not_applicable"], 0);
    // Every outcome counted once a council.
    for o in out["outcomes"].as_array().unwrap() {
        let total: u64 =
            o["counts"].as_object().unwrap().values().map(|n| n.as_u64().unwrap()).sum();
        assert_eq!(total, 5, "{o}");
    }
    assert_eq!(out["outcomes"].as_array().unwrap().len(), 54);
    assert!(
        out["holding_up"]["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["id"] == "document management")
    );
    assert!(out["simulation"].is_null());
}

#[test]
fn a_simulation_gives_each_council_a_probability_and_the_nation_a_distribution() {
    let out = json(&partnership(&["--format", "json", "--simulate", "300", "--jobs", "2"]));
    let sim = &out["simulation"];
    assert_eq!(sim["runs"], 300);
    let points = sim["distribution"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    let total: f64 = points.iter().map(|p| p["p"].as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    let mut expected = 0.0;
    for c in out["councils"].as_array().unwrap() {
        let p = c["simulation"]["p_all_required"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{c}");
        expected += p;
        assert!(c["simulation"]["expected_misses"].as_f64().unwrap() >= 0.0);
    }
    assert!((sim["expected_councils"].as_f64().unwrap() - expected).abs() < 1e-9);
    // The council's figure is the one `routemap simulate` gives it with the same runs and seed.
    let charnwood = &out["councils"][0];
    let alone = json(
        &Test::new()
            .args(["simulate", "--runs", "300", "--format", "json", "--model"])
            .args(["fixtures/charnwood/routemap.yaml"])
            .run()
            .stdout,
    );
    assert_eq!(charnwood["simulation"]["expected_misses"], alone["expected_required_misses"]);
}

/// A manifest over copies of the fixtures, in two regions and three tiers.
fn regions() -> Test {
    Test::new()
        .copy("fixtures/partnership/county.yaml", "county.yaml")
        .copy("fixtures/partnership/wreake-valley.yaml", "wreake.yaml")
        .copy("fixtures/partnership/soar-vale.yaml", "soar.yaml")
        .copy("fixtures/loxley/routemap.yaml", "loxley.yaml")
        .write(
            "councils.yaml",
            "councils:\n\
             \x20 - {model: county.yaml, region: East Midlands}\n\
             \x20 - {model: wreake.yaml, region: East Midlands}\n\
             \x20 - {model: soar.yaml, name: Soar Unitary, tier: unitary, region: North West}\n\
             \x20 - {model: loxley.yaml, tier: district, region: north west}\n",
        )
}

#[test]
fn a_manifest_with_regions_and_tiers() {
    let run = |args: &[&str]| {
        let t = regions();
        let manifest = t.path("councils.yaml");
        let mut all = vec!["rollup", manifest.as_str(), "--format", "json"];
        all.extend_from_slice(args);
        json(&t.args(all).stderr("").run().stdout)
    };
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["councils"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = run(&[]);
    assert_eq!(all["councils_rolled_up"], 4);
    let tiers: Vec<&str> =
        all["councils"].as_array().unwrap().iter().map(|c| c["tier"].as_str().unwrap()).collect();
    assert_eq!(tiers, ["district", "county", "unitary", "district"]);
    let north_west = run(&["--region", "North West"]);
    assert_eq!(names(&north_west), ["Loxley Borough Council", "Soar Unitary"]);
    assert_eq!(north_west["councils_filtered_out"], 2);
    assert_eq!(north_west["filters"]["regions"][0], "North West");
    let districts = run(&["--tier", "district"]);
    assert_eq!(names(&districts), ["Loxley Borough Council", "Wreake Valley District Council"]);
    let both = run(&["--region", "east midlands", "--tier", "county,unitary"]);
    assert_eq!(names(&both), ["Shire County Council"]);
    // A unitary delivers every outcome: none is not applicable to it.
    let soar =
        all["councils"].as_array().unwrap().iter().find(|c| c["name"] == "Soar Unitary").unwrap();
    assert_eq!(soar["required"]["not_applicable"], 0);
    // Ranks are within the councils kept.
    assert_eq!(both["councils"][0]["rank"], 1);
}

#[test]
fn a_filter_no_council_passes_is_an_error() {
    let t = regions();
    let manifest = t.path("councils.yaml");
    let err = t.args(["rollup", &manifest, "--region", "Wessex"]).status(2).stdout("").run().stderr;
    assert!(err.contains("no council of the 4 judged is in the --region or --tier given"), "{err}");
}

/// Two good councils and three bad ones: a model that is not YAML, a manifest entry with an
/// unknown tier, and a tier the model contradicts.
fn broken() -> Test {
    Test::new()
        .copy("fixtures/loxley/routemap.yaml", "good/loxley.yaml")
        .copy("fixtures/partnership/wreake-valley.yaml", "good/wreake.yaml")
        .write("bad.yaml", "document:\n  council: Broken\n  title: [unclosed\n")
        .write(
            "manifest.yaml",
            "councils:\n\
             \x20 - model: good/loxley.yaml\n\
             \x20   region: East Midlands\n\
             \x20 - model: good/wreake.yaml\n\
             \x20   tier: county\n\
             \x20 - model: good/loxley.yaml\n\
             \x20   name: Twice\n\
             \x20 - model: bad.yaml\n\
             \x20 - model: good/wreake.yaml\n\
             \x20   name: Wrong tier word\n\
             \x20   tier: shire\n",
        )
}

#[test]
fn a_broken_council_is_left_out_located_and_the_rest_rolled_up() {
    let t = broken();
    let manifest = t.path("manifest.yaml");
    let out = t.args(["rollup", &manifest, "--format", "json"]).status(3).run();
    // The same model named twice is judged once, with the first entry's details.
    let v = json(&out.stdout);
    assert_eq!(v["councils_rolled_up"], 1);
    assert_eq!(v["councils"][0]["name"], "Loxley Borough Council");
    assert_eq!(v["councils_left_out"], 2);
    let left: Vec<(String, String)> = v["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["model"].as_str().unwrap().to_string(),
                l["errors"][0]["at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let bad = t_path(&out, "bad.yaml");
    let manifest_at =
        |line: usize, col: usize| format!("{}:{line}:{col}", t_path(&out, "manifest.yaml"));
    assert_eq!(left[0].0, bad);
    assert!(left[0].1.starts_with(&format!("{bad}:3:")), "{left:?}");
    assert_eq!(left[1].0, t_path(&out, "good/wreake.yaml"));
    // The county tier the model contradicts, at the manifest's `tier`.
    assert_eq!(left[1].1, manifest_at(5, 11));
    let message = v["left_out"][1]["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("says is a county council, but its model says district")
            || message.contains("county council, but its model says district"),
        "{message}"
    );
    // Standard error names each, located, and the count.
    assert!(out.stderr.contains(&format!("--> {bad}:3:")), "{}", out.stderr);
    assert!(
        out.stderr.contains("note: 2 of 3 councils left out of the roll-up (exit code 3)"),
        "{}",
        out.stderr
    );
}

/// A path inside a run's temporary directory, as the output names it.
fn t_path(out: &crate::test::Output, name: &str) -> String {
    out.tempdir.path(name)
}

#[test]
fn a_manifest_entry_with_a_bad_value_is_left_out_at_its_line() {
    let t = Test::new()
        .copy("fixtures/loxley/routemap.yaml", "loxley.yaml")
        .copy("fixtures/loxley/routemap.yaml", "loxley2.yaml")
        .write(
            "manifest.yaml",
            "councils:\n  - model: loxley.yaml\n  - model: loxley2.yaml\n    tier: shire\n  - model: missing.yaml\n",
        );
    let manifest = t.path("manifest.yaml");
    let out = t.args(["rollup", &manifest, "--format", "csv"]).status(3).run();
    let row = |name: &str| {
        let path = t_path(&out, name);
        out.stdout
            .lines()
            .find(|l| l.contains(&format!(",{path},")))
            .unwrap_or_else(|| panic!("{name}:\n{}", out.stdout))
            .to_string()
    };
    assert!(row("loxley.yaml").contains(",true,"));
    let shire = row("loxley2.yaml");
    assert!(shire.contains(",false,"), "{shire}");
    assert!(shire.contains(&format!("{}:4:11", t_path(&out, "manifest.yaml"))), "{shire}");
    assert!(shire.contains("`shire` is not a kind of council"), "{shire}");
    assert!(row("missing.yaml").contains("cannot read"));
}

#[test]
fn every_output_lists_the_councils_left_out() {
    for format in ["table", "json", "csv", "md", "html"] {
        let t = broken();
        let manifest = t.path("manifest.yaml");
        let out = t.args(["rollup", &manifest, "--format", format]).status(3).run();
        let bad = t_path(&out, "bad.yaml");
        assert!(out.stdout.contains(&format!("{bad}:3:")), "{format}:\n{}", out.stdout);
        assert!(
            out.stdout.contains("left out")
                || out.stdout.contains("Left out")
                || out.stdout.contains("left_out"),
            "{format}"
        );
    }
}

#[test]
fn every_council_left_out_is_bad_input() {
    let t = Test::new().write("bad.yaml", "document: [\n");
    let bad = t.path("bad.yaml");
    let err = t.args(["rollup", &bad]).status(2).stdout("").run().stderr;
    assert!(err.contains("every council was left out"), "{err}");
    let err = crate::common::bad(&["rollup", "fixtures/no-such-directory"]);
    assert!(err.contains("cannot read fixtures/no-such-directory"), "{err}");
}

#[test]
fn the_same_bytes_whatever_the_number_of_threads() {
    for format in ["json", "table", "html"] {
        let one = partnership(&["--format", format, "--jobs", "1", "--simulate", "200"]);
        for jobs in ["2", "3", "8"] {
            let many = partnership(&["--format", format, "--jobs", jobs, "--simulate", "200"]);
            assert!(one == many, "--jobs {jobs} changed the {format} output");
        }
    }
}

#[test]
fn a_directory_of_councils_and_its_manifest() {
    let mut t = Test::new();
    for (path, text) in councils::generate(4, 7).expect("generated") {
        t = t.write(&path, text);
    }
    let (dir, manifest) = (t.path("councils"), t.path("manifest.yaml"));
    let out = t.args(["rollup", &dir, "--format", "json"]).stderr("").run();
    let from_dir = json(&out.stdout);
    assert_eq!(from_dir["councils_rolled_up"], 4);
    // A directory gives no regions; the manifest does, and names the same councils.
    assert!(from_dir["councils"].as_array().unwrap().iter().all(|c| c["region"].is_null()));
    let again =
        Test::with_tempdir(out.tempdir).args(["rollup", &manifest, &dir, "--format", "json"]);
    let both = json(&again.stderr("").run().stdout);
    assert_eq!(both["councils_rolled_up"], 4);
    assert!(both["councils"].as_array().unwrap().iter().all(|c| c["region"].is_string()));
}

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 4, ..config() })]

    /// Over generated councils, each outcome's counts sum to the councils rolled up, and the
    /// councils' own counts sum to the outcomes' totals, status by status.
    #[test]
    fn per_council_counts_sum_to_the_per_outcome_totals(n in 2usize..6, seed in 0u64..1_000_000) {
        let mut t = Test::new();
        for (path, text) in councils::generate(n, seed).expect("generated") {
            t = t.write(&path, text);
        }
        let manifest = t.path("manifest.yaml");
        let out = json(&t.args(["rollup", &manifest, "--format", "json"]).stderr("").run().stdout);
        prop_assert_eq!(out["councils_rolled_up"].as_u64(), Some(n as u64));
        let statuses = ["achieved", "on_track", "at_risk", "off_track", "unknown", "not_applicable"];
        for (category, letter) in [("required", "R"), ("good", "G")] {
            for s in statuses {
                let by_council: u64 = out["councils"].as_array().unwrap().iter()
                    .map(|c| c[category][s].as_u64().unwrap()).sum();
                let by_outcome: u64 = out["outcomes"].as_array().unwrap().iter()
                    .filter(|o| o["code"].as_str().unwrap().starts_with(letter))
                    .map(|o| o["counts"][s].as_u64().unwrap()).sum();
                prop_assert_eq!(by_council, by_outcome, "{} {}", category, s);
                prop_assert_eq!(out["totals"][category][s].as_u64(), Some(by_outcome));
            }
        }
        for o in out["outcomes"].as_array().unwrap() {
            let total: u64 = statuses.iter().map(|s| o["counts"][s].as_u64().unwrap()).sum();
            prop_assert_eq!(total, n as u64);
        }
    }
}

/// An outcome nothing in a council's routemap serves is counted as not in its routemap, beside
/// the rules' verdict: against each council's own forecast, outcome by outcome (those no council
/// has as not applicable, as the manifest's tiers are not the model files').
#[test]
fn outcomes_not_in_a_routemap_are_counted_apart() {
    let x = json(&partnership(&["--format", "json"]));
    let councils = x["councils"].as_array().expect("councils");
    let forecasts: Vec<serde_json::Value> = councils
        .iter()
        .map(|c| {
            let model = c["model"].as_str().expect("model");
            json(&crate::common::ok(&["forecast", "--model", model, "--format", "json"]))
        })
        .collect();
    let mut checked = 0;
    for o in x["outcomes"].as_array().expect("outcomes") {
        let code = o["code"].as_str().expect("code");
        if o["counts"]["not_applicable"] != 0 {
            continue;
        }
        let mut unserved = 0;
        for f in &forecasts {
            let line = f["outcomes"]
                .as_array()
                .expect("outcomes")
                .iter()
                .find(|l| l["code"] == code)
                .expect("the outcome");
            if line["served"] == false {
                unserved += 1;
            }
        }
        assert_eq!(o["not_in_routemap"], unserved, "{code}");
        checked += 1;
    }
    assert!(checked > 30, "{checked} outcomes checked");
}
