//! Scenario files against the embedded model: read or refused, every error located, and a file
//! that reads runs through the what-if comparison without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routemap::session::Session;
use routemap::model::Source;

#[path = "common.rs"]
mod common;

thread_local! {
    static SESSION: Session =
        Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates");
}

fuzz_target!(|data: &[u8]| {
    let path = common::file("scenarios.yaml", data);
    SESSION.with(|s| match routemap::scenario::load_file(&path, &s.model, &s.graph) {
        Err(e) => assert!(common::located(&e), "an unlocated error:\n{e}"),
        Ok(scenarios) => {
            for sc in scenarios.iter().take(4) {
                let _ = routemap::scenario::run(&s.model, &s.graph, &s.rules, &s.assessment, sc);
            }
        }
    });
});
