//! Diagnostics: every error a user can cause, with its place in the file, rendered in one place.

use std::fmt;

/// Where in a file something is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (or the embedded file's name).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The text of that line, for the snippet: the whole line, or a window of at most
    /// [`QUOTED_CHARS`] characters of it around the column when the line is longer (a one-line
    /// JSON file is a single line of many megabytes).
    pub source_line: String,
    /// How many characters the caret underlines.
    pub width: usize,
    /// How many characters of the line were cut before `source_line` (0: it starts the line).
    pub cut_before: usize,
    /// Whether the line goes on after `source_line`.
    pub cut_after: bool,
}

/// The most characters of a line a snippet quotes: a longer line is cut around the column, and
/// the cut shown (`…`), so that a diagnostic's size does not grow with its line.
pub const QUOTED_CHARS: usize = 120;

/// How many characters of the line a cut snippet keeps before the column.
const QUOTED_BEFORE: usize = 40;

impl Location {
    /// The location of `column` (1-based, in characters) of `line` (1-based), whose text is
    /// `text`: the snippet quotes a window of the text around the column when it is long.
    pub fn new(file: &str, line: usize, column: usize, text: &str, width: usize) -> Self {
        let offset = if text.len() <= QUOTED_CHARS {
            0
        } else {
            text.char_indices().nth(column.saturating_sub(1)).map_or(text.len(), |(i, _)| i)
        };
        Location::at_offset(file, line, column, text, offset, width)
    }

    /// As [`Location::new`], for a caller that also knows the byte `offset` of the column's
    /// character in `text`: a long line is then not walked from its start.
    pub fn at_offset(
        file: &str,
        line: usize,
        column: usize,
        text: &str,
        offset: usize,
        width: usize,
    ) -> Self {
        let (cut_before, quoted, cut_after) = window(text, offset, column);
        Location {
            file: file.to_string(),
            line,
            column,
            source_line: quoted.to_string(),
            width,
            cut_before,
            cut_after,
        }
    }
}

/// The window a snippet quotes of the line `text` for a caret at byte `offset`, the line's
/// 1-based character `column`: how many characters are cut before it, the window, and whether
/// the line goes on after it. Only the characters near the offset are looked at.
fn window(text: &str, offset: usize, column: usize) -> (usize, &str, bool) {
    if text.len() <= QUOTED_CHARS {
        return (0, text, false);
    }
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // Up to QUOTED_BEFORE characters before the caret...
    let mut start = offset;
    let mut back = 0;
    for (i, _) in text[..offset].char_indices().rev().take(QUOTED_BEFORE) {
        start = i;
        back += 1;
    }
    // ...and as many after as fill the window...
    let mut end = start;
    let mut n = 0;
    for c in text[start..].chars().take(QUOTED_CHARS) {
        end += c.len_utf8();
        n += 1;
    }
    // ...or, near the end of the line, more before.
    for (i, _) in text[..start].char_indices().rev().take(QUOTED_CHARS - n) {
        start = i;
        back += 1;
    }
    let cut_before = if start == 0 { 0 } else { column.saturating_sub(1).saturating_sub(back) };
    (cut_before, &text[start..end], end < text.len())
}

/// One error, with its location when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong, saying what was found.
    pub message: String,
    /// Where (boxed, so that results carrying a diagnostic stay small).
    pub location: Option<Box<Location>>,
    /// What was expected, or how to fix it.
    pub help: Option<String>,
    /// Labels and other places, for the few diagnostics that have them (boxed, to keep the
    /// common diagnostic small).
    pub marks: Option<Box<Marks>>,
}

/// A diagnostic's labels: one beside its caret, and other places the problem involves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// A short label beside the caret of the diagnostic's location.
    pub label: Option<String>,
    /// Other places, each with its label (the other entries of a cycle).
    pub also: Vec<(Location, String)>,
}

impl Diagnostic {
    /// A diagnostic with no location (usage errors, unreadable files).
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic { message: message.into(), location: None, help: None, marks: None }
    }

    /// Attach a location.
    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location.map(Box::new);
        self
    }

    /// Attach help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Label the caret of the location.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.marks.get_or_insert_default().label = Some(label.into());
        self
    }

    /// Add another place the problem involves, with its label.
    pub fn also(mut self, location: Option<Location>, label: impl Into<String>) -> Self {
        if let Some(l) = location {
            self.marks.get_or_insert_default().also.push((l, label.into()));
        }
        self
    }

    /// Put `prefix` before the message (`--slip `).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}{}", self.message);
        self
    }
}

impl Diagnostic {
    /// The diagnostic rendered as a warning rather than an error.
    pub fn warning(&self) -> String {
        struct AsWarning<'a>(&'a Diagnostic);
        impl fmt::Display for AsWarning<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.render(f, "warning")
            }
        }
        AsWarning(self).to_string()
    }

    fn render(&self, f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
        // Text quoted from a file or a rule may hold control characters: they are shown as
        // escapes, never sent to the terminal.
        writeln!(f, "{label}: {}", escape_controls(&self.message))?;
        // Line numbers of every snippet share one width.
        let (label, also) = match &self.marks {
            Some(m) => (m.label.as_deref(), m.also.as_slice()),
            None => (None, &[][..]),
        };
        let width = self
            .location
            .as_deref()
            .into_iter()
            .chain(also.iter().map(|(l, _)| l))
            .map(|l| l.line.to_string().len())
            .max()
            .unwrap_or(0);
        if let Some(loc) = &self.location {
            snippet(f, loc, width, "-->", '^', label)?;
        }
        for (loc, text) in also {
            writeln!(f, "{} |", " ".repeat(width))?;
            snippet(f, loc, width, ":::", '-', Some(text))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{} = help: {}", " ".repeat(width), escape_controls(help))?;
        }
        Ok(())
    }
}

/// Whether `c` would act on the terminal rather than show: a control character other than tab
/// and line feed (an escape starts a colour or moves the cursor, a carriage return overwrites
/// the line), or a bidirectional control, which reorders what follows it.
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n'))
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from a file as a diagnostic shows it: each character that would act on the terminal
/// shown as U+FFFD instead, one for one, so that a hostile file cannot colour, move or reorder
/// what the user reads, and carets stay under their columns.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(acts_on_terminal) {
        text.chars().map(|c| if acts_on_terminal(c) { '\u{fffd}' } else { c }).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One located snippet: the file and place, the source line, and a marker under the token.
fn snippet(
    f: &mut fmt::Formatter<'_>,
    loc: &Location,
    width: usize,
    arrow: &str,
    mark: char,
    label: Option<&str>,
) -> fmt::Result {
    let pad = " ".repeat(width);
    writeln!(f, "{pad}{arrow} {}:{}:{}", loc.file, loc.line, loc.column)?;
    writeln!(f, "{pad} |")?;
    // A cut line shows its cuts, each as one character the caret's indent counts.
    let (before, after) =
        (if loc.cut_before > 0 { "…" } else { "" }, if loc.cut_after { "…" } else { "" });
    writeln!(f, "{:>width$} | {before}{}{after}", loc.line, shown(loc.source_line.trim_end()))?;
    let into = loc.column.saturating_sub(1).saturating_sub(loc.cut_before);
    let indent: String = before
        .chars()
        .map(|_| ' ')
        .chain(loc.source_line.chars().take(into).map(|c| if c == '\t' { '\t' } else { ' ' }))
        .collect();
    // Under a cut line, the marks stop where the quoted text does.
    let width = if loc.cut_after {
        loc.width.min(loc.source_line.chars().count().saturating_sub(into))
    } else {
        loc.width
    };
    let marks = mark.to_string().repeat(width.max(1));
    match label {
        Some(l) => writeln!(f, "{pad} | {indent}{marks} {}", escape_controls(l)),
        None => writeln!(f, "{pad} | {indent}{marks}"),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f, "error")
    }
}

/// A failed run: one or more diagnostics. The binary prints them and exits with code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// A failure with one unlocated message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error { diagnostics: vec![Diagnostic::new(message)] }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error { diagnostics: vec![d] }
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Error { diagnostics }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if self.diagnostics.len() > 1 {
            writeln!(f, "\n{} errors", self.diagnostics.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// A file error's reason without the OS error number.
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_lowercase(),
        None => text,
    }
}

/// `text` with every control character but tab and line feed (and the non-characters U+FFFE and
/// U+FFFF) written as an escape, `\u{1b}`: text from a rule script or a file, quoted in a
/// message, can then never drive the terminal it is shown on.
pub fn escape_controls(text: &str) -> String {
    let shows = |c: char| unprintable(c) || acts_on_terminal(c);
    if !text.chars().any(shows) {
        return text.to_string();
    }
    text.chars()
        .map(|c| if shows(c) { format!("\\u{{{:x}}}", u32::from(c)) } else { c.to_string() })
        .collect()
}

/// Whether `c` must not reach a terminal, a CSV file or an XML file: a control character other
/// than tab and line feed (C0, DEL and C1; ESC starts a terminal's escape sequences), or one of
/// the non-characters U+FFFE and U+FFFF, which XML forbids.
pub fn unprintable(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `text` cut to at most `n` characters, with `...` where it was cut: for quoting user text
/// that may be of any length.
pub fn clip(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_string(),
    }
}

/// The longest text "did you mean" compares (in characters): its work grows with the product of
/// the two lengths, and nothing that long is a typo of an id.
const MAX_SUGGEST_CHARS: usize = 200;

/// The ids among `candidates` closest to `wanted`, for "did you mean" help (at most three).
/// The work is bounded: nothing is suggested for a `wanted` over 200 characters, and candidates
/// whose length alone puts them out of reach are not compared.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted_chars = wanted.chars().count();
    if wanted_chars > MAX_SUGGEST_CHARS {
        return Vec::new();
    }
    let limit = (wanted_chars / 3).max(2);
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort_unstable();
        v
    };
    let letters = sorted(wanted);
    // Closest first; among equals, the same letters rearranged (a swap), then the same length.
    let mut scored: Vec<(usize, bool, usize, &str)> = candidates
        .into_iter()
        .filter(|c| {
            let n = c.chars().count();
            n <= MAX_SUGGEST_CHARS
                && (n.abs_diff(wanted_chars) <= limit || c.contains(wanted) || wanted.contains(c))
        })
        .map(|c| {
            (edit_distance(wanted, c), sorted(c) != letters, c.len().abs_diff(wanted.len()), c)
        })
        .filter(|(d, _, _, c)| *d <= limit || c.contains(wanted) || wanted.contains(c))
        .collect();
    scored.sort();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, _, _, c)| c).collect()
}

/// Edit distance over characters, counting a swap of neighbours as one edit (optimal string
/// alignment), so that `R82` is one edit from `R28`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// A "did you mean" sentence, or a fallback when nothing is close.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let near = nearest(wanted, candidates);
    if near.is_empty() {
        "no id is close to it; `routemap graph --format json` lists every id".to_string()
    } else {
        let quoted: Vec<String> = near.iter().map(|c| format!("`{c}`")).collect();
        format!("did you mean {}?", quoted.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_changes() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(edit_distance("R82", "R28"), 1);
    }

    #[test]
    fn nearest_ranks_by_distance() {
        let ids = ["document-management", "fms-replacement", "e-forms", "10.2"];
        assert_eq!(nearest("document-managment", ids), vec!["document-management"]);
        assert_eq!(nearest("e-form", ids), vec!["e-forms"]);
        assert!(nearest("zzzzzzzz", ids).is_empty());
    }

    #[test]
    fn nearest_does_no_work_for_text_no_id_is_like() {
        // A 10,000-character id is no typo of a slug: nothing is compared.
        let long = "x".repeat(10_000);
        assert!(nearest(&long, ["x", "xx", long.as_str()]).is_empty());
        // Candidates over the limit are never compared either.
        assert!(nearest("xx", [long.as_str()]).is_empty());
        assert_eq!(clip("abcdef", 3), "abc...");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn text_that_would_act_on_the_terminal_is_shown_inert() {
        let d = Diagnostic::new("bad `\u{1b}[31mred`")
            .at(Some(Location::new("m.yaml", 1, 8, "a: \"x\u{202e}y\u{7}\"", 2)))
            .help("tab\tstays");
        assert_eq!(
            d.to_string(),
            "error: bad `\\u{1b}[31mred`\n --> m.yaml:1:8\n  |\n1 | a: \"x\u{fffd}y\u{fffd}\"\n  |        ^^\n  = help: tab\tstays\n"
        );
    }

    #[test]
    fn renders_caret_under_the_column() {
        let d = Diagnostic::new("bad thing")
            .at(Some(Location::new("m.yaml", 3, 5, "  x: oops", 4)))
            .help("do better");
        assert_eq!(
            d.to_string(),
            "error: bad thing\n --> m.yaml:3:5\n  |\n3 |   x: oops\n  |     ^^^^\n  = help: do better\n"
        );
    }

    #[test]
    fn a_long_line_is_quoted_in_a_window_around_its_column() {
        // A line of 1,000 characters, the token at column 501.
        let line = format!("{}TOKEN{}", "a".repeat(500), "b".repeat(495));
        let at = Location::new("m.json", 1, 501, &line, 5);
        assert_eq!((at.cut_before, at.cut_after), (460, true));
        assert_eq!(at.source_line.chars().count(), QUOTED_CHARS);
        let shown = Diagnostic::new("bad").at(Some(at.clone())).to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[1], " --> m.json:1:501");
        let quoted = lines[3];
        let caret = lines[4];
        assert!(quoted.starts_with("1 | …") && quoted.ends_with('…'), "{quoted}");
        // The caret stands under the token, and its marks stop with the quoted text.
        let col = |s: &str, find: &str| s.find(find).map(|i| s[..i].chars().count());
        assert_eq!(col(quoted, "TOKEN"), col(caret, "^"));
        assert!(caret.ends_with("^^^^^"), "{caret}");
        // The same window from the byte offset, without walking the line.
        assert_eq!(Location::at_offset("m.json", 1, 501, &line, 500, 5), at);
        // Near the end, the window is kept full; near the start, it starts the line.
        let end = Location::new("m.json", 1, 998, &line, 1);
        assert_eq!((end.cut_before, end.cut_after), (1000 - QUOTED_CHARS, false));
        let start = Location::new("m.json", 1, 3, &line, 2000);
        assert_eq!((start.cut_before, start.cut_after), (0, true));
        let caret = Diagnostic::new("x").at(Some(start)).to_string();
        let marks = caret.lines().nth(4).unwrap_or("").matches('^').count();
        assert_eq!(marks, QUOTED_CHARS - 2);
        // A line of many-byte characters is cut on character boundaries.
        let wide = "é".repeat(300);
        let at = Location::new("m.yaml", 1, 200, &wide, 1);
        assert_eq!(at.source_line.chars().count(), QUOTED_CHARS);
        assert_eq!(at.cut_before, 159);
        // A short line is quoted whole.
        let short = Location::new("m.yaml", 1, 3, "a: b", 1);
        assert_eq!(
            (short.source_line.as_str(), short.cut_before, short.cut_after),
            ("a: b", 0, false)
        );
    }
}
