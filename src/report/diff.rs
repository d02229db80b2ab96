//! `diff`: what changed between versions of a routemap, as a table, JSON, CSV, and a paper
//! (Markdown, HTML with a chart of the outcome counts over the versions, Word); and the risk
//! report's "Progress since" section, built from the same comparison.

use super::document::{Block, Cell, DateStyle, Paper, labelled, para};
use super::render::{Format, Render, Rendered, Terminal, not_written};
use super::text;
use crate::assess::DateBasis;
use crate::assess::Standing;
use crate::diff::{
    Change, ChangeKind, Diff, OutcomeChange, Step, Verdict, VersionInfo, version_name,
};
use crate::error::Error;
use crate::model::Category;

/// `routemap diff`'s result.
pub struct DiffReport<'a> {
    /// The comparison.
    pub diff: &'a Diff,
    /// Which rules judged every version.
    pub rules: super::RulesInfo,
}

/// The JSON contract of `routemap diff --format json`.
#[derive(serde::Serialize)]
struct DiffOut<'a> {
    #[serde(flatten)]
    diff: &'a Diff,
    rules: &'a super::RulesInfo,
}

impl Render for DiffReport<'_> {
    const FORMATS: &'static [Format] =
        &[Format::Table, Format::Json, Format::Csv, Format::Md, Format::Html, Format::Docx];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        Ok(match format {
            Format::Table => Rendered::Text(table(self.diff, t)),
            Format::Json => Rendered::Text(super::json::to_string(&DiffOut {
                diff: self.diff,
                rules: &self.rules,
            })),
            Format::Csv => Rendered::Text(csv(self.diff)),
            Format::Md => Rendered::Text(paper(self.diff, false).markdown()),
            Format::Html => Rendered::Text(paper(self.diff, true).html()),
            Format::Docx => Rendered::Bytes(super::docx::docx(&paper(self.diff, true))?),
            Format::Svg | Format::Dot | Format::Mermaid => return Err(not_written(format)),
        })
    }
}

fn verdict_words(v: &Verdict) -> String {
    let mark = if v.basis == DateBasis::Assumed { super::standing::ASSUMED_MARK } else { "" };
    let date = match v.forecast {
        Some(d) => format!(", {}", crate::format::short_date(d)),
        None => String::new(),
    };
    format!("{}{mark}{date}", super::standing::status_words(v.status))
}

fn step_title(d: &Diff, s: &Step) -> String {
    format!(
        "{} \u{2192} {}",
        version_name(&d.versions[s.from - 1]),
        version_name(&d.versions[s.to - 1])
    )
}

fn money_move(s: &Step) -> String {
    let [a, b] = s.exposure_gbp;
    let mut out =
        format!("grant at risk {} \u{2192} {}", crate::format::gbp(a), crate::format::gbp(b));
    if let Some([x, y]) = s.bvpi157_percent {
        out.push_str(&format!("; BVPI 157 on its deadline {x}% \u{2192} {y}%"));
    }
    out
}

fn counts_words(v: &VersionInfo, cat: Category) -> String {
    let counts = &v.counts[&cat];
    Standing::ALL
        .iter()
        .filter_map(|s| {
            let n = counts.get(s).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {}", super::standing::status_words(*s)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The aligned-text report.
fn table(d: &Diff, t: &Terminal) -> String {
    let colour = t.colour;
    let first = &d.versions[0];
    let mut out = format!(
        "{}\n{}",
        colour.strong("What changed between versions"),
        text::wrap(
            &format!(
                "{} versions of {}'s routemap, each judged on its own issue date.\n",
                d.versions.len(),
                first.council
            ),
            t.width
        )
    );
    for n in &d.notes {
        out.push_str(&text::wrap(&format!("Note: {n}\n"), t.width));
    }
    for s in &d.steps {
        out.push_str(&format!("\n{}\n", colour.strong(&step_title(d, s))));
        out.push_str(&format!("{}.\n", text::wrap(&money_move(s), t.width)));
        if s.changes.is_empty() {
            out.push_str("\nNo work changed.\n");
        } else {
            let rows: Vec<Vec<(String, String)>> = s
                .changes
                .iter()
                .map(|c| {
                    vec![
                        text::cell(shown_id(c)),
                        text::cell(c.work.as_str()),
                        text::cell(c.summary()),
                        text::cell(&c.text),
                    ]
                })
                .collect();
            out.push_str(&format!(
                "\nChanges ({}):\n{}",
                s.changes.len(),
                text::table(t, &["id", "work", "change", "what"], &rows)
            ));
        }
        if s.outcomes.is_empty() {
            out.push_str("\nNo outcome's status, forecast or basis changed.\n");
        } else {
            let rows: Vec<Vec<(String, String)>> = s
                .outcomes
                .iter()
                .map(|o| {
                    let paint = |v: &Verdict| {
                        let w = verdict_words(v);
                        (w.clone(), colour.standing(v.status, &w))
                    };
                    vec![
                        text::cell(&o.code),
                        paint(&o.before),
                        paint(&o.after),
                        text::cell(&o.reason),
                    ]
                })
                .collect();
            out.push_str(&format!(
                "\nOutcomes that moved ({}):\n{}",
                s.outcomes.len(),
                text::table(t, &["code", "before", "after", "why"], &rows)
            ));
        }
    }
    if let Some(trend) = &d.trend {
        let mut headers = vec!["code".to_string()];
        headers.extend(d.versions.iter().map(|v| v.index.to_string()));
        let rows: Vec<Vec<(String, String)>> = trend
            .outcomes
            .iter()
            .filter(|l| l.verdicts.windows(2).any(|w| w[0] != w[1]) || served(l.verdicts.last()))
            .map(|l| {
                let mut row = vec![text::cell(&l.code)];
                row.extend(l.verdicts.iter().map(|v| colour.verdict_cell(v.status, v.basis)));
                row
            })
            .collect();
        let heads: Vec<&str> = headers.iter().map(String::as_str).collect();
        out.push_str(&format!(
            "\n{}\n{}\n{}",
            colour.strong(
                "Outcomes at each version (those that changed, or are not off track throughout)"
            ),
            text::wrap(&numbered(d), t.width),
            text::table(t, &heads, &rows)
        ));
        if !trend.slipped_every_update.is_empty() {
            let rows: Vec<Vec<(String, String)>> = trend
                .slipped_every_update
                .iter()
                .map(|w| {
                    let targets: Vec<String> =
                        w.targets.iter().map(|t| t.clone().unwrap_or_else(|| "-".into())).collect();
                    vec![
                        text::cell(&w.id),
                        text::cell(targets.join(" \u{2192} ")),
                        text::cell(format!("{} days", w.days)),
                        text::cell(&w.text),
                    ]
                })
                .collect();
            out.push_str(&format!(
                "\n{}\n{}",
                colour.strong("Slipped at every update"),
                text::table(t, &["id", "targets", "in all", "what"], &rows)
            ));
        }
    }
    if any_assumed(d) {
        out.push_str(&format!("\n{LEGEND}\n"));
    }
    out
}

/// What `*` means here: each version's own `routemap explain` names the assumption.
const LEGEND: &str = "* the verdict rests on a rule's assumption, not on the council's own dates (`routemap explain CODE --model FILE` on that version names it)";

/// A change's work as a table shows it: removed work by the id it had, marked as such.
fn shown_id(c: &Change) -> String {
    if c.kind == ChangeKind::Removed { format!("(was {})", c.id) } else { c.id.clone() }
}

/// The versions by the numbers the trend's columns carry.
fn numbered(d: &Diff) -> String {
    let names: Vec<String> =
        d.versions.iter().map(|v| format!("{}: {}", v.index, version_name(v))).collect();
    format!("Columns: {}.", names.join("; "))
}

/// Whether any verdict shown is marked as resting on an assumption.
fn any_assumed(d: &Diff) -> bool {
    let assumed = |v: &Verdict| v.basis == DateBasis::Assumed;
    d.steps.iter().flat_map(|s| &s.outcomes).any(|o| assumed(&o.before) || assumed(&o.after))
        || d.trend.iter().flat_map(|t| &t.outcomes).flat_map(|l| &l.verdicts).any(assumed)
}

/// Whether an outcome's last verdict is anything but off track or unknown (kept in the trend
/// table even when it never changed).
fn served(v: Option<&Verdict>) -> bool {
    v.is_some_and(|v| {
        !matches!(v.status, Standing::OffTrack | Standing::Unknown | Standing::NotApplicable)
    })
}

/// CSV: one row per change and one per outcome that moved, each with its step.
fn csv(d: &Diff) -> String {
    let mut rows = Vec::new();
    for s in &d.steps {
        let step = |rows: &mut Vec<Vec<String>>, cells: [String; 10]| {
            let mut row = vec![s.from.to_string(), s.to.to_string()];
            row.extend(cells);
            rows.push(row);
        };
        for c in &s.changes {
            step(&mut rows, change_cells(c));
        }
        for o in &s.outcomes {
            step(&mut rows, outcome_cells(o));
        }
    }
    text::csv(
        &[
            "from",
            "to",
            "record",
            "id",
            "change",
            "earlier_id",
            "before",
            "after",
            "before_date",
            "after_date",
            "days",
            "detail",
        ],
        &rows,
    )
}

fn change_cells(c: &Change) -> [String; 10] {
    let detail = match c.kind {
        ChangeKind::DependencyAdded | ChangeKind::DependencyRemoved => {
            format!("waits on {}", c.waits_on.as_deref().unwrap_or(""))
        }
        _ => c.text.clone(),
    };
    [
        c.work.as_str().to_string(),
        c.id.clone(),
        c.kind.words().to_string(),
        c.earlier_id.clone().unwrap_or_default(),
        c.before.clone().unwrap_or_default(),
        c.after.clone().unwrap_or_default(),
        text::or_blank(c.before_date),
        text::or_blank(c.after_date),
        c.days.map(|d| d.to_string()).unwrap_or_default(),
        detail,
    ]
}

fn outcome_cells(o: &OutcomeChange) -> [String; 10] {
    let v = |v: &Verdict| format!("{} ({})", v.status.as_str(), v.basis.as_str());
    [
        "outcome".to_string(),
        o.code.clone(),
        if o.before.status != o.after.status {
            "status changed"
        } else if o.before.forecast != o.after.forecast {
            "forecast moved"
        } else {
            "basis changed"
        }
        .to_string(),
        String::new(),
        v(&o.before),
        v(&o.after),
        text::or_blank(o.before.forecast),
        text::or_blank(o.after.forecast),
        o.days.map(|d| d.to_string()).unwrap_or_default(),
        o.reason.clone(),
    ]
}

fn verdict_cell(v: &Verdict) -> Cell {
    Cell::Verdict(v.status, v.basis)
}

fn date_cell(d: Option<chrono::NaiveDate>) -> Cell {
    match d {
        Some(d) => Cell::Date(d, DateStyle::Short),
        None => Cell::Text("none".into()),
    }
}

/// The blocks that describe one step: the work that changed and the outcomes it moved.
pub fn step_blocks(s: &Step, level: u8) -> Vec<Block> {
    let mut out = vec![para(format!("{}.", capitalised(&money_move(s))))];
    let of = |kinds: &[ChangeKind]| -> Vec<&Change> {
        s.changes.iter().filter(|c| kinds.contains(&c.kind)).collect()
    };
    let completed = of(&[ChangeKind::Completed]);
    if !completed.is_empty() {
        out.push(Block::Heading(level, "Completed".into()));
        out.push(Block::List(
            completed
                .iter()
                .map(|c| format!("{} ({} {})", c.text, c.work.as_str(), c.id))
                .collect(),
        ));
    }
    let moved = of(&[ChangeKind::TargetMoved, ChangeKind::TargetChanged]);
    if !moved.is_empty() {
        out.push(Block::Heading(level, "Targets moved".into()));
        out.push(Block::Table {
            headers: ["Work", "Before", "After", "Days", "What"].map(String::from).to_vec(),
            rows: moved
                .iter()
                .map(|c| {
                    vec![
                        Cell::Text(c.id.clone()),
                        Cell::Text(c.before.clone().unwrap_or_default()),
                        Cell::Text(c.after.clone().unwrap_or_default()),
                        Cell::Text(c.days.map(signed).unwrap_or_else(|| "-".into())),
                        Cell::Text(c.text.clone()),
                    ]
                })
                .collect(),
        });
    }
    let other = of(&[
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Renumbered,
        ChangeKind::Reworded,
        ChangeKind::StatusChanged,
        ChangeKind::DependencyAdded,
        ChangeKind::DependencyRemoved,
    ]);
    if !other.is_empty() {
        out.push(Block::Heading(level, "Other changes".into()));
        out.push(Block::Table {
            headers: ["Work", "Change", "What"].map(String::from).to_vec(),
            rows: other
                .iter()
                .map(|c| {
                    vec![
                        Cell::Text(shown_id(c)),
                        Cell::Text(c.summary()),
                        Cell::Text(c.text.clone()),
                    ]
                })
                .collect(),
        });
    }
    out.push(Block::Heading(level, "Outcomes that changed".into()));
    if s.outcomes.is_empty() {
        out.push(para("No outcome's status, forecast or basis changed."));
    } else {
        out.push(Block::Table {
            headers: ["Outcome", "Before", "Forecast", "After", "Forecast", "Why"]
                .map(String::from)
                .to_vec(),
            rows: s
                .outcomes
                .iter()
                .map(|o| {
                    vec![
                        Cell::Text(format!("{} {}", o.code, o.title)),
                        verdict_cell(&o.before),
                        date_cell(o.before.forecast),
                        verdict_cell(&o.after),
                        date_cell(o.after.forecast),
                        Cell::Text(o.reason.clone()),
                    ]
                })
                .collect(),
        });
        let assumed = |v: &Verdict| v.basis == DateBasis::Assumed;
        if s.outcomes.iter().any(|o| assumed(&o.before) || assumed(&o.after)) {
            out.push(para(LEGEND));
        }
    }
    out
}

/// "1 target", "2 targets".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

fn signed(days: i64) -> String {
    if days > 0 { format!("+{days}") } else { days.to_string() }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The comparison as a paper: each step's changes and outcomes, then the trend (a chart of the
/// counts over the versions where `figures`).
fn paper(d: &Diff, figures: bool) -> Paper {
    let first = &d.versions[0];
    let mut p = Paper {
        title: format!("{}: what changed between versions of the routemap", first.council),
        blocks: Vec::new(),
    };
    p.push(Block::Heading(1, p.title.clone()));
    p.push(para(format!(
        "{} versions, each judged on its own issue date with the same rules: {}.",
        d.versions.len(),
        d.versions.iter().map(version_name).collect::<Vec<_>>().join("; ")
    )));
    for n in &d.notes {
        p.push(labelled("Note", n.clone()));
    }
    for s in &d.steps {
        p.push(Block::Heading(2, step_title(d, s)));
        p.blocks.extend(step_blocks(s, 3));
    }
    if let Some(trend) = &d.trend {
        p.push(Block::Heading(2, "The trend across the versions".into()));
        if figures {
            let bars: Vec<(String, [(Standing, usize); 6])> = d
                .versions
                .iter()
                .flat_map(|v| {
                    [Category::Required, Category::Good].map(|cat| {
                        let counts = Standing::ALL
                            .map(|s| (s, v.counts[&cat].get(&s).copied().unwrap_or(0)));
                        (format!("{} {}", v.index, cat.as_str()), counts)
                    })
                })
                .collect();
            p.push(Block::Figure {
                caption: "Required and Good outcomes by status at each version".into(),
                svg: super::svg::status_bars("Outcomes by status at each version", &bars),
            });
        }
        p.push(Block::Table {
            headers: ["", "Version", "Issued", "Required", "Good", "Grant at risk", "BVPI 157"]
                .map(String::from)
                .to_vec(),
            rows: d
                .versions
                .iter()
                .map(|v| {
                    vec![
                        Cell::Text(v.index.to_string()),
                        Cell::Text(v.version.clone()),
                        Cell::Date(v.issue_date, DateStyle::Short),
                        Cell::Text(counts_words(v, Category::Required)),
                        Cell::Text(counts_words(v, Category::Good)),
                        Cell::Money(v.exposure_gbp),
                        Cell::Text(v.bvpi157_percent.map_or("-".into(), |p| format!("{p}%"))),
                    ]
                })
                .collect(),
        });
        let mut headers = vec!["Outcome".to_string()];
        headers.extend(d.versions.iter().map(|v| v.index.to_string()));
        p.push(Block::Heading(3, "Each outcome at each version".into()));
        p.push(para(numbered(d)));
        p.push(Block::Table {
            headers,
            rows: trend
                .outcomes
                .iter()
                .filter(|l| {
                    l.verdicts.windows(2).any(|w| w[0] != w[1]) || served(l.verdicts.last())
                })
                .map(|l| {
                    let mut row = vec![Cell::Text(l.code.clone())];
                    row.extend(l.verdicts.iter().map(verdict_cell));
                    row
                })
                .collect(),
        });
        p.push(para(
            "Outcomes off track or unknown at every version, and not applicable ones, are left out of this table; the JSON lists every outcome.",
        ));
        if !trend.slipped_every_update.is_empty() {
            p.push(Block::Heading(3, "Slipped at every update".into()));
            p.push(Block::Table {
                headers: ["Work", "Targets", "In all", "What"].map(String::from).to_vec(),
                rows: trend
                    .slipped_every_update
                    .iter()
                    .map(|w| {
                        let targets: Vec<String> = w
                            .targets
                            .iter()
                            .map(|t| t.clone().unwrap_or_else(|| "-".into()))
                            .collect();
                        vec![
                            Cell::Text(w.id.clone()),
                            Cell::Text(targets.join(" \u{2192} ")),
                            Cell::Text(format!("{} days later", w.days)),
                            Cell::Text(w.text.clone()),
                        ]
                    })
                    .collect(),
            });
        }
    }
    p
}
