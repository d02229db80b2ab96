//! routemap: a rules engine for ODPM priority-outcome compliance.
//!
//! Data flows one way, one stage a module: [`model`] (load and validate the YAML) -> [`graph`]
//! (the dependency DAG) -> report. The binary is a thin shell over [`cli::run`].

pub mod assess;
pub mod assumptions;
pub mod bvpi;
pub mod check;
pub mod cli;
pub mod diff;
pub mod error;
pub mod format;
pub mod funding;
pub mod graph;
pub mod ieg;
pub mod input;
pub mod model;
pub mod report;
pub mod risk;
pub mod rollup;
pub mod rules;
pub mod ruletest;
pub mod scenario;
pub mod schedule;
pub mod session;
pub mod simulate;

pub use error::{Diagnostic, Error};
