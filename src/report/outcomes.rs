//! `routemap outcomes`: the outcomes catalogue a model is judged against.

use super::output::{Format, Rendered};
use super::render::{self, Render, Terminal, not_written};
use crate::error::Error;
use serde::Serialize;

use super::check::ModelInfo;
use super::text::{cell, clip, csv, markdown, table};
use crate::model::Model;

/// The JSON contract of `routemap outcomes --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomesOut {
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<OutcomeOut>,
    /// Which data this is.
    pub model: ModelInfo,
    /// Which rules (the catalogue uses none, but every output names them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<super::RulesInfo>,
}

/// One outcome of the catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeOut {
    /// `R8`.
    pub code: String,
    /// `required` or `good`.
    pub category: &'static str,
    /// The priority service or transformation area.
    pub area: String,
    /// The outcome as worded.
    pub title: String,
}

impl OutcomesOut {
    /// The catalogue of a loaded model: the built-in national one, with any outcomes its own
    /// catalogue file overrides or adds.
    pub fn new(model: &Model) -> Self {
        let outcomes = model
            .outcomes
            .iter()
            .map(|o| OutcomeOut {
                code: o.code.clone(),
                category: o.category.as_str(),
                area: o.area.clone(),
                title: o.title.clone(),
            })
            .collect();
        OutcomesOut { outcomes, model: ModelInfo::new(model), rules: None }
    }

    const HEADERS: [&'static str; 4] = ["code", "category", "area", "title"];

    fn rows(&self) -> impl Iterator<Item = [&str; 4]> {
        self.outcomes.iter().map(|o| [o.code.as_str(), o.category, &o.area, &o.title])
    }

    /// Aligned text, long titles and areas clipped (`--format csv` gives them whole).
    pub fn table(&self, t: &Terminal) -> String {
        let rows: Vec<Vec<(String, String)>> = self
            .rows()
            .map(|[code, category, area, title]| {
                vec![cell(code), cell(category), cell(clip(area, 30)), cell(clip(title, 70))]
            })
            .collect();
        let required = self.outcomes.iter().filter(|o| o.category == "required").count();
        format!(
            "{} outcomes: {required} Required (R), {} Good (G)\n\n{}",
            self.outcomes.len(),
            self.outcomes.len() - required,
            table(t, &Self::HEADERS, &rows)
        )
    }

    /// CSV, one row per outcome.
    pub fn csv(&self) -> String {
        let rows: Vec<Vec<String>> =
            self.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        csv(&Self::HEADERS, &rows)
    }

    /// A Markdown table.
    pub fn markdown(&self) -> String {
        let rows: Vec<Vec<String>> =
            self.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        markdown(&Self::HEADERS, &rows)
    }
}

impl Render for OutcomesOut {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        render::text(match format {
            Format::Table => self.table(t),
            Format::Json => super::json::to_string(self),
            Format::Csv => self.csv(),
            Format::Md => self.markdown(),
            Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
