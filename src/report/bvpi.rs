//! `routemap bvpi`: when each BVPI 157 interaction group is forecast to be e-enabled and why, the
//! e-enabled percentage over time, and the percentage on the deadline against the target.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::error::Error;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};
use crate::bvpi::{BvpiForecast, Group};
use crate::graph::NodeKind;
use crate::scenario::Slip;

/// The JSON contract of `routemap bvpi --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct BvpiOut {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// The share of processes enabled when the routemap was written.
    pub baseline_percent: u32,
    /// The target the rules set.
    pub target_percent: u32,
    /// The date the target is to be met by.
    pub deadline: NaiveDate,
    /// Every interaction group, in table order.
    pub groups: Vec<GroupLine>,
    /// The percentage forecast enabled on the deadline.
    pub forecast_percent_at_deadline: u32,
    /// The table's last "% Enabled (Target)": where the curve ends once every group is enabled.
    pub final_percent: u32,
    /// The e-enabled percentage over time, as steps from the as-of date.
    pub curve: Vec<StepLine>,
    /// The groups not forecast enabled by the deadline, in table order.
    pub missed: Vec<String>,
    /// The slips the forecast was made with (`--slip`), as given.
    pub slips: Vec<String>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
}

/// One interaction group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupLine {
    /// The interaction type, as the table writes it.
    pub interaction: String,
    /// The services affected.
    pub services: Vec<String>,
    /// The ESD process count, or null where the table gives none.
    pub processes: Option<u32>,
    /// The table's cumulative "% Enabled (Target)".
    pub target_percent: u32,
    /// The points it adds over the row above (the first row: over the baseline).
    pub gain_percent: u32,
    /// The date it is forecast enabled, or null.
    pub forecast: Option<NaiveDate>,
    /// Whether that is on or before the deadline.
    pub enabled_by_deadline: bool,
    /// Why, in the rule's words.
    pub reason: String,
    /// The linked work that sets (or withholds) its date, or null.
    pub held_up_by: Option<String>,
    /// The chain of work that sets that date, root cause first.
    pub drivers: Vec<String>,
    /// The work linked to it, actions expanded into their tasks.
    pub work: Vec<WorkLine>,
    /// The links as the model writes them.
    pub links: Vec<LinkLine>,
}

/// A piece of linked work.
#[derive(Debug, Clone, Serialize)]
pub struct WorkLine {
    /// Its id.
    pub id: String,
    /// task, project, national or milestone.
    pub kind: String,
    /// Its forecast finish, or null.
    pub forecast: Option<NaiveDate>,
}

/// A link from a group to work, as the model writes it.
#[derive(Debug, Clone, Serialize)]
pub struct LinkLine {
    /// A task, project or action id.
    pub id: String,
    /// The model's reading of the routemap rather than its statement.
    pub implied: bool,
    /// The routemap's words.
    pub source: String,
}

/// A step of the e-enabled percentage.
#[derive(Debug, Clone, Serialize)]
pub struct StepLine {
    /// From this date.
    pub date: NaiveDate,
    /// The percentage enabled.
    pub percent: u32,
    /// The groups enabled on this date.
    pub groups: Vec<String>,
}

impl BvpiOut {
    /// The output of a forecast made with `slips`.
    pub fn new(e: &Evaluated, f: &BvpiForecast, slips: &[Slip]) -> Self {
        let rows = e.model.bvpi157.as_ref().map_or(&[][..], |t| &t.interactions[..]);
        let groups = f
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupLine {
                interaction: g.interaction.clone(),
                services: g.services.clone(),
                processes: g.processes,
                target_percent: g.target_percent,
                gain_percent: g.gain,
                forecast: g.forecast,
                enabled_by_deadline: g.on_time,
                reason: g.reason.clone(),
                held_up_by: g.by.map(|n| e.id(n).to_string()),
                drivers: g.drivers.iter().map(|n| e.id(*n).to_string()).collect(),
                work: g
                    .work
                    .iter()
                    .map(|&n| WorkLine {
                        id: e.id(n).to_string(),
                        kind: kind(e.graph.dag[n].kind),
                        forecast: e.assessment.forecast[n.index()],
                    })
                    .collect(),
                links: rows
                    .get(i)
                    .map(|r| {
                        r.enabled_by
                            .iter()
                            .map(|l| LinkLine {
                                id: l.id.clone(),
                                implied: l.implied,
                                source: l.source.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        BvpiOut {
            as_of: f.as_of,
            baseline_percent: f.baseline_percent,
            target_percent: f.target_percent,
            deadline: f.deadline,
            groups,
            forecast_percent_at_deadline: f.percent_at_deadline,
            final_percent: f.final_percent,
            curve: f
                .curve
                .iter()
                .map(|s| StepLine {
                    date: s.date,
                    percent: s.percent,
                    groups: s.groups.iter().map(|&i| f.groups[i].interaction.clone()).collect(),
                })
                .collect(),
            missed: f.groups.iter().filter(|g| !g.on_time).map(|g| g.interaction.clone()).collect(),
            slips: slips.iter().map(|s| s.text.clone()).collect(),
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }
}

/// `+1 point`, `+6 points`.
fn points(n: u32) -> String {
    if n == 1 { "+1 point".to_string() } else { format!("+{n} points") }
}

fn kind(k: NodeKind) -> String {
    k.as_str().to_string()
}

/// The answer in one sentence: the deadline's percentage against the target.
pub fn headline(f: &BvpiForecast) -> String {
    let missed = f.groups.iter().filter(|g| !g.on_time).count();
    let verdict = if f.percent_at_deadline >= f.target_percent { "meets" } else { "misses" };
    format!(
        "{}% of customer-facing processes forecast e-enabled on {}, against a target of {}%: the forecast {verdict} the target ({}% in the baseline; {missed} of {} interaction groups not enabled by then).",
        f.percent_at_deadline,
        text::long_date(f.deadline),
        f.target_percent,
        f.baseline_percent,
        f.groups.len(),
    )
}

fn held_up(e: &Evaluated, g: &Group) -> String {
    if g.work.is_empty() {
        return "-".to_string();
    }
    let chain: Vec<&str> = g.drivers.iter().map(|n| e.id(*n)).collect();
    if chain.is_empty() {
        g.by.map(|n| e.id(n).to_string()).unwrap_or_default()
    } else {
        chain.join(" > ")
    }
}

/// A group that misses the deadline: its points, its forecast, the work that holds it up and why.
fn miss_line(e: &Evaluated, g: &Group) -> String {
    if g.work.is_empty() {
        return format!("{} ({}): no routemap work is linked to it", g.interaction, points(g.gain));
    }
    let when = g
        .forecast
        .map_or_else(|| "no forecast".to_string(), |d| format!("forecast {}", text::short_date(d)));
    format!(
        "{} ({}): {when}, held up by {}; {}",
        g.interaction,
        points(g.gain),
        held_up(e, g),
        g.reason
    )
}

fn forecast_text(g: &Group) -> String {
    if g.work.is_empty() { "no linked work".to_string() } else { text::opt_date(g.forecast) }
}

fn when(e: &Evaluated, slips: &[Slip]) -> String {
    let mut out = e.provenance();
    if !slips.is_empty() {
        let s: Vec<&str> = slips.iter().map(|s| s.text.as_str()).collect();
        out.push_str(&format!(", with {}", s.join(", ")));
    }
    out
}

/// For people: the answer, each group, the step curve, and the groups that miss.
pub fn table(e: &Evaluated, f: &BvpiForecast, slips: &[Slip], t: &Terminal) -> String {
    let mut out = format!("BVPI 157 forecast: {}\n\n", when(e, slips));
    out.push_str(&text::wrap(&format!("{}\n\n", headline(f)), t.width));
    let rows: Vec<Vec<(String, String)>> = f
        .groups
        .iter()
        .map(|g| {
            vec![
                cell(text::clip(&g.interaction, 48)),
                cell(g.processes.map_or("-".to_string(), |p| p.to_string())),
                cell(format!("+{}", g.gain)),
                cell(format!("{}%", g.target_percent)),
                cell(forecast_text(g)),
                cell(if g.on_time { "yes" } else { "no" }),
                cell(held_up(e, g)),
            ]
        })
        .collect();
    out.push_str(&text::table(
        t,
        &["interaction", "processes", "points", "target", "forecast", "in time", "set by"],
        &rows,
    ));
    out.push_str("\nE-enabled percentage over time:\n\n");
    out.push_str(&curve_lines(f, "  "));
    out.push_str(&misses(e, f, "  "));
    out
}

fn curve_lines(f: &BvpiForecast, indent: &str) -> String {
    let mut out = String::new();
    for (i, s) in f.curve.iter().enumerate() {
        let names: Vec<&str> = s.groups.iter().map(|&g| f.groups[g].interaction.as_str()).collect();
        let what = if i == 0 && names.is_empty() {
            "baseline".to_string()
        } else if i == 0 {
            format!("baseline, with {}", names.join("; "))
        } else {
            names.join("; ")
        };
        out.push_str(&format!(
            "{indent}{:>11}  {:>3}%  {what}\n",
            text::short_date(s.date),
            s.percent
        ));
    }
    out
}

fn misses(e: &Evaluated, f: &BvpiForecast, indent: &str) -> String {
    let missed: Vec<&Group> = f.groups.iter().filter(|g| !g.on_time).collect();
    if missed.is_empty() {
        return format!(
            "\nEvery interaction group is forecast enabled by {}.\n",
            text::long_date(f.deadline)
        );
    }
    let mut out =
        format!("\nNot enabled by {} ({}):\n\n", text::long_date(f.deadline), missed.len());
    for g in missed {
        out.push_str(&format!("{indent}{}\n", miss_line(e, g)));
    }
    out
}

/// As Markdown, for a Cabinet report.
pub fn markdown(e: &Evaluated, f: &BvpiForecast, slips: &[Slip]) -> String {
    let para = |t: &str| super::escape::markdown(t, true);
    let mut out = format!("## BVPI 157 forecast\n\n{}\n\n", para(&when(e, slips)));
    out.push_str(&format!("**{}**\n\n", para(&headline(f))));
    let rows: Vec<Vec<String>> = f
        .groups
        .iter()
        .map(|g| {
            vec![
                g.interaction.clone(),
                g.services.join(", "),
                g.processes.map_or("–".to_string(), |p| p.to_string()),
                format!("{}%", g.target_percent),
                forecast_text(g),
                if g.on_time { "yes" } else { "no" }.to_string(),
                held_up(e, g),
                g.reason.clone(),
            ]
        })
        .collect();
    out.push_str(&text::markdown(
        &[
            "Interaction",
            "Services",
            "ESD processes",
            "% Enabled (Target)",
            "Forecast enabled",
            "By the deadline",
            "Set by",
            "Why",
        ],
        &rows,
    ));
    out.push_str("\n### E-enabled percentage over time\n\n");
    let steps: Vec<Vec<String>> = f
        .curve
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let names: Vec<&str> =
                s.groups.iter().map(|&g| f.groups[g].interaction.as_str()).collect();
            let what = match (i, names.is_empty()) {
                (0, true) => "baseline".to_string(),
                (0, false) => format!("baseline, with {}", names.join("; ")),
                _ => names.join("; "),
            };
            vec![text::long_date(s.date), format!("{}%", s.percent), what]
        })
        .collect();
    out.push_str(&text::markdown(&["From", "E-enabled", "Groups enabled"], &steps));
    let missed: Vec<String> =
        f.groups.iter().filter(|g| !g.on_time).map(|g| miss_line(e, g)).collect();
    if !missed.is_empty() {
        out.push_str(&format!("\n### Not enabled by {}\n\n", text::long_date(f.deadline)));
        for m in missed {
            out.push_str(&format!("- {}\n", super::escape::markdown(&m, true)));
        }
    }
    out
}

/// CSV, one row per interaction group.
pub fn csv(e: &Evaluated, f: &BvpiForecast) -> String {
    let rows: Vec<Vec<String>> = f
        .groups
        .iter()
        .map(|g| {
            vec![
                g.interaction.clone(),
                g.processes.map_or(String::new(), |p| p.to_string()),
                g.target_percent.to_string(),
                g.gain.to_string(),
                g.forecast.map_or(String::new(), |d| d.to_string()),
                g.on_time.to_string(),
                g.by.map_or(String::new(), |n| e.id(n).to_string()),
                g.drivers.iter().map(|n| e.id(*n)).collect::<Vec<_>>().join(" > "),
                g.reason.clone(),
            ]
        })
        .collect();
    text::csv(
        &[
            "interaction",
            "processes",
            "target_percent",
            "gain_percent",
            "forecast",
            "enabled_by_deadline",
            "held_up_by",
            "drivers",
            "reason",
        ],
        &rows,
    )
}

/// `bvpi`: the BVPI 157 forecast of the routemap (or of it with slips).
pub struct BvpiReport<'a> {
    /// The assessment it was judged on.
    pub e: Evaluated<'a>,
    /// The forecast.
    pub f: &'a BvpiForecast,
    /// The command line's slips, if any.
    pub slips: &'a [Slip],
}

impl Render for BvpiReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let (e, f, slips) = (&self.e, self.f, self.slips);
        render::text(match format {
            Format::Table => table(e, f, slips, t),
            Format::Json => super::json::to_string(&BvpiOut::new(e, f, slips)),
            Format::Csv => csv(e, f),
            Format::Md => markdown(e, f, slips),
            Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
