//! How routemap writes money, dates and counts of days, for reports and for the rules alike
//! (`pounds` and `long_date` in rule scripts): `£150,000`, `31 Dec 2005`, `92 days`.

use std::fmt;

use chrono::NaiveDate;

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

/// A value as a CSV cell holds it, empty when absent (dates as `2005-12-31`).
pub fn or_blank(v: Option<impl std::fmt::Display>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
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

/// Text written only when something displays it: `Deferred(|f| write!(f, "for `{id}`"))` costs
/// nothing on a path that never shows it (a message built only for an error).
pub struct Deferred<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result>(pub F);

impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Display for Deferred<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
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
