//! Rule scripts: fuzzed text as `classify.rhai` (compiled, its constants run, its hook called on
//! every outcome of the embedded routemap) and as a script calling routemap's Date API with
//! hostile values. Invariants: nothing panics, nothing waits, every error is reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routemap::model::Source;
use routemap::rules::Rules;

#[path = "common.rs"]
mod common;

thread_local! {
    static LOADED: (routemap::model::Model, routemap::graph::Graph) =
        routemap::session::load(&Source::Embedded).expect("the embedded routemap loads");
}

fuzz_target!(|data: &[u8]| {
    // A whole run's rules may take a fifth of a second here, so a slow script ends quickly.
    std::env::set_var("ROUTEMAP_RULES_TIME_LIMIT", "0.2");
    let dir = common::scratch().join("rules");
    std::fs::create_dir_all(&dir).expect("a rules directory");
    let (name, script) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => ("classify.rhai", rest.to_vec()),
        Some((_, rest)) => {
            // Arguments for the Date API, as the script's text.
            let text = String::from_utf8_lossy(rest);
            let script = format!(
                "fn deadline(o) {{ let d = date(2005, 12, 31); let x = [{text}]; \
                 for v in x {{ if type_of(v) == \"i64\" {{ d.add_days(v); d.add_months(v); pounds(v); date(v, v, v); }} }} d }}"
            );
            ("deadlines.rhai", script.into_bytes())
        }
        None => return,
    };
    let _ = std::fs::remove_file(dir.join("classify.rhai"));
    let _ = std::fs::remove_file(dir.join("deadlines.rhai"));
    std::fs::write(dir.join(name), &script).expect("the rule file");
    let rules = match Rules::load(Some(&dir)) {
        Ok(r) => r,
        Err(e) => {
            assert!(!e.diagnostics.is_empty());
            return;
        }
    };
    LOADED.with(|(model, graph)| {
        let _ = routemap::assess::evaluate(model, graph, &rules, model.document.issue_date);
    });
});
