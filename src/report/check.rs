//! `routemap check`: what was loaded.

use super::output::{Format, Rendered};
use super::render::{self, Render, Terminal, not_written};
use crate::check::Warning;
use crate::error::Error;
use serde::Serialize;

use crate::graph::Graph;
use crate::model::{Category, Model, ProjectKind};

/// The JSON contract of `routemap check --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Outcomes in the catalogue.
    pub outcomes: usize,
    /// Actions (numbered and partnership).
    pub actions: usize,
    /// Tasks of all actions.
    pub tasks: usize,
    /// Projects, national projects and milestones.
    pub projects: usize,
    /// Graph edges: dependencies plus task-to-outcome edges.
    pub edges: usize,
    /// Which data this is: council, version, as-of date and content hash.
    pub model: ModelInfo,
    /// What is legal but probably wrong, in file order.
    pub warnings: Vec<WarningOut>,
    /// Which rules were checked with the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<super::RulesInfo>,
}

/// One warning of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct WarningOut {
    /// A stable name for the kind of warning (`nothing-waits-on`...).
    pub kind: &'static str,
    /// What was found.
    pub message: String,
    /// The file, when it has a place in one.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// What to do about it.
    pub help: Option<String>,
}

impl WarningOut {
    /// The JSON form of a warning.
    pub fn new(w: &crate::check::Warning) -> Self {
        let d = &w.diagnostic;
        let at = d.location.as_ref();
        WarningOut {
            kind: w.kind,
            message: d.message.clone(),
            file: at.map(|l| l.file.clone()),
            line: at.map(|l| l.line),
            column: at.map(|l| l.column),
            help: d.help.clone(),
        }
    }
}

/// Identifies the model an output came from.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// The council.
    pub council: String,
    /// The document version.
    pub version: String,
    /// The issue (as-of) date.
    pub issue_date: String,
    /// Short content hash of the model and catalogue files.
    pub hash: String,
}

impl ModelInfo {
    /// Describe a loaded model.
    pub fn new(model: &Model) -> Self {
        ModelInfo {
            council: model.document.council.clone(),
            version: model.document.version.clone(),
            issue_date: model.document.issue_date.to_string(),
            hash: model.origin.hash.clone(),
        }
    }
}

/// Everything `check` reports.
pub struct LoadedSummary<'a> {
    model: &'a Model,
    graph: &'a Graph,
}

impl<'a> LoadedSummary<'a> {
    /// Summarise a loaded model and its graph.
    pub fn new(model: &'a Model, graph: &'a Graph) -> Self {
        LoadedSummary { model, graph }
    }

    /// The counts, for JSON.
    pub fn counts(&self) -> Counts {
        let m = self.model;
        Counts {
            outcomes: m.outcomes.len(),
            actions: m.actions.len(),
            tasks: m.tasks().count(),
            projects: m.projects.len(),
            edges: self.graph.edge_count(),
            model: ModelInfo::new(m),
            warnings: Vec::new(),
            rules: None,
        }
    }

    /// A readable summary.
    pub fn table(&self) -> String {
        let m = self.model;
        let c = self.counts();
        let required = m.outcomes.iter().filter(|o| o.category == Category::Required).count();
        let completed = m.actions.iter().filter(|a| a.completed).count();
        let partnership = m.actions.iter().filter(|a| a.partnership).count();
        let kind = |k: ProjectKind| m.projects.iter().filter(|p| p.kind == k).count();
        let deps: Vec<_> = m
            .projects
            .iter()
            .flat_map(|p| &p.waits_on)
            .chain(m.tasks().flat_map(|(_, t)| &t.waits_on))
            .collect();
        let implied = deps.iter().filter(|d| d.implied).count();
        let rows = [
            (
                "council",
                format!("{} — {} ({})", m.document.council, m.document.title, m.document.version),
            ),
            ("as of", m.document.issue_date.format("%-d %B %Y").to_string()),
            ("model", format!("{} (hash {})", m.origin.model.name, c.model.hash)),
            (
                "outcomes",
                format!("{} ({required} required, {} good)", c.outcomes, c.outcomes - required),
            ),
            (
                "actions",
                format!("{} ({completed} completed, {partnership} partnership)", c.actions),
            ),
            ("tasks", c.tasks.to_string()),
            (
                "projects",
                format!(
                    "{} ({} council, {} national, {} milestones)",
                    c.projects,
                    kind(ProjectKind::Project),
                    kind(ProjectKind::National),
                    kind(ProjectKind::Milestone)
                ),
            ),
            (
                "dependencies",
                format!("{} ({} stated, {implied} implied)", deps.len(), deps.len() - implied),
            ),
            ("edges", format!("{} (dependencies and task-to-outcome)", c.edges)),
        ];
        let mut out = String::from("routemap check: the model is valid\n\n");
        for (label, value) in rows {
            out.push_str(&format!("  {label:<13} {value}\n"));
        }
        out
    }
}

/// What `check` reports: the summary of what was loaded, the warnings, and the rules.
pub struct CheckReport<'a> {
    /// What was loaded.
    pub summary: LoadedSummary<'a>,
    /// What is legal but probably wrong.
    pub warnings: &'a [Warning],
    /// Which rules.
    pub rules: super::RulesInfo,
}

/// How many warnings of one kind standard error shows in full; the rest are counted in a table
/// after them (`--format json` lists every one).
pub const SHOWN_PER_KIND: usize = 5;

impl CheckReport<'_> {
    /// The warnings as standard error shows them beside the table, with their count (in JSON
    /// they are part of the output): the first [`SHOWN_PER_KIND`] of each kind in full, in file
    /// order, and then, when there were more, how many of each kind were not shown and where to
    /// see them all. Its size grows with the number of kinds, not of warnings.
    pub fn stderr(&self, format: Format) -> String {
        if format == Format::Json || self.warnings.is_empty() {
            return String::new();
        }
        // Each kind's count and how many of it are shown.
        let mut kinds: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        let mut out = String::new();
        for w in self.warnings {
            let (all, shown) = kinds.entry(w.kind).or_default();
            *all += 1;
            if *shown < SHOWN_PER_KIND {
                *shown += 1;
                out.push_str(&w.diagnostic.warning());
                out.push('\n');
            }
        }
        let n = self.warnings.len();
        let plural = |n: usize| if n == 1 { "warning" } else { "warnings" };
        let hidden: usize = kinds.values().map(|(all, shown)| all - shown).sum();
        if hidden == 0 {
            out.push_str(&format!("{n} {}\n", plural(n)));
            return out;
        }
        out.push_str(&format!(
            "{n} {}, {hidden} not shown: the first {SHOWN_PER_KIND} of each kind are shown above\n\n",
            plural(n)
        ));
        let width = kinds.keys().map(|k| k.len()).max().unwrap_or(0).max("kind".len());
        out.push_str(&format!("  {:<width$}  {:>8}  {:>9}\n", "kind", "warnings", "not shown"));
        for (kind, (all, shown)) in &kinds {
            out.push_str(&format!("  {kind:<width$}  {all:>8}  {:>9}\n", all - shown));
        }
        out.push_str(
            "\n`routemap check --format json` lists every warning, each with its file, line and column\n",
        );
        out
    }
}

impl Render for CheckReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json];

    fn render(&self, format: Format, _: &Terminal) -> Result<Rendered, Error> {
        render::text(match format {
            Format::Table => self.summary.table(),
            Format::Json => {
                let mut counts = self.summary.counts();
                counts.warnings = self.warnings.iter().map(WarningOut::new).collect();
                counts.rules = Some(self.rules.clone());
                super::json::to_string(&counts)
            }
            Format::Csv
            | Format::Md
            | Format::Html
            | Format::Svg
            | Format::Dot
            | Format::Mermaid
            | Format::Docx => return Err(not_written(format)),
        })
    }
}
