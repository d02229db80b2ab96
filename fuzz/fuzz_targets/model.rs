//! Model text (YAML or JSON) through load, graph, the default rules and every forecast format.
//! Invariants: nothing panics; every load error is located; a model that loads is forecast
//! without a rule failing (the model's data is never a rule's fault).
#![no_main]

use libfuzzer_sys::fuzz_target;
use routemap::model::Source;
use routemap::report::text::Colour;
use routemap::report::{forecast, json, Evaluated};
use routemap::rules::Rules;

#[path = "common.rs"]
mod common;

thread_local! {
    static RULES: Rules = Rules::load(None).expect("the embedded rules compile");
}

fuzz_target!(|data: &[u8]| {
    let path = common::file("charnwood/routemap.yaml", data);
    let (model, graph) = match routemap::session::load(&Source::Path(path)) {
        Ok(loaded) => loaded,
        Err(e) => {
            assert!(common::located(&e), "an unlocated error:\n{e}");
            return;
        }
    };
    RULES.with(|rules| {
        let as_of = model.document.issue_date;
        let assessment = match routemap::assess::evaluate(&model, &graph, rules, as_of) {
            Ok(a) => a,
            Err(e) => panic!("a model that loads failed the default rules:\n{e}"),
        };
        let e = Evaluated { model: &model, graph: &graph, rules, assessment: &assessment };
        let _ = forecast::table(&e, Colour::Off);
        let _ = json::to_string(&forecast::Forecast::new(&e));
        let _ = forecast::csv(&e);
        let _ = forecast::markdown(&e);
    });
});
