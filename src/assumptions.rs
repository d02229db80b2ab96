//! What each verdict would be without the rules' assumptions it rests on. An assumed date (a
//! duration, an overdue re-forecast, a reading of a phrase, an estimate) is replaced by the date
//! the council's own dates need the work by: its dependants' finish targets, else the
//! deadline of the outcome it serves, and never before the as-of date. The baseline is then
//! re-assessed with each assumption replaced alone (the ones that change an outcome's status
//! decide it) and with every one replaced (the status on the council's own dates), each through
//! the incremental assessment.

use std::sync::Arc;

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::assess::{self, Assessment, Standing};
use crate::error::Error;
use crate::graph::Graph;
use crate::model::Model;
use crate::rules::Rules;
use crate::schedule::Own;

/// An assumed date and the council's date that replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The work whose date was assumed.
    pub node: NodeIndex,
    /// The date its dependants' targets (or the deadline of the outcome it serves) need it by.
    pub date: NaiveDate,
}

/// One outcome without the assumptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Without {
    /// Its status and forecast with every assumed date replaced.
    pub status: Standing,
    /// Its forecast then.
    pub forecast: Option<NaiveDate>,
    /// The assumptions that each alone decide its status: with that one replaced, its status is
    /// this one. In node order.
    pub deciding: Vec<(Replacement, Standing)>,
}

/// The most assumptions replaced one at a time: each is one incremental assessment.
pub const MAX_SEARCHED: usize = 400;

/// Every outcome of `a` (in its order) without the assumptions: `None` for an outcome whose
/// verdict does not rest on an assumed date. `searched` is false when there were more than
/// [`MAX_SEARCHED`] assumptions to replace one at a time, and `deciding` was left empty.
pub fn without(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
) -> Result<(Vec<Option<Without>>, bool), Error> {
    let resting: Vec<bool> = a
        .outcomes
        .iter()
        .map(|r| r.basis == assess::DateBasis::Assumed && !r.assumptions.is_empty())
        .collect();
    let mut candidates: Vec<NodeIndex> = a
        .outcomes
        .iter()
        .zip(&resting)
        .filter(|(_, rests)| **rests)
        .flat_map(|(r, _)| r.assumptions.iter().copied())
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let replacements: Vec<Replacement> = candidates
        .into_iter()
        .filter_map(|n| {
            a.basis.replacement[n.index()].map(|(date, _)| Replacement { node: n, date })
        })
        .collect();
    let assess_with = |chosen: &[&Replacement]| -> Result<Assessment, Error> {
        let mut basis = a.basis.clone();
        let mut assumption = (*basis.assumption).clone();
        for r in chosen {
            basis.own[r.node.index()] = Own::Date(r.date);
            assumption[r.node.index()] = None;
        }
        basis.assumption = Arc::new(assumption);
        assess::assess_reusing(model, graph, rules, basis, Some(a))
    };
    let all = assess_with(&replacements.iter().collect::<Vec<_>>())?;
    let searched = replacements.len() <= MAX_SEARCHED;
    let mut alone: Vec<(&Replacement, Assessment)> = Vec::new();
    if searched {
        for r in &replacements {
            alone.push((r, assess_with(&[r])?));
        }
    }
    let out = a
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if !resting[i] {
                return None;
            }
            let deciding = alone
                .iter()
                .filter(|(x, _)| r.assumptions.binary_search(&x.node).is_ok())
                .filter(|(_, b)| b.outcomes[i].standing != r.standing)
                .map(|(x, b)| ((*x).clone(), b.outcomes[i].standing))
                .collect();
            Some(Without {
                status: all.outcomes[i].standing,
                forecast: all.outcomes[i].forecast,
                deciding,
            })
        })
        .collect();
    Ok((out, searched))
}
