//! Statuses as routemaps write them, normalised to a small set.

/// The normalised status of a task or project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

    /// Normalise a verbatim status cell. The error says what was expected.
    pub fn parse(text: &str) -> Result<Status, String> {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let t = t.replace(['–', '—'], "-");
        Ok(match t.as_str() {
            "" => Status::Unreported,
            "complete" | "completed" | "in place" | "task completed (on-going)" => Status::Complete,
            "in progress"
            | "started"
            | "near completion"
            | "initial scoping - started"
            | "in progress complete" => Status::InProgress,
            "on target" | "on target/in progress" => Status::OnTarget,
            "on-going"
            | "ongoing"
            | "in progress (on-going)"
            | "baseline assessment - completed" => Status::Ongoing,
            "not started" => Status::NotStarted,
            _ => {
                return Err("expected a status such as `Complete`, `In progress`, `Started`, \
                            `On target`, `On-going` or `Not started` (see docs/model.md)"
                    .to_string());
            }
        })
    }
}

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
}
