//! Statuses as routemaps write them, normalised to a small set.

use serde::Deserialize;

/// The normalised status of a task or project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Done.
    Complete,
    /// Under way.
    InProgress,
    /// Reported as on target.
    OnTarget,
    /// A continuing duty rather than a piece of work with an end.
    Ongoing,
    /// Not yet begun.
    NotStarted,
    /// No status given.
    #[default]
    Unreported,
}

impl Status {
    /// The snake-case name used in output and by rule scripts.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::InProgress => "in_progress",
            Status::OnTarget => "on_target",
            Status::Ongoing => "ongoing",
            Status::NotStarted => "not_started",
            Status::Unreported => "unreported",
        }
    }

    /// Normalise a verbatim status cell with the built-in words only.
    pub fn parse(text: &str) -> Result<Status, String> {
        Status::parse_with(text, &[])
    }

    /// Normalise a verbatim status cell. A council's own words (`status_words` in its model,
    /// already normalised by [`Status::key`]) come first, then the built-in [`WORDS`]. The error
    /// says what was expected, with the nearest known word.
    pub fn parse_with(text: &str, own: &[(String, Status)]) -> Result<Status, String> {
        let key = Status::key(text);
        if key.is_empty() {
            return Ok(Status::Unreported);
        }
        if let Some((_, s)) = own.iter().find(|(word, _)| *word == key) {
            return Ok(*s);
        }
        if let Some((_, s)) = WORDS.iter().find(|(word, _)| *word == key) {
            return Ok(*s);
        }
        let known = own.iter().map(|(w, _)| w.as_str()).chain(WORDS.iter().map(|(w, _)| *w));
        let near = crate::error::nearest(&key, known);
        let hint = match near.first() {
            Some(n) => format!("did you mean `{n}`? "),
            None => String::new(),
        };
        Err(format!(
            "{hint}expected a status such as `Complete`, `In progress`, `On target`, `On-going` or \
             `Not started`, or a word the model declares under `status_words` (see docs/model.md)"
        ))
    }

    /// How a status cell is compared: lower case, runs of white space as one space, dashes as `-`.
    pub fn key(text: &str) -> String {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        t.replace(['–', '—'], "-")
    }
}

/// The status words every model understands, as [`Status::key`] writes them, and what each
/// means. docs/model.md lists them; a model adds its own under `status_words`.
pub const WORDS: &[(&str, Status)] = &[
    ("complete", Status::Complete),
    ("completed", Status::Complete),
    ("in place", Status::Complete),
    ("task completed (on-going)", Status::Complete),
    ("in progress", Status::InProgress),
    ("started", Status::InProgress),
    ("near completion", Status::InProgress),
    ("initial scoping - started", Status::InProgress),
    ("in progress complete", Status::InProgress),
    ("on target", Status::OnTarget),
    ("on target/in progress", Status::OnTarget),
    ("on-going", Status::Ongoing),
    ("ongoing", Status::Ongoing),
    ("in progress (on-going)", Status::Ongoing),
    ("baseline assessment - completed", Status::Ongoing),
    ("not started", Status::NotStarted),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_the_seed_uses() {
        let cases = [
            ("Complete", Status::Complete),
            ("complete", Status::Complete),
            ("In place", Status::Complete),
            ("Task completed (On-going)", Status::Complete),
            ("In progress", Status::InProgress),
            ("Started", Status::InProgress),
            ("Near completion", Status::InProgress),
            ("Initial scoping - started", Status::InProgress),
            ("In progress complete", Status::InProgress),
            ("On target", Status::OnTarget),
            ("On target/in progress", Status::OnTarget),
            ("On-going", Status::Ongoing),
            ("In progress (on-going)", Status::Ongoing),
            ("Baseline assessment - completed", Status::Ongoing),
            ("Not started", Status::NotStarted),
            ("", Status::Unreported),
            ("  not   STARTED ", Status::NotStarted),
        ];
        for (text, want) in cases {
            assert_eq!(Status::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn unknown_status_is_an_error() {
        assert!(Status::parse("Nearly there").unwrap_err().contains("expected a status"));
    }

    #[test]
    fn a_councils_own_words_come_first() {
        let own = vec![
            (Status::key("Delayed"), Status::InProgress),
            (Status::key("Complete"), Status::Ongoing),
        ];
        assert_eq!(Status::parse_with(" DELAYED ", &own), Ok(Status::InProgress));
        assert_eq!(Status::parse_with("Complete", &own), Ok(Status::Ongoing));
        assert_eq!(Status::parse_with("Not started", &own), Ok(Status::NotStarted));
        assert!(Status::parse("Delayed").is_err());
    }

    #[test]
    fn a_typo_gets_the_nearest_word() {
        let own = vec![(Status::key("Slipped"), Status::InProgress)];
        assert!(
            Status::parse_with("Slippd", &own).unwrap_err().starts_with("did you mean `slipped`?")
        );
        assert!(
            Status::parse("In progres").unwrap_err().starts_with("did you mean `in progress`?")
        );
    }
}
