//! Shared pieces of the human-readable formats: aligned tables, colour, dates and amounts.

use chrono::NaiveDate;

use crate::assess::Standing;

/// Whether to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// ANSI colours.
    On,
    /// Plain text.
    Off,
}

impl Colour {
    /// Colour when standard output is a terminal and `NO_COLOR` is not set.
    pub fn detect() -> Colour {
        use std::io::IsTerminal;
        if std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal()
        {
            Colour::On
        } else {
            Colour::Off
        }
    }

    /// Paint a standing's name.
    pub fn standing(self, s: Standing, text: &str) -> String {
        if self == Colour::Off {
            return text.to_string();
        }
        let code = match s {
            Standing::Achieved => "32",
            Standing::OnTrack => "36",
            Standing::AtRisk => "33",
            Standing::OffTrack => "1;31",
            Standing::Unknown => "35",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// A date as a report writes it: `31 Dec 2005`.
pub fn short_date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// A date in full, for prose: `31 December 2005`.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// An optional date, `unknown` when absent.
pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "unknown".to_string(), short_date)
}

/// A signed number of days, `-` when absent.
pub fn opt_days(d: Option<i64>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{d:+}"))
}

/// The first line of a text, cut to `max` characters with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= max {
        line.to_string()
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// An aligned table: each cell is (plain text, painted text); widths come from the plain text.
pub fn table(headers: &[&str], rows: &[Vec<(String, String)>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, (plain, _)) in row.iter().enumerate() {
            widths[i] = widths[i].max(plain.chars().count());
        }
    }
    let mut out = String::new();
    let last = headers.len() - 1;
    let line = |cells: Vec<(String, String)>, out: &mut String| {
        let mut s = String::from(" ");
        for (i, (plain, painted)) in cells.into_iter().enumerate() {
            s.push(' ');
            s.push_str(&painted);
            if i < last {
                s.push_str(&" ".repeat(widths[i] - plain.chars().count() + 1));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(headers.iter().map(|h| (h.to_string(), h.to_string())).collect(), &mut out);
    line(widths.iter().map(|w| ("-".repeat(*w), "-".repeat(*w))).collect(), &mut out);
    for row in rows {
        line(row.clone(), &mut out);
    }
    out
}

/// A plain cell.
pub fn cell(text: impl Into<String>) -> (String, String) {
    let t = text.into();
    (t.clone(), t)
}

/// Text as one cell of a Markdown table: read literally, on one line, pipes escaped.
pub fn md_cell(s: &str) -> String {
    super::document::escape_markdown(s, false).replace('|', "\\|")
}

/// A Markdown table.
pub fn markdown(headers: &[&str], rows: &[Vec<String>]) -> String {
    let head: Vec<String> = headers.iter().map(|h| md_cell(h)).collect();
    let mut out = format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(headers.len()));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A CSV file (RFC 4180 quoting).
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = headers.join(",");
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| field(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Whole pounds as a report writes them: `£150,000`.
pub fn gbp(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("£{out}")
}

/// A change in pounds with its sign: `+£1,250`, `-£300`, `£0`.
pub fn gbp_change(change: i64) -> String {
    match change {
        0 => "£0".to_string(),
        c if c > 0 => format!("+{}", gbp(c.unsigned_abs())),
        c => format!("-{}", gbp(c.unsigned_abs())),
    }
}

/// Slack in words: `31 days of slack`, `59 days late`, `slack unknown`.
pub fn slack_words(slack: Option<i64>) -> String {
    match slack {
        None => "slack unknown".to_string(),
        Some(d) if d < 0 => format!("{} late", days(-d)),
        Some(d) => format!("{} of slack", days(d)),
    }
}

/// A count of days in words: `1 day`, `92 days`.
pub fn days(n: i64) -> String {
    if n.abs() == 1 { format!("{n} day") } else { format!("{n} days") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_have_thousands_separators() {
        assert_eq!(gbp(0), "£0");
        assert_eq!(gbp(999), "£999");
        assert_eq!(gbp(150_000), "£150,000");
        assert_eq!(gbp(1_234_567), "£1,234,567");
        assert_eq!(gbp_change(-4_200), "-£4,200");
        assert_eq!(gbp_change(12), "+£12");
    }
}
