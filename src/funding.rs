//! Funding exposure: how much of each IEG funding stream the forecast puts at risk.
//!
//! `rules/funding.rhai` decides the terms once per model and as-of date ([`Terms`]): which
//! streams are still at risk, each outcome's weight, and the share of that weight each status
//! exposes. Sharing each stream out by weight and adding up is arithmetic done here, so that a
//! what-if or sensitivity run costs no rule calls.

use chrono::NaiveDate;

use crate::error::Error;
use crate::model::{Category, Model, Standing};
use crate::rules::Rules;
pub use crate::rules::answers::{Method, StreamTerm};
use crate::rules::api::StreamView;

/// What the funding rules decided, independent of the forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    /// Per funding stream, in model order: whether it is at risk, and why.
    pub streams: Vec<StreamTerm>,
    /// Per outcome, in model order: its weight.
    pub weight: Vec<f64>,
    /// The share of an outcome's weight exposed, by category (required, good) and standing (in
    /// [`Standing::ALL`] order; a not-applicable outcome exposes nothing, and is not asked about).
    pub share: [[f64; 6]; 2],
    /// Per stream, per outcome in model order: the outcome's part of the stream in whole pounds.
    pub portions: Vec<Vec<u64>>,
    /// The funding rules' constants these terms were decided with, as `NAME = value`, in file
    /// order.
    pub parameters: Vec<(String, String)>,
}

/// The exposure of one assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// Per stream, in model order.
    pub streams: Vec<StreamExposure>,
    /// Per outcome, in the assessment's outcome order: pounds at risk across every stream.
    pub outcomes: Vec<u64>,
    /// Every stream's amount.
    pub total_gbp: u64,
    /// Pounds at risk across every stream.
    pub at_risk_gbp: u64,
}

/// One stream's exposure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamExposure {
    /// Pounds at risk.
    pub at_risk_gbp: u64,
    /// Per outcome, in the assessment's outcome order: the outcome's part of the stream.
    pub portion_gbp: Vec<u64>,
}

fn category_index(c: Category) -> usize {
    match c {
        Category::Required => 0,
        Category::Good => 1,
    }
}

fn standing_index(s: Standing) -> usize {
    Standing::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// The 31 March that ends a financial year written `2004/05`.
pub fn year_end(financial_year: &str) -> Option<NaiveDate> {
    let (first, second) = financial_year.split_once('/')?;
    let first: i32 = first.trim().parse().ok()?;
    let second: i32 = second.trim().parse().ok()?;
    (second == (first + 1) % 100).then(|| NaiveDate::from_ymd_opt(first + 1, 3, 31)).flatten()
}

/// Ask the funding rules for their terms. `applies` says, per outcome in model order, whether
/// the council delivers it: an outcome it does not carries no weight (and is not asked about).
pub fn terms(
    model: &Model,
    rules: &Rules,
    as_of: NaiveDate,
    applies: &[bool],
) -> Result<Terms, Error> {
    let mut streams = Vec::with_capacity(model.funding.len());
    for s in &model.funding {
        let view = StreamView {
            id: s.id.as_str().into(),
            name: s.name.as_str().into(),
            financial_year: s.financial_year.as_str().into(),
            amount_gbp: i64::try_from(s.amount_gbp).unwrap_or(i64::MAX),
            year_end: year_end(&s.financial_year),
            paid_on: s.paid_on,
            as_of,
        };
        streams.push(rules.stream_at_risk(&view)?);
    }
    let mut weight = Vec::with_capacity(model.outcomes.len());
    for (k, o) in model.outcomes.iter().enumerate() {
        if !applies.get(k).copied().unwrap_or(true) {
            weight.push(0.0);
            continue;
        }
        weight.push(rules.weight(o, as_of)?);
    }
    let mut share = [[0.0; 6]; 2];
    for category in [Category::Required, Category::Good] {
        for standing in Standing::ALL.into_iter().filter(|s| *s != Standing::NotApplicable) {
            share[category_index(category)][standing_index(standing)] =
                rules.share(category, standing)?;
        }
    }
    let portions = model.funding.iter().map(|s| portions(s.amount_gbp, &weight)).collect();
    let parameters = rules.constants("funding")?.to_vec();
    Ok(Terms { streams, weight, share, portions, parameters })
}

/// Share `amount` among `weights` in whole pounds, exactly, by largest remainder (ties to the
/// earlier outcome).
fn portions(amount: u64, weights: &[f64]) -> Vec<u64> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| amount as f64 * w / total).collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let given: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().take(amount.saturating_sub(given) as usize) {
        out[i] += 1;
    }
    out
}

/// The exposure of an assessment's outcomes (model outcome index and standing) under `terms`.
pub fn exposure(model: &Model, terms: &Terms, outcomes: &[(usize, Standing)]) -> Exposure {
    let mut per_outcome = vec![0u64; outcomes.len()];
    let mut streams = Vec::with_capacity(model.funding.len());
    for (term, all) in terms.streams.iter().zip(&terms.portions) {
        let share = |(o, standing): &(usize, Standing)| {
            let category = category_index(model.outcomes[*o].category);
            terms.share[category][standing_index(*standing)]
                * f64::from(u8::from(terms.weight[*o] > 0.0))
        };
        let (portion_gbp, at_risk_gbp) = match term.method {
            Method::ProRata => {
                let portion_gbp: Vec<u64> = outcomes.iter().map(|(o, _)| all[*o]).collect();
                let mut at_risk_gbp = 0;
                if term.at_risk {
                    for (i, o) in outcomes.iter().enumerate() {
                        let part = (portion_gbp[i] as f64 * share(o)).round() as u64;
                        per_outcome[i] += part;
                        at_risk_gbp += part;
                    }
                }
                (portion_gbp, at_risk_gbp)
            }
            Method::Return => {
                let shares: Vec<f64> = outcomes.iter().map(share).collect();
                let worst = shares.iter().copied().fold(0.0, f64::max);
                let amount = model.funding[streams.len()].amount_gbp;
                let at_risk_gbp =
                    if term.at_risk { (amount as f64 * worst).round() as u64 } else { 0 };
                let deciding: Vec<f64> = shares
                    .iter()
                    .map(|s| f64::from(u8::from(worst > 0.0 && *s == worst)))
                    .collect();
                let portion_gbp = portions(at_risk_gbp, &deciding);
                for (i, part) in portion_gbp.iter().enumerate() {
                    per_outcome[i] += part;
                }
                (portion_gbp, at_risk_gbp)
            }
        };
        streams.push(StreamExposure { at_risk_gbp, portion_gbp });
    }
    Exposure {
        total_gbp: model.funding.iter().fold(0, |t, s| t.saturating_add(s.amount_gbp)),
        at_risk_gbp: streams.iter().fold(0, |t, s| t.saturating_add(s.at_risk_gbp)),
        streams,
        outcomes: per_outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portions_share_the_whole_amount() {
        assert_eq!(portions(100, &[1.0, 1.0, 1.0]), vec![34, 33, 33]);
        assert_eq!(portions(350_000, &[2.0; 29]).iter().sum::<u64>(), 350_000);
        assert_eq!(portions(10, &[0.0, 0.0]), vec![0, 0]);
        assert_eq!(portions(10, &[3.0, 1.0]), vec![8, 2]);
    }

    #[test]
    fn financial_years() {
        assert_eq!(year_end("2004/05"), NaiveDate::from_ymd_opt(2005, 3, 31));
        assert_eq!(year_end("1999/00"), NaiveDate::from_ymd_opt(2000, 3, 31));
        assert_eq!(year_end("2004/06"), None);
        assert_eq!(year_end("2004"), None);
    }
}
