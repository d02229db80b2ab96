//! Target phrases as routemaps write them (`Dec 2004`, `To commence May 2005`, `None set`), and
//! their meaning. The convention throughout: a phrase means the latest date it allows.

use chrono::{Datelike, Months, NaiveDate};

use super::Span;

/// What a target phrase means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Target {
    /// Finish by this date.
    By(NaiveDate),
    /// Work starts on this date; it finishes after its duration.
    Starts(NaiveDate),
    /// On-going work, reviewed by a date where one is given.
    Ongoing(Option<NaiveDate>),
    /// Timescales to be determined.
    ToBeDetermined,
    /// No target: an empty cell, `-`, `None set`, `Not set`.
    #[default]
    Unset,
}

impl Target {
    /// The short name used in output and by rule scripts: `date`, `start`, `ongoing`, `tbd`,
    /// `unset`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::By(_) => "date",
            Target::Starts(_) => "start",
            Target::Ongoing(_) => "ongoing",
            Target::ToBeDetermined => "tbd",
            Target::Unset => "unset",
        }
    }

    /// The date the phrase names, if any.
    pub fn date(&self) -> Option<NaiveDate> {
        match *self {
            Target::By(d) | Target::Starts(d) | Target::Ongoing(Some(d)) => Some(d),
            _ => None,
        }
    }

    /// Parse a phrase. The error says what was expected.
    pub fn parse(phrase: &str) -> Result<Target, String> {
        let text = normalise(phrase);
        let t = text.as_str();
        if matches!(t, "" | "-" | "none set" | "not set" | "no initial timescales were set") {
            return Ok(Target::Unset);
        }
        if t.starts_with("to be determined")
            || t.starts_with("timescales to be determined")
            || t.starts_with("timescales to be set")
        {
            return Ok(Target::ToBeDetermined);
        }
        if let Some(rest) = strip_any(t, &["on-going", "ongoing"]) {
            let rest = rest.trim();
            if rest.is_empty() {
                return Ok(Target::Ongoing(None));
            }
            if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
                return date_clause(inner).map(|d| Target::Ongoing(Some(d)));
            }
            return Err(expected());
        }
        if let Some(rest) = strip_any(t, &["to commence in ", "to commence ", "will commence in "])
        {
            return date_clause(rest).map(Target::Starts);
        }
        // Two clauses such as `July 2004. SMS by Nov 2004`: the later date is the target.
        if t.contains(". ") {
            let mut latest: Option<NaiveDate> = None;
            for clause in t.split(". ") {
                let clause = clause.rsplit(" by ").next().unwrap_or(clause);
                let d = date_clause(clause)?;
                latest = Some(latest.map_or(d, |l| l.max(d)));
            }
            return latest.map(Target::By).ok_or_else(expected);
        }
        let t = strip_any(
            t,
            &["assessment of rolling programme - ", "assessment of rolling programme "],
        )
        .unwrap_or(t);
        date_clause(t).map(Target::By)
    }
}

fn expected() -> String {
    "expected a target phrase such as `Dec 2005`, `31st May 2005`, `End of Sept 2004`, \
     `Summer 2005`, `To commence May 2005`, `On-going`, `To be determined` or `None set` \
     (see docs/model.md)"
        .to_string()
}

/// Lower-case, single spaces, en and em dashes as `-`, and `1 st` joined to `1st`.
fn normalise(phrase: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in phrase.split_whitespace() {
        let word = word.replace(['–', '—'], "-").to_lowercase();
        let is_suffix = matches!(word.as_str(), "st" | "nd" | "rd" | "th");
        match words.last_mut() {
            Some(prev) if is_suffix && prev.chars().all(|c| c.is_ascii_digit()) => {
                prev.push_str(&word)
            }
            _ => words.push(word),
        }
    }
    words.join(" ").trim_end_matches('.').to_string()
}

fn strip_any<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| text.strip_prefix(p))
}

/// One date: `dec 2004`, `end of sept 2004`, `31st may 2005`, `summer 2005`, `2005`, `2005/06`.
fn date_clause(clause: &str) -> Result<NaiveDate, String> {
    let clause = clause.trim();
    let clause = clause.strip_prefix("end of ").unwrap_or(clause);
    let words: Vec<&str> = clause.split(' ').collect();
    match words.as_slice() {
        [year] => {
            if let Some((start, end)) = year.split_once('/') {
                // A financial year `2005/06` ends on 31 March of its second year.
                let start = parse_year(start)?;
                if end.len() != 2 || end.parse::<i32>().ok() != Some((start + 1) % 100) {
                    return Err(format!("`{year}` is not a financial year such as `2005/06`"));
                }
                ymd(start + 1, 3, 31)
            } else {
                ymd(parse_year(year)?, 12, 31)
            }
        }
        [word, year] => {
            let year = parse_year(year)?;
            if let Some(month) = month_number(word) {
                return last_day(year, month);
            }
            match *word {
                "spring" => ymd(year, 5, 31),
                "summer" => ymd(year, 8, 31),
                "autumn" => ymd(year, 11, 30),
                // Winter runs into the next year, which must be one routemap reads too.
                "winter" if year < MAX_YEAR => last_day(year + 1, 2),
                "winter" => Err(format!(
                    "Winter {year} ends in February {}, after {MAX_YEAR}, the last year routemap reads: write `Dec {year}` or `Winter {}`",
                    year + 1,
                    year - 1
                )),
                _ => Err(expected()),
            }
        }
        [day, month, year] => {
            let month = month_number(month).ok_or_else(expected)?;
            let year = parse_year(year)?;
            let day = day_number(day, month, year)?;
            NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
                let name = chrono::Month::try_from(month as u8).map(|m| m.name()).unwrap_or("");
                format!("{name} {year} has no day {day}")
            })
        }
        _ => Err(expected()),
    }
}

/// The first and last years routemap reads, in target phrases and in `YYYY-MM-DD` dates alike
/// (an issue date, an as-of date, a slip's date). A routemap is a document of the 2000s: a year
/// before 1900 is a mistake, most often a two-digit year (`05-04-13` read as the year 5), and one
/// after 2100 a typed-in extra digit. Stopping at 2100 also keeps every date the rules compute
/// from an input (a hundred-year span at most at a time) far inside the calendar chrono holds
/// (to the year 262,142), so that no date from the model is clamped at its end.
pub const MIN_YEAR: i32 = 1900;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 2100;

/// Why a `YYYY-MM-DD` date was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a date at all (`next week`, `2005-13-01`).
    NotADate,
    /// A date, but in a year routemap does not read: what is wrong, and what to write.
    Year(String, String),
}

/// Parse a date written `YYYY-MM-DD`, in the years routemap reads (see [`MIN_YEAR`]).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateProblem> {
    let t = text.trim();
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| DateProblem::NotADate)?;
    match year_problem(date, t) {
        Some((message, help)) => Err(DateProblem::Year(message, help)),
        None => Ok(date),
    }
}

/// What is wrong with `date`, written `written`, if its year is not one routemap reads: a
/// message and a help line that says what to write.
pub fn year_problem(date: NaiveDate, written: &str) -> Option<(String, String)> {
    let year = date.year();
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        return None;
    }
    let digits = written.trim().split('-').find(|p| !p.is_empty()).map_or(0, str::len);
    if (0..100).contains(&year) && digits <= 2 {
        let full = date.with_year(2000 + year).map_or_else(String::new, |d| d.to_string());
        return Some((
            format!("`{written}` has a two-digit year, which would be the year {year}"),
            format!("write the year in full: {full}"),
        ));
    }
    Some((
        format!(
            "`{written}` is in the year {year}, outside the years routemap reads ({MIN_YEAR} to {MAX_YEAR})"
        ),
        format!(
            "write a date from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31 as YYYY-MM-DD, the year in full"
        ),
    ))
}

fn parse_year(word: &str) -> Result<i32, String> {
    match word.parse::<i32>() {
        Ok(y) if (MIN_YEAR..=MAX_YEAR).contains(&y) && word.len() == 4 => Ok(y),
        // A number, but not a year routemap reads: say so, rather than that the phrase is unknown.
        _ if word.len() <= 2 && word.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
            "`{word}` is a two-digit year: write the year in full, four digits from {MIN_YEAR} to {MAX_YEAR} (`Dec 2005`, `2005/06`)"
        )),
        _ if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
            "`{word}` is not a year routemap reads: years are four digits from {MIN_YEAR} to {MAX_YEAR} (`Dec 2005`)"
        )),
        _ => Err(expected()),
    }
}

/// A day of the month as written: `31`, or `31st` with the ordinal suffix its number takes
/// (`1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`...). Anything else (`1stt`, `1xyz`) is refused with
/// the form routemap reads, never guessed at.
fn day_number(word: &str, month: u32, year: i32) -> Result<u32, String> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &word[digits.len()..];
    let month_name = chrono::Month::try_from(month as u8).map(|m| m.name()).unwrap_or("");
    let day: u32 = match digits.parse() {
        Ok(d) if digits.len() <= 2 => d,
        _ => return Err(expected()),
    };
    let ordinal = match (day % 100, day % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    if !suffix.is_empty() && suffix != ordinal {
        return Err(format!(
            "`{word}` is not a day of the month: write `{day}{ordinal} {month_name} {year}` or `{day} {month_name} {year}`"
        ));
    }
    Ok(day)
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.trim_end_matches('.');
    if word.len() < 3 {
        return None;
    }
    // Full names and the abbreviations routemaps use: `Dec`, `Sept`, `Sep`.
    MONTHS.iter().position(|m| m.starts_with(word)).map(|i| i as u32 + 1)
}

fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, String> {
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(expected)
}

fn last_day(year: i32, month: u32) -> Result<NaiveDate, String> {
    let first = ymd(year, month, 1)?;
    Ok(first + Months::new(1) - chrono::Days::new(1))
}

/// `3m`, `90d`, `1m10d`, `0d`.
impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.months, self.days) {
            (m, 0) if m > 0 => write!(f, "{m}m"),
            (0, d) => write!(f, "{d}d"),
            (m, d) => write!(f, "{m}m{d}d"),
        }
    }
}

impl Span {
    /// The longest span routemap accepts: a hundred years.
    pub const MAX_DAYS: u32 = 36_525;

    /// Parse a length of time: `90d`, `6w`, `3m`, with an optional leading `+`; at most a
    /// hundred years.
    pub fn parse(text: &str) -> Result<Span, String> {
        let t = text.trim();
        let t = t.strip_prefix('+').unwrap_or(t);
        let err = || {
            format!(
                "`{text}` is not a length of time: expected a number and d, w or m, such as `90d`, `6w` or `3m`"
            )
        };
        let unit = t.chars().last().ok_or_else(err)?;
        let n: u32 = t[..t.len() - unit.len_utf8()].parse().map_err(|_| err())?;
        let span = match unit {
            'd' => Span { months: 0, days: n },
            'w' => Span { months: 0, days: n.saturating_mul(7) },
            'm' => Span { months: n, days: 0 },
            _ => return Err(err()),
        };
        if span.months > Self::MAX_DAYS / 30 || span.days > Self::MAX_DAYS {
            return Err(format!("`{text}` is longer than a hundred years"));
        }
        Ok(span)
    }

    /// Its length in days counting a month as 30: for putting spans in order, not for dates.
    pub fn approx_days(self) -> u64 {
        u64::from(self.months) * 30 + u64::from(self.days)
    }

    /// The sum of two spans (months and days added separately).
    pub fn plus(self, other: Span) -> Span {
        Span {
            months: self.months.saturating_add(other.months),
            days: self.days.saturating_add(other.days),
        }
    }

    /// Add this span to a date: calendar months first (end of month kept), then days. A sum
    /// beyond the calendar's end gives its last day.
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        self.checked_after(date).unwrap_or(NaiveDate::MAX)
    }

    /// Add this span to a date as [`Span::after`] does, or `None` past the calendar's end.
    pub fn checked_after(self, date: NaiveDate) -> Option<NaiveDate> {
        if self.months == 0 {
            // Most lags are days or nothing: no calendar months to count.
            return date.checked_add_days(chrono::Days::new(u64::from(self.days)));
        }
        let is_month_end = date.succ_opt().is_some_and(|n| n.month() != date.month());
        let mut d = date.checked_add_months(Months::new(self.months))?;
        if is_month_end && self.months > 0 {
            d = last_day(d.year(), d.month()).unwrap_or(d);
        }
        d.checked_add_days(chrono::Days::new(u64::from(self.days)))
    }

    /// Subtract this span from a date: days first, then calendar months (end of month kept). A
    /// difference before the calendar's start gives its first day.
    pub fn before(self, date: NaiveDate) -> NaiveDate {
        let Some(d) = date.checked_sub_days(chrono::Days::new(u64::from(self.days))) else {
            return NaiveDate::MIN;
        };
        let is_month_end = d.succ_opt().is_some_and(|n| n.month() != d.month());
        let Some(mut back) = d.checked_sub_months(Months::new(self.months)) else {
            return NaiveDate::MIN;
        };
        if is_month_end && self.months > 0 {
            back = last_day(back.year(), back.month()).unwrap_or(back);
        }
        back
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(y: i32, m: u32, d: u32) -> Target {
        Target::By(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_form_the_seed_uses() {
        let cases = [
            ("Dec 2004", by(2004, 12, 31)),
            ("Sept 2004", by(2004, 9, 30)),
            ("December 2005", by(2005, 12, 31)),
            ("Feb 2005", by(2005, 2, 28)),
            ("June 2005", by(2005, 6, 30)),
            ("End of August 2004", by(2004, 8, 31)),
            ("End of Sept 2004", by(2004, 9, 30)),
            ("End of May 2005", by(2005, 5, 31)),
            ("31st May 2005", by(2005, 5, 31)),
            ("31 st May 2005", by(2005, 5, 31)),
            ("1st April 2005", by(2005, 4, 1)),
            ("1 st April 2005", by(2005, 4, 1)),
            ("2005", by(2005, 12, 31)),
            ("2000", by(2000, 12, 31)),
            ("Summer 2005", by(2005, 8, 31)),
            ("Assessment of rolling programme - March 2006", by(2006, 3, 31)),
            ("Assessment of rolling programme March 2006", by(2006, 3, 31)),
            ("July 2004. SMS by Nov 2004", by(2004, 11, 30)),
            ("None set", Target::Unset),
            ("Not set", Target::Unset),
            ("-", Target::Unset),
            ("", Target::Unset),
            ("No initial timescales were set", Target::Unset),
            ("To be determined", Target::ToBeDetermined),
            ("Timescales to be determined", Target::ToBeDetermined),
            (
                "Timescales to be set – upon completion of the consultation stage",
                Target::ToBeDetermined,
            ),
            (
                "To be determined as part of the Document mgt project – to commence August 2005",
                Target::ToBeDetermined,
            ),
            ("On-going", Target::Ongoing(None)),
            ("On-going (March 2006)", Target::Ongoing(Some(date(2006, 3, 31)))),
            ("To commence in August 2005", Target::Starts(date(2005, 8, 31))),
            ("To commence May 2005", Target::Starts(date(2005, 5, 31))),
            ("Will commence in 2005/06", Target::Starts(date(2006, 3, 31))),
        ];
        for (phrase, want) in cases {
            assert_eq!(Target::parse(phrase), Ok(want), "{phrase}");
        }
    }

    #[test]
    fn impossible_and_unknown_phrases_are_errors() {
        let err = Target::parse("30 February 2005").unwrap_err();
        assert_eq!(err, "February 2005 has no day 30");
        assert!(Target::parse("Decembre 2005").unwrap_err().contains("expected a target phrase"));
        assert!(Target::parse("soon").is_err());
        assert!(Target::parse("2005/07").is_err());
        assert!(Target::parse("Ma 2005").is_err());
    }

    #[test]
    fn a_day_with_a_wrong_suffix_is_refused_with_the_form_to_write() {
        let err = Target::parse("1stt May 2005").unwrap_err();
        assert_eq!(err, "`1stt` is not a day of the month: write `1st May 2005` or `1 May 2005`");
        assert!(Target::parse("1xyz May 2005").unwrap_err().contains("`1st May 2005`"));
        assert!(Target::parse("2st May 2005").unwrap_err().contains("`2nd May 2005`"));
        assert!(Target::parse("11st May 2005").unwrap_err().contains("`11th May 2005`"));
        assert!(Target::parse("001 May 2005").is_err());
        assert_eq!(Target::parse("22nd July 2004"), Ok(by(2004, 7, 22)));
        assert_eq!(Target::parse("13th May 2005"), Ok(by(2005, 5, 13)));
        assert_eq!(Target::parse("3 May 2005"), Ok(by(2005, 5, 3)));
    }

    #[test]
    fn winter_of_the_last_year_is_refused() {
        assert_eq!(Target::parse("Winter 2099"), Ok(by(2100, 2, 28)));
        let err = Target::parse("Winter 2100").unwrap_err();
        assert!(err.contains("after 2100"), "{err}");
        assert!(err.contains("`Winter 2099`"), "{err}");
    }

    #[test]
    fn dates_are_in_the_years_routemap_reads() {
        assert_eq!(parse_date("2005-04-13"), Ok(date(2005, 4, 13)));
        assert_eq!(parse_date(" 1900-01-01 "), Ok(date(1900, 1, 1)));
        assert_eq!(parse_date("2100-12-31"), Ok(date(2100, 12, 31)));
        assert_eq!(parse_date("next week"), Err(DateProblem::NotADate));
        assert_eq!(
            parse_date("05-04-13"),
            Err(DateProblem::Year(
                "`05-04-13` has a two-digit year, which would be the year 5".into(),
                "write the year in full: 2005-04-13".into()
            ))
        );
        assert_eq!(parse_date("20050-04-13"), Err(DateProblem::NotADate));
        for far in ["+262142-12-31", "1899-12-31", "2101-01-01", "0205-04-13"] {
            match parse_date(far) {
                Err(DateProblem::Year(message, _)) => {
                    assert!(message.contains("outside"), "{message}")
                }
                other => panic!("{far}: {other:?}"),
            }
        }
        // Target phrases read the same years, four digits each.
        for phrase in ["Dec 05", "31st May 05", "05/06", "Dec 20050", "2101", "Summer 1899"] {
            assert!(Target::parse(phrase).is_err(), "{phrase}");
        }
    }

    #[test]
    fn spans_parse_and_keep_month_ends() {
        assert_eq!(Span::parse("+90d"), Ok(Span { months: 0, days: 90 }));
        assert_eq!(Span::parse("6w"), Ok(Span { months: 0, days: 42 }));
        assert_eq!(Span::parse("+3m"), Ok(Span { months: 3, days: 0 }));
        assert!(Span::parse("3y").is_err());
        assert!(Span::parse("m").is_err());
        let three = Span { months: 3, days: 0 };
        assert_eq!(three.after(date(2005, 5, 31)), date(2005, 8, 31));
        assert_eq!(three.after(date(2005, 11, 30)), date(2006, 2, 28));
        assert_eq!(three.after(date(2005, 2, 28)), date(2005, 5, 31));
        assert_eq!(three.after(date(2005, 1, 15)), date(2005, 4, 15));
    }
}
