//! The integration tests, built as one binary (as casey/just builds its own): one module per
//! area, each running the real `routemap` binary (through the [`test::Test`] builder and the
//! [`common`] helpers over it) or calling the library, and `layout` checking the layout itself.
//! One binary links the crate and its test dependencies once, not once per area.
//!
//! Snapshots are in `snapshots/`, named by insta after the module that asserts them:
//! `integration__<area>__<name>.snap`.

mod common;
mod layout;
mod test;
mod tidy;

mod browser;
mod bvpi;
mod check;
mod council;
mod engine;
mod errors;
mod hostile_load;
mod hostile_output;
mod hostile_rules;
mod ieg_return;
mod output;
mod risk_report;
mod rollup;
mod rule_tests;
mod rules;
mod schedule;
mod simulate;
mod verdicts;
mod versions;
mod what_if;
