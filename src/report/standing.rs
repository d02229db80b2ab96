//! How an outcome stands, as every report shows it: its status in words, its colour on a
//! terminal and in a picture, the order a person reads outcomes in, and which outcomes are shown
//! apart from the tables (those no work serves, those the council does not deliver).

use super::Evaluated;
use crate::assess::{OutcomeResult, Standing};

/// A standing as a person reads it: `off track`, `at risk`. (JSON and CSV keep `off_track`.)
pub fn status_words(s: Standing) -> &'static str {
    match s {
        Standing::Achieved => "achieved",
        Standing::OnTrack => "on track",
        Standing::AtRisk => "at risk",
        Standing::OffTrack => "off track",
        Standing::Unknown => "unknown",
        Standing::NotApplicable => "not applicable",
    }
}

/// The one colour of each standing on a terminal.
pub fn standing_style(s: Standing) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    let colour = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match s {
        Standing::Achieved => colour(AnsiColor::Green),
        Standing::OnTrack => colour(AnsiColor::Cyan),
        Standing::AtRisk => colour(AnsiColor::Yellow),
        Standing::OffTrack => colour(AnsiColor::Red).bold(),
        Standing::Unknown => colour(AnsiColor::Magenta),
        Standing::NotApplicable => colour(AnsiColor::BrightBlack),
    }
}

/// The fill of a standing, the same in every picture.
pub fn fill(s: Standing) -> &'static str {
    match s {
        Standing::Achieved => "#2e7d32",
        Standing::OnTrack => "#0277bd",
        Standing::AtRisk => "#f9a825",
        Standing::OffTrack => "#c62828",
        Standing::Unknown => "#7b1fa2",
        Standing::NotApplicable => "#212121",
    }
}

/// A lighter tint of a standing, for boxes with dark text.
pub fn tint(s: Standing) -> &'static str {
    match s {
        Standing::Achieved => "#c8e6c9",
        Standing::OnTrack => "#b3e5fc",
        Standing::AtRisk => "#fff59d",
        Standing::OffTrack => "#ffcdd2",
        Standing::Unknown => "#e1bee7",
        Standing::NotApplicable => "#d6d6d6",
    }
}

/// What marks a verdict that rests on a rule's assumption rather than the council's own dates.
pub const ASSUMED_MARK: &str = "*";

/// The legend of [`ASSUMED_MARK`].
pub const ASSUMED_LEGEND: &str = "* the verdict rests on a rule's assumption, not on the council's own dates (the assumptions are listed below; `routemap explain CODE` names the one that decides it)";

/// Whether an outcome needs someone's attention: anything but achieved or on track.
pub fn needs_attention(s: Standing) -> bool {
    !matches!(s, Standing::Achieved | Standing::OnTrack | Standing::NotApplicable)
}

/// The order a person reads outcomes in: worst first (off track, unknown, at risk, on track,
/// achieved), then R1..R29, G1..G25.
pub fn worst_first(s: Standing) -> u8 {
    match s {
        Standing::OffTrack => 0,
        Standing::Unknown => 1,
        Standing::AtRisk => 2,
        Standing::OnTrack => 3,
        Standing::Achieved => 4,
        Standing::NotApplicable => 5,
    }
}

/// Whether any action or task of the routemap serves an outcome.
pub fn is_served(r: &OutcomeResult) -> bool {
    r.facts.tasks_total > 0
}

/// Whether an outcome is shown apart from the tables: one the council does not deliver, or one
/// nothing in the routemap serves.
pub fn is_apart(r: &OutcomeResult) -> bool {
    r.standing == Standing::NotApplicable || !is_served(r)
}

/// A group of outcomes shown apart: its heading, and its lines (the words they share, and their
/// codes in model order).
pub type Group = (&'static str, Vec<(String, Vec<String>)>);

/// The outcomes of the assessment at places `apart` as groups: "Not in the routemap" (by verdict
/// and reason) and "Not applicable to this council" (by reason); a group with none is left out.
pub fn apart_groups(e: &Evaluated, apart: &[usize]) -> Vec<Group> {
    let results = &e.assessment.outcomes;
    // Outcomes with the same words, in model order, one line a group.
    let grouped = |keep: &dyn Fn(&OutcomeResult) -> bool,
                   words: &dyn Fn(&OutcomeResult) -> String| {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        let mut sorted = apart.to_vec();
        sorted.sort_unstable();
        for r in sorted.into_iter().map(|i| &results[i]).filter(|r| keep(r)) {
            let (key, code) = (words(r), e.id(r.node).to_string());
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, codes)) => codes.push(code),
                None => groups.push((key, vec![code])),
            }
        }
        groups
    };
    let unserved = grouped(&|r| r.standing != Standing::NotApplicable, &|r| {
        format!("{}: {}", status_words(r.standing), r.reason)
    });
    let not_applicable = grouped(&|r| r.standing == Standing::NotApplicable, &|r| r.reason.clone());
    [("Not in the routemap", unserved), ("Not applicable to this council", not_applicable)]
        .into_iter()
        .filter(|(_, groups)| !groups.is_empty())
        .collect()
}
