//! `routemap forecast --format html`: one self-contained page with each outcome's status and
//! slack, and a Gantt of each outcome's driving chain against its deadline.

use super::Evaluated;
use super::document::{Block, Cell, DateStyle, Paper, para};
use super::render::Colour;
use super::standing::{self, apart_groups, is_apart, worst_first};
use super::svg::{self, GanttRow, Segment};
use super::text;
use crate::assess::{self, OutcomeResult, Standing};

/// Each outcome's driving chain as bars: every step from where the one before it finished (or
/// the as-of date) to its own forecast finish, in the outcome's status colour, alternating
/// shades so the steps can be told apart.
fn chain(e: &Evaluated, r: &OutcomeResult) -> Vec<Segment> {
    let a = e.assessment;
    let as_of = a.basis.as_of;
    let mut out = Vec::new();
    let mut from = as_of;
    for (k, &n) in r.drivers.iter().enumerate() {
        let i = n.index();
        let (finish, open_ended) = match (a.forecast[i], a.floor[i]) {
            (Some(f), _) => (f, false),
            (None, Some(f)) => (f, true),
            (None, None) => continue,
        };
        // Work finished before the as-of date (or no later than the step before) adds no bar.
        if finish <= from && (k + 1 < r.drivers.len() || finish < as_of) {
            continue;
        }
        let shade =
            if k % 2 == 0 { standing::fill(r.standing) } else { standing::tint(r.standing) };
        out.push(Segment {
            label: e.id(n).to_string(),
            start: from.min(finish),
            finish,
            open_ended,
            colour: shade.to_string(),
        });
        from = from.max(finish);
    }
    out
}

fn forecast_cell(e: &Evaluated, r: &OutcomeResult) -> Cell {
    match (r.forecast, e.assessment.floor[r.node.index()]) {
        (Some(f), _) => Cell::Date(f, DateStyle::Short),
        (None, Some(f)) => format!("not before {}", text::short_date(f)).into(),
        (None, None) => "unknown".into(),
    }
}

/// The dashboard page.
pub fn html(e: &Evaluated) -> String {
    let a = e.assessment;
    let mut doc = Paper {
        title: format!("{}: forecast of the ODPM priority outcomes", e.model.document.council),
        blocks: Vec::new(),
    };
    doc.push(Block::Heading(1, "Forecast of the ODPM priority outcomes".into()));
    doc.push(para(e.provenance()));
    let summary = assess::summary(a);
    let mut rows = Vec::new();
    let mut categories = Vec::new();
    for (category, counts) in summary {
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        if total == 0 {
            continue;
        }
        let name = if category.as_str() == "required" { "Required" } else { "Good" };
        let apart: usize =
            counts.iter().filter(|(s, _)| *s == Standing::NotApplicable).map(|(_, n)| n).sum();
        let delivered: Vec<(Standing, usize)> =
            counts.iter().copied().filter(|(s, _)| *s != Standing::NotApplicable).collect();
        let more =
            if apart > 0 { format!(" ({apart} more not applicable)") } else { String::new() };
        rows.push(vec![
            format!("{} {name}{more}", total - apart).into(),
            text::counts_line(&delivered, Colour::Off).into(),
        ]);
        categories.push((name.to_string(), counts));
    }
    rows.push(vec![
        "IEG grant at risk".into(),
        format!("{} of {}", text::gbp(a.exposure.at_risk_gbp), text::gbp(a.exposure.total_gbp))
            .into(),
    ]);
    doc.push(Block::Boxed(vec![
        Block::Heading(2, "Position".into()),
        Block::Table { headers: vec!["Outcomes".into(), "Forecast".into()], rows },
        Block::Figure {
            caption: "Outcomes by forecast status".into(),
            svg: svg::status_bars("Outcomes by forecast status", &categories),
        },
    ]));
    let mut order: Vec<usize> = (0..a.outcomes.len()).collect();
    order.sort_by_key(|&i| worst_first(a.outcomes[i].standing));
    let (apart, order): (Vec<usize>, Vec<usize>) =
        order.into_iter().partition(|&i| is_apart(&a.outcomes[i]));
    doc.push(Block::Heading(2, "Every outcome in the routemap, worst first".into()));
    doc.push(Block::Table {
        headers: ["Code", "Status", "Deadline", "Forecast", "Slack", "Driven by", "Outcome"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        rows: order
            .iter()
            .map(|&i| {
                let r = &a.outcomes[i];
                let o = &e.model.outcomes[r.node.index()];
                // The root cause, where a chain of work sets the forecast.
                let root = match r.drivers.as_slice() {
                    [first, _, ..] => e.id(*first).to_string(),
                    _ => String::new(),
                };
                vec![
                    o.code.clone().into(),
                    Cell::Verdict(r.standing, r.basis),
                    Cell::Date(r.deadline, DateStyle::Short),
                    forecast_cell(e, r),
                    text::slack_words(r.slack_days).into(),
                    root.into(),
                    o.title.clone().into(),
                ]
            })
            .collect(),
    });
    if a.outcomes.iter().any(|r| r.basis == assess::DateBasis::Assumed) {
        doc.push(para(standing::ASSUMED_LEGEND));
    }
    for (heading, groups) in apart_groups(e, &apart) {
        let n: usize = groups.iter().map(|(_, c)| c.len()).sum();
        doc.push(Block::Heading(
            3,
            format!("{heading}: {n} outcome{}", if n == 1 { "" } else { "s" }),
        ));
        doc.push(Block::List(
            groups.into_iter().map(|(why, codes)| format!("{}: {why}", codes.join(", "))).collect(),
        ));
    }
    let needing: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| {
            !matches!(a.outcomes[i].standing, Standing::Achieved | Standing::NotApplicable)
        })
        .collect();
    doc.push(Block::Heading(2, "Driving chains against deadlines".into()));
    doc.push(para(
        "Each row is an outcome's driving chain: one bar per piece of work, from where the work before it finishes to its own forecast finish (dashed outline: only the earliest possible finish is known). The black tick is the outcome's deadline; the dashed line the as-of date. Achieved outcomes, and those the council does not deliver, are left out.",
    ));
    let gantt: Vec<GanttRow> = needing
        .iter()
        .map(|&i| {
            let r = &a.outcomes[i];
            GanttRow {
                label: format!(
                    "{} {} ({})",
                    e.id(r.node),
                    e.model.outcomes[r.node.index()].title,
                    standing::status_words(r.standing)
                ),
                segments: chain(e, r),
                due: Some(r.deadline),
            }
        })
        .collect();
    doc.push(Block::Figure {
        caption: "Each outcome's driving chain against its deadline".into(),
        svg: svg::gantt("Driving chains against deadlines", a.basis.as_of, &gantt),
    });
    doc.html()
}
