//! `routemap exposure`: the IEG funding the forecast puts at risk, per stream and per outcome.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::assess::Standing;
use crate::error::Error;
use crate::model::Category;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};

/// The JSON contract of `routemap exposure --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct ExposureOut {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// Every stream's amount.
    pub total_gbp: u64,
    /// Pounds at risk across every stream.
    pub at_risk_gbp: u64,
    /// Of `at_risk_gbp`, the pounds put at risk by outcomes no action or task of the routemap
    /// serves.
    pub unserved_gbp: u64,
    /// How the funding rules put the streams at risk, in one sentence.
    pub method: String,
    /// Each funding stream, in model order.
    pub streams: Vec<StreamLine>,
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<ExposedOutcome>,
    /// The funding rules' parameters (the constants of `rules/funding.rhai`), in file order.
    pub parameters: Vec<Parameter>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
}

/// One funding stream.
#[derive(Debug, Clone, Serialize)]
pub struct StreamLine {
    /// Its slug.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `2004/05`.
    pub financial_year: String,
    /// The whole grant.
    pub amount_gbp: u64,
    /// Whether the rules hold it at risk on the as-of date.
    pub at_risk: bool,
    /// The rule's reason.
    pub reason: String,
    /// Pounds at risk.
    pub at_risk_gbp: u64,
    /// How the outcomes put it at risk: `return` (judged as a whole) or `pro_rata` (shared by
    /// weight).
    pub method: crate::funding::Method,
    /// When it was paid, where the model says.
    pub paid_on: Option<NaiveDate>,
}

/// One outcome's part of the exposure.
#[derive(Debug, Clone, Serialize)]
pub struct ExposedOutcome {
    /// `R8`.
    pub code: String,
    /// `required` or `good`.
    pub category: Category,
    /// Its forecast status.
    pub status: Standing,
    /// What that status rests on: `stated`, `derived` or `assumed`.
    pub basis: crate::assess::DateBasis,
    /// Its weight under the rules.
    pub weight: f64,
    /// Its part of the streams at risk: the most it could put at risk.
    pub portion_gbp: u64,
    /// Pounds it puts at risk.
    pub at_risk_gbp: u64,
}

/// A rule parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Parameter {
    /// The constant's name.
    pub name: String,
    /// Its value as the script prints it.
    pub value: String,
}

impl ExposureOut {
    /// Build the output struct.
    pub fn new(e: &Evaluated) -> Self {
        let a = e.assessment;
        let x = &a.exposure;
        let terms = &a.basis.terms;
        let streams = e
            .model
            .funding
            .iter()
            .zip(&terms.streams)
            .zip(&x.streams)
            .map(|((s, term), sx)| StreamLine {
                id: s.id.clone(),
                name: s.name.clone(),
                financial_year: s.financial_year.clone(),
                amount_gbp: s.amount_gbp,
                at_risk: term.at_risk,
                reason: term.reason.clone(),
                at_risk_gbp: sx.at_risk_gbp,
                method: term.method,
                paid_on: s.paid_on,
            })
            .collect();
        let outcomes = a
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let portion_gbp = x
                    .streams
                    .iter()
                    .zip(&terms.streams)
                    .filter(|(_, t)| t.at_risk)
                    .map(|(s, _)| s.portion_gbp[i])
                    .sum();
                ExposedOutcome {
                    code: e.id(r.node).to_string(),
                    category: r.category,
                    status: r.standing,
                    basis: r.basis,
                    weight: outcome_weight(e, r.node),
                    portion_gbp,
                    at_risk_gbp: x.outcomes[i],
                }
            })
            .collect();
        let unserved_gbp = a
            .outcomes
            .iter()
            .zip(&x.outcomes)
            .filter(|(r, _)| !super::standing::is_served(r))
            .map(|(_, gbp)| gbp)
            .sum();
        ExposureOut {
            as_of: a.basis.as_of,
            total_gbp: x.total_gbp,
            at_risk_gbp: x.at_risk_gbp,
            unserved_gbp,
            method: method_sentence(e),
            streams,
            outcomes,
            parameters: parameters(e),
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }
}

/// The legend of [`super::standing::ASSUMED_MARK`] in the exposure: the assumptions are the forecast's.
const EXPOSURE_LEGEND: &str = "* the status rests on a rule's assumption, not on the council's own dates (`routemap forecast` lists the assumptions; `routemap explain CODE` names the one that decides it)";

/// How the funding rules put the streams still at risk at risk, in one sentence.
pub fn method_sentence(e: &Evaluated) -> String {
    use crate::funding::Method;
    let terms = &e.assessment.basis.terms;
    let at_risk: Vec<Method> =
        terms.streams.iter().filter(|t| t.at_risk).map(|t| t.method).collect();
    let returns = at_risk.iter().filter(|m| **m == Method::Return).count();
    let return_words = "each stream still at risk is paid against a satisfactory IEG return judged as a whole: the whole stream is at risk when one outcome's forecast status exposes it under the funding rules (by default, a Required outcome forecast to miss its deadline), and is divided equally among the outcomes that expose it";
    let pro_rata_words = "each stream still at risk is shared among the outcomes by weight, and each outcome's share counts as at risk in full or in part according to its forecast status";
    let sentence = match (returns, at_risk.len() - returns) {
        (0, 0) => "No stream is still at risk.".to_string(),
        (_, 0) => format!("{}{}.", return_words[..1].to_uppercase(), &return_words[1..]),
        (0, _) => format!("{}{}.", pro_rata_words[..1].to_uppercase(), &pro_rata_words[1..]),
        _ => format!("Streams judged on the return: {return_words}; the others: {pro_rata_words}."),
    };
    format!("{sentence} The funding rules' parameters are listed with them.")
}

fn outcome_weight(e: &Evaluated, node: petgraph::graph::NodeIndex) -> f64 {
    match e.graph.dag[node].item {
        crate::graph::Item::Outcome(o) => e.assessment.basis.terms.weight[o],
        _ => 0.0,
    }
}

/// The funding rules' constants.
pub fn parameters(e: &Evaluated) -> Vec<Parameter> {
    e.assessment
        .basis
        .terms
        .parameters
        .iter()
        .map(|(name, value)| Parameter { name: name.clone(), value: value.clone() })
        .collect()
}

/// The funding position for people: streams, the outcomes that put money at risk, parameters.
pub fn table(e: &Evaluated, t: &Terminal) -> String {
    let colour = t.colour;
    let x = ExposureOut::new(e);
    let mut out = format!("IEG funding exposure: {}\n\n", e.provenance());
    let mut rows: Vec<Vec<(String, String)>> = x
        .streams
        .iter()
        .map(|s| {
            vec![
                cell(&s.name),
                cell(text::gbp(s.amount_gbp)),
                cell(text::gbp(s.at_risk_gbp)),
                cell(if s.at_risk { s.reason.clone() } else { format!("settled: {}", s.reason) }),
            ]
        })
        .collect();
    rows.push(vec![
        cell("total"),
        cell(text::gbp(x.total_gbp)),
        cell(text::gbp(x.at_risk_gbp)),
        cell(""),
    ]);
    out.push_str(&text::table(t, &["stream", "amount", "at risk", "why"], &rows));
    let exposed: Vec<&ExposedOutcome> = x.outcomes.iter().filter(|o| o.at_risk_gbp > 0).collect();
    if exposed.is_empty() {
        out.push_str("\nNo outcome puts funding at risk.\n");
    } else {
        let n = exposed.len();
        let which = if n == 1 { "1 outcome puts".to_string() } else { format!("{n} outcomes put") };
        out.push_str(&format!("\n{which} funding at risk:\n\n"));
        let rows: Vec<Vec<(String, String)>> = exposed
            .iter()
            .map(|o| {
                vec![
                    cell(&o.code),
                    colour.verdict_cell(o.status, o.basis),
                    cell(text::gbp(o.portion_gbp)),
                    cell(text::gbp(o.at_risk_gbp)),
                ]
            })
            .collect();
        out.push_str(&text::table(t, &["code", "status", "part", "at risk"], &rows));
        if exposed.iter().any(|o| o.basis == crate::assess::DateBasis::Assumed) {
            out.push_str(&format!("{}\n", EXPOSURE_LEGEND));
        }
    }
    if x.unserved_gbp > 0 {
        out.push_str(&format!(
            "Of the {} at risk, {} comes from outcomes no work in the routemap serves.\n",
            text::gbp(x.at_risk_gbp),
            text::gbp(x.unserved_gbp)
        ));
    }
    out.push_str(&format!("\n  - Method: {}\n", x.method));
    out.push_str(&format!("\nRule parameters ({}):\n", e.rules.file("funding").path));
    for p in &x.parameters {
        out.push_str(&format!("  {} = {}\n", p.name, p.value));
    }
    out
}

/// The same as a Markdown section.
pub fn markdown(e: &Evaluated) -> String {
    let x = ExposureOut::new(e);
    let mut out = format!("## IEG funding exposure\n\n{}\n\n", e.provenance_md());
    let mut rows: Vec<Vec<String>> = x
        .streams
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                text::gbp(s.amount_gbp),
                text::gbp(s.at_risk_gbp),
                s.reason.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        "Total".into(),
        text::gbp(x.total_gbp),
        text::gbp(x.at_risk_gbp),
        String::new(),
    ]);
    out.push_str(&text::markdown(&["Stream", "Amount", "At risk", "Why"], &rows));
    let rows: Vec<Vec<String>> = x
        .outcomes
        .iter()
        .filter(|o| o.at_risk_gbp > 0)
        .map(|o| {
            let assumed = o.basis == crate::assess::DateBasis::Assumed;
            let mark = if assumed { super::standing::ASSUMED_MARK } else { "" };
            vec![
                o.code.clone(),
                format!("{}{mark}", super::standing::status_words(o.status)),
                text::gbp(o.portion_gbp),
                text::gbp(o.at_risk_gbp),
            ]
        })
        .collect();
    if !rows.is_empty() {
        out.push('\n');
        out.push_str(&text::markdown(&["Outcome", "Status", "Part", "At risk"], &rows));
        if rows.iter().any(|r| r[1].ends_with(super::standing::ASSUMED_MARK)) {
            out.push_str(&format!("\n{}\n", super::escape::markdown(EXPOSURE_LEGEND, false)));
        }
    }
    if x.unserved_gbp > 0 {
        out.push_str(&format!(
            "\nOf the {} at risk, {} comes from outcomes no work in the routemap serves.\n",
            text::gbp(x.at_risk_gbp),
            text::gbp(x.unserved_gbp)
        ));
    }
    out.push_str(&format!("\n{}\n", super::escape::markdown(&x.method, false)));
    out
}

/// A status as JSON writes it, as a table cell in words and colour.
/// CSV, one row per outcome: its status, weight, part of the streams at risk and the pounds it
/// puts at risk.
pub fn csv(e: &Evaluated) -> String {
    let x = ExposureOut::new(e);
    let rows: Vec<Vec<String>> = x
        .outcomes
        .iter()
        .map(|o| {
            vec![
                o.code.clone(),
                o.category.as_str().to_string(),
                o.status.as_str().to_string(),
                o.weight.to_string(),
                o.portion_gbp.to_string(),
                o.at_risk_gbp.to_string(),
            ]
        })
        .collect();
    text::csv(&["code", "category", "status", "weight", "portion_gbp", "at_risk_gbp"], &rows)
}

/// IEG funding exposure, as `routemap exposure` writes it.
pub struct ExposureReport<'a>(pub Evaluated<'a>);

impl Render for ExposureReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let e = &self.0;
        render::text(match format {
            Format::Table => table(e, t),
            Format::Json => super::json::to_string(&ExposureOut::new(e)),
            Format::Csv => csv(e),
            Format::Md => markdown(e),
            Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
