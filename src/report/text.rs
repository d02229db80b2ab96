//! Shared pieces of the human-readable formats: aligned tables, colour, dates and amounts.

use super::render::{Colour, Terminal};
use super::standing::{ASSUMED_LEGEND, status_words};
use crate::assess::Standing;
pub use crate::format::{
    days, gbp, gbp_change, long_date, opt_date, opt_days, or_blank, short_date, slack_words,
};

/// "6 achieved, 2 on track, 11 at risk...": counts by standing, in words, the zero counts left
/// out (all of them when everything is zero).
pub fn counts_line(counts: &[(Standing, usize)], colour: Colour) -> String {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| colour.standing(*s, &format!("{n} {}", status_words(*s))))
        .collect();
    if parts.is_empty() { "none".to_string() } else { parts.join(", ") }
}

/// Text for a terminal `width` columns wide: the heading line (the first), the lines of a list
/// (`  - ...`: assumptions, follow-on times) and the legend of
/// [`super::standing::ASSUMED_MARK`] longer than that are broken at spaces, each
/// continuation indented under the line's text. Table rows are fitted already, and other lines
/// (one line a record, such as a rule test's) are left whole. Colour sequences take no columns;
/// a word longer than the width is left whole.
pub fn wrap(text: &str, width: u16) -> String {
    let width = usize::from(width);
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let (body, end) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let listed = (body.trim_start().starts_with("- ") && body.starts_with(' '))
            || body.starts_with(ASSUMED_LEGEND.split(' ').next().unwrap_or("*"));
        if shown_len(body) <= width || (n > 0 && !listed) {
            out.push_str(line);
            continue;
        }
        let lead = body.len() - body.trim_start().len();
        let bullet = if body[lead..].starts_with("- ") { 2 } else { 0 };
        let indent = " ".repeat(lead + bullet + if bullet == 0 && lead == 0 { 2 } else { 0 });
        let mut current = String::from(&body[..lead]);
        let mut used = lead;
        for (i, word) in body[lead..].split(' ').enumerate() {
            let w = shown_len(word);
            if i > 0 && used + 1 + w > width && used > indent.len() {
                out.push_str(current.trim_end());
                out.push('\n');
                current = indent.clone();
                used = indent.len();
            } else if i > 0 {
                current.push(' ');
                used += 1;
            }
            current.push_str(word);
            used += w;
        }
        out.push_str(current.trim_end());
        out.push_str(end);
    }
    out
}

/// [`wrap`] applied to every line of `text` on its own: for prose of several lines (a headline
/// of counts, a paragraph before a table), each line wrapped to the width with its
/// continuation indented.
pub fn wrap_lines(text: &str, width: u16) -> String {
    text.split_inclusive('\n').map(|line| wrap(line, width)).collect()
}

/// The columns a line takes on a terminal: its characters, less routemap's colour sequences.
fn shown_len(s: &str) -> usize {
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
}

/// The first line of a text, cut to `max` characters with an ellipsis: at the end of a word
/// where one ends in the last third, else mid-word.
pub fn clip(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() <= max {
        line.to_string()
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        let next = line.chars().nth(max.saturating_sub(1));
        let at_word_end = next.is_some_and(char::is_whitespace);
        let words = match cut.rfind(char::is_whitespace) {
            Some(at) if !at_word_end && cut[..at].chars().count() * 3 >= max * 2 => &cut[..at],
            _ => &cut,
        };
        let words = words.trim_end_matches(|c: char| c.is_whitespace() || ",;:–-(".contains(c));
        format!("{words}…")
    }
}

/// An aligned table fitted to the terminal's width: each cell is (plain text, painted text).
/// Short columns (codes, statuses, dates, numbers) keep their width; when the table is too wide,
/// the long text columns are narrowed and a cut cell ends in `…`, so every row stays on one
/// line.
pub fn table(t: &Terminal, headers: &[&str], rows: &[Vec<(String, String)>]) -> String {
    table_in(t.width, headers, rows, false)
}

/// [`table`] that, where narrowing is not enough, leaves out middle columns (the right-most
/// first; the first two and the last stay) and says so under the table: for tables whose
/// middle columns a reader can spare (the forecast's "driven by").
pub fn table_fitted(t: &Terminal, headers: &[&str], rows: &[Vec<(String, String)>]) -> String {
    table_in(t.width, headers, rows, true)
}

/// A column no wider than this is never narrowed.
const KEEP_WIDTH: usize = 28;

/// [`table`] at a given width.
pub fn table_in(
    width: u16,
    headers: &[&str],
    rows: &[Vec<(String, String)>],
    may_drop: bool,
) -> String {
    use comfy_table::{CellAlignment, ContentArrangement, LineStyle, Row, Table, TableStyle};
    let len = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|h| len(h)).collect();
    for row in rows {
        for (i, (plain, _)) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(len(&super::escape::terminal(plain)));
            }
        }
    }
    // Each column takes its width and two spaces; the line starts with one more.
    let available = usize::from(width).saturating_sub(2 + 2 * widths.len());
    let floor = |i: usize| len(headers[i]).max(12);
    let shrinkable: Vec<bool> = widths.iter().map(|w| *w > KEEP_WIDTH).collect();
    let full = widths.clone();
    // First the right-most long columns, down to a readable width (the key columns are on the
    // left); then the widest, down to their floor.
    for i in (0..widths.len()).rev().filter(|&i| shrinkable[i]) {
        let excess = widths.iter().sum::<usize>().saturating_sub(available);
        let readable = floor(i).max(24);
        widths[i] -= excess.min(widths[i].saturating_sub(readable));
    }
    while widths.iter().sum::<usize>() > available {
        let widest = (0..widths.len())
            .filter(|&i| shrinkable[i] && widths[i] > floor(i))
            .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
    // Still too wide: leave out middle columns, the right-most first (the first two and the
    // last stay), and say so under the table.
    let mut shown: Vec<bool> = vec![true; widths.len()];
    fn need(widths: &[usize], shown: &[bool]) -> usize {
        let cols = (0..widths.len()).filter(|&i| shown[i]);
        cols.clone().map(|i| widths[i]).sum::<usize>() + 2 * cols.count() + 2
    }
    let mut dropped = Vec::new();
    while may_drop && need(&widths, &shown) > usize::from(width) {
        match (2..widths.len().saturating_sub(1)).rev().find(|&i| shown[i]) {
            Some(i) => {
                shown[i] = false;
                dropped.insert(0, headers[i]);
            }
            None => break,
        }
    }
    // Give what the left-out columns freed to the narrowed ones.
    if !dropped.is_empty() {
        for i in 0..widths.len() {
            if shown[i] && shrinkable[i] {
                let spare = usize::from(width).saturating_sub(need(&widths, &shown));
                widths[i] = (widths[i] + spare).min(full[i]);
            }
        }
    }
    // A cell's text is shown with its control characters escaped; a painted cell was escaped
    // before it was painted (`Colour`).
    let fit = |i: usize, (plain, painted): &(String, String)| -> String {
        let shown = super::escape::terminal(plain);
        if len(&shown) > widths[i] {
            clip(&shown, widths[i])
        } else if plain == painted {
            shown.into_owned()
        } else {
            painted.clone()
        }
    };
    let keep = |cells: Vec<String>| -> Vec<String> {
        cells.into_iter().enumerate().filter(|(i, _)| shown[*i]).map(|(_, c)| c).collect()
    };
    let mut t = Table::new();
    t.load_style(TableStyle::new().header_separator(LineStyle::none().fill('-').junction(' ')));
    t.set_content_arrangement(ContentArrangement::Disabled);
    let coloured = rows.iter().flatten().any(|(plain, painted)| plain != painted);
    if coloured {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t.set_header(Row::from(keep(
        headers.iter().enumerate().map(|(i, h)| fit(i, &cell(*h))).collect(),
    )));
    for row in rows {
        t.add_row(Row::from(keep(row.iter().enumerate().map(|(i, c)| fit(i, c)).collect())));
    }
    for column in t.column_iter_mut() {
        column.set_padding((1, 0));
        column.set_cell_alignment(CellAlignment::Left);
    }
    let mut out = String::new();
    for line in t.lines() {
        out.push(' ');
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !dropped.is_empty() {
        out.push_str(&format!(
            "  ({} left out to fit {width} columns; --format csv has every column)\n",
            dropped.join(", ")
        ));
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
    super::escape::markdown_cell(s)
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

/// A CSV file (RFC 4180 quoting, by the csv crate), a header row then one row each.
pub fn csv(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let cell = |s: &&str| super::escape::csv_cell(s).into_owned();
    let _ = w.write_record(headers.iter().map(cell));
    for row in rows {
        let _ = w.write_record(row.iter().map(|s| cell(&s.as_str())));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_at_a_word_end_when_one_is_near() {
        assert_eq!(clip("Customer Service Centre extended hours", 30), "Customer Service Centre…");
        assert_eq!(clip("short", 30), "short");
        assert_eq!(clip("document-management-and-scanning", 12), "document-ma…");
        assert_eq!(clip("Community safety - Local authority", 20), "Community safety…");
    }

    #[test]
    fn long_lines_wrap_to_the_width() {
        let text = "Forecast: Charnwood Borough Council Version 3 Awaiting approval (model 1234)\n  - an assumption that is long enough to wrap here\nshort\na record line that is longer than thirty columns\n";
        let wrapped = wrap(text, 30);
        assert_eq!(
            wrapped,
            "Forecast: Charnwood Borough\n  Council Version 3 Awaiting\n  approval (model 1234)\n  - an assumption that is long\n    enough to wrap here\nshort\na record line that is longer than thirty columns\n"
        );
        assert_eq!(wrap("\u{1b}[31mred\u{1b}[0m words", 9), "\u{1b}[31mred\u{1b}[0m words");
        assert_eq!(wrap("averyveryverylongword x", 5), "averyveryverylongword\n  x");
    }

    #[test]
    fn tables_fit_their_width() {
        let rows =
            vec![vec![cell("R1"), cell("a long title that will not fit in the width given")]];
        let t = table_in(30, &["code", "title"], &rows, false);
        assert!(t.lines().all(|l| l.chars().count() <= 30), "{t}");
        assert!(t.contains('…'), "{t}");
        let wide = table_in(200, &["code", "title"], &rows, false);
        assert!(wide.contains("the width given"), "{wide}");
        let rows = vec![vec![cell("R1"), cell("x".repeat(20)), cell("y".repeat(20)), cell("z")]];
        assert!(table_in(30, &["code", "a", "b", "c"], &rows, false).contains("yyy"));
        let t = table_in(30, &["code", "a", "b", "c"], &rows, true);
        assert!(!t.contains("yyy"), "{t}");
        assert!(t.contains("(b left out to fit 30 columns"), "{t}");
    }
}
