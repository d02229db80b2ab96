//! A small document model for prose reports, written as Markdown or as one self-contained HTML
//! file that prints on A4.

use crate::assess::Standing;
use crate::model::Level;
use chrono::NaiveDate;

/// A run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Bold text.
    Strong(String),
}

/// How a date cell is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// `31 December 2005`, for prose reports.
    Long,
    /// `31 Dec 2005`, for dense tables.
    Short,
}

/// A table cell: a value, which each format writes in its own way (a status tinted in its
/// colour in HTML, a date kept on one line), so that no writer reads a status, a level or a date
/// back out of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text, written as it is (escaped).
    Text(String),
    /// A standing in words (`off track`), tinted in its status colour in HTML.
    Status(Standing),
    /// A verdict: its standing as [`Cell::Status`] writes it, marked when it rests on a rule's
    /// assumption ([`super::standing::ASSUMED_MARK`]).
    Verdict(Standing, crate::assess::DateBasis),
    /// A date, never broken across lines in HTML.
    Date(NaiveDate, DateStyle),
    /// Whole pounds: `£150,000`.
    Money(u64),
    /// A likelihood or impact: `High`.
    Level(Level),
}

impl Cell {
    /// The cell in words, as Markdown and Word write it (before escaping).
    pub fn words(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Status(s) => super::standing::status_words(*s).to_string(),
            Cell::Verdict(s, basis) => {
                let assumed = *basis == crate::assess::DateBasis::Assumed;
                let mark = if assumed { super::standing::ASSUMED_MARK } else { "" };
                format!("{}{mark}", super::standing::status_words(*s))
            }
            Cell::Date(d, DateStyle::Long) => crate::format::long_date(*d),
            Cell::Date(d, DateStyle::Short) => crate::format::short_date(*d),
            Cell::Money(n) => crate::format::gbp(*n),
            Cell::Level(l) => l.as_str().to_string(),
        }
    }

    /// The cell as an HTML `<td>`.
    fn html(&self) -> String {
        match self {
            Cell::Text(t) => format!("<td>{}</td>", nowrap_dates(&html_escape(t))),
            Cell::Status(s) => format!(
                "<td class=\"status {}\">{}</td>",
                status_class(*s),
                html_escape(super::standing::status_words(*s))
            ),
            Cell::Verdict(s, _) => format!(
                "<td class=\"status {}\">{}</td>",
                status_class(*s),
                html_escape(&self.words())
            ),
            Cell::Date(..) => {
                format!("<td><span class=\"date\">{}</span></td>", html_escape(&self.words()))
            }
            Cell::Money(_) | Cell::Level(_) => format!("<td>{}</td>", html_escape(&self.words())),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

/// A block of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A heading: level 1 to 3.
    Heading(u8, String),
    /// A paragraph.
    Para(Vec<Inline>),
    /// A bulleted list.
    List(Vec<String>),
    /// A picture (an SVG) with a caption: inline in HTML, drawn as a PNG in Word, left out of
    /// Markdown.
    Figure {
        /// What it shows.
        caption: String,
        /// The SVG element.
        svg: String,
    },
    /// Blocks in a box that stands out (the summary first thing on the page).
    Boxed(Vec<Block>),
    /// A table with a header row.
    Table {
        /// Column headings.
        headers: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Cell>>,
    },
}

/// A titled document.
#[derive(Debug, Clone, Default)]
pub struct Paper {
    /// Shown as the HTML page title.
    pub title: String,
    /// Its blocks, in order.
    pub blocks: Vec<Block>,
}

/// Plain text as one paragraph.
pub fn para(text: impl Into<String>) -> Block {
    Block::Para(vec![Inline::Text(text.into())])
}

/// A paragraph led by a bold label: **Label:** text.
pub fn labelled(label: &str, text: impl Into<String>) -> Block {
    Block::Para(vec![
        Inline::Strong(format!("{label}:")),
        Inline::Text(format!(" {}", text.into())),
    ])
}

impl Paper {
    /// Add a block.
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    /// As Markdown (CommonMark with pipe tables). Figures are left out.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        markdown_blocks(&self.blocks, &mut out);
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        out
    }

    /// As one self-contained HTML page: no script, no external assets, styled to print on A4
    /// with page numbers.
    pub fn html(&self) -> String {
        let mut body = String::new();
        html_blocks(&self.blocks, &mut body);
        format!(
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
            html_escape(&self.title),
            status_style()
        )
    }
}

fn markdown_blocks(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::Figure { .. } => {}
            Block::Boxed(inner) => markdown_blocks(inner, out),
            Block::Heading(level, text) => {
                let text = super::escape::markdown(text, false);
                out.push_str(&format!("{} {text}\n\n", "#".repeat(usize::from(*level))));
            }
            Block::Para(runs) => {
                // Only the first run starts the block: a block marker means nothing later.
                for (i, r) in runs.iter().enumerate() {
                    let escaped = |t: &str| super::escape::markdown(t, i == 0);
                    match r {
                        Inline::Text(t) => out.push_str(&escaped(t)),
                        Inline::Strong(t) => out.push_str(&format!("**{}**", escaped(t))),
                    }
                }
                out.push_str("\n\n");
            }
            Block::List(items) => {
                for i in items {
                    out.push_str(&format!("- {}\n", md_escape(i)));
                }
                out.push('\n');
            }
            Block::Table { headers, rows } => {
                let cell = super::text::md_cell;
                let head: Vec<String> = headers.iter().map(|h| cell(h)).collect();
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| cell(&c.words())).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
        }
    }
}

fn html_blocks(blocks: &[Block], body: &mut String) {
    for b in blocks {
        match b {
            Block::Figure { caption, svg } => {
                body.push_str(&format!(
                    "<figure>\n{}<figcaption>{}</figcaption>\n</figure>\n",
                    // Inline in HTML, an SVG needs no namespace (nor a reference out).
                    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1),
                    html_escape(caption)
                ));
            }
            Block::Boxed(inner) => {
                body.push_str("<section class=\"summary\">\n");
                html_blocks(inner, body);
                body.push_str("</section>\n");
            }
            Block::Heading(level, text) => {
                body.push_str(&format!("<h{level}>{}</h{level}>\n", html_escape(text)));
            }
            Block::Para(runs) => {
                body.push_str("<p>");
                for r in runs {
                    match r {
                        Inline::Text(t) => body.push_str(&nowrap_dates(&html_escape(t))),
                        Inline::Strong(t) => {
                            body.push_str(&format!("<strong>{}</strong>", html_escape(t)));
                        }
                    }
                }
                body.push_str("</p>\n");
            }
            Block::List(items) => {
                body.push_str("<ul>\n");
                for i in items {
                    body.push_str(&format!("<li>{}</li>\n", nowrap_dates(&html_escape(i))));
                }
                body.push_str("</ul>\n");
            }
            Block::Table { headers, rows } => {
                body.push_str("<table>\n<thead><tr>");
                for h in headers {
                    body.push_str(&format!("<th>{}</th>", html_escape(h)));
                }
                body.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    body.push_str("<tr>");
                    for c in row {
                        body.push_str(&c.html());
                    }
                    body.push_str("</tr>\n");
                }
                body.push_str("</tbody>\n</table>\n");
            }
        }
    }
}

const STYLE: &str = "@page { size: A4; margin: 18mm 16mm 20mm; @bottom-center { content: \"Page \" counter(page) \" of \" counter(pages); font-family: Arial, Helvetica, sans-serif; font-size: 9pt; } }
.date { white-space: nowrap; }
.summary { border: 1.5pt solid #1a237e; background: #f3f5fb; padding: 6pt 10pt; margin: 0 0 12pt; break-inside: avoid; }
.summary h2 { margin-top: 2pt; }
figure { margin: 6pt 0 12pt; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #333; margin-top: 2pt; }
td, th { overflow-wrap: break-word; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #000; max-width: 174mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 8pt; }
h2 { font-size: 13pt; margin: 16pt 0 6pt; page-break-after: avoid; break-after: avoid; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; page-break-after: avoid; break-after: avoid; }
p { margin: 0 0 6pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 9.5pt; }
th, td { border: 0.5pt solid #555; padding: 3pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
tr { page-break-inside: avoid; break-inside: avoid; }
thead { display: table-header-group; }
ul { margin: 0 0 8pt; padding-left: 16pt; }
";

fn html_escape(s: &str) -> String {
    super::escape::xml(s)
}

fn md_escape(s: &str) -> String {
    super::escape::markdown(s, true)
}

/// The class that tints a status cell with its status colour, the same colour as in the charts
/// and on a terminal: `off-track`.
fn status_class(s: Standing) -> String {
    s.as_str().replace('_', "-")
}

fn status_style() -> String {
    Standing::ALL
        .iter()
        .map(|s| {
            format!(
                "td.status.{} {{ background: {}; white-space: nowrap; }}\n",
                status_class(*s),
                super::standing::tint(*s)
            )
        })
        .collect()
}

const MONTHS: [&str; 24] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
];

/// Escaped HTML text with every date of the form `31 December 2005` (or `31 Dec 2005`) held
/// on one line.
pub(crate) fn nowrap_dates(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let is_day = |w: &str| (1..=2).contains(&w.len()) && w.chars().all(|c| c.is_ascii_digit());
    let is_year = |w: &str| {
        let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
        digits.len() == 4
    };
    while i < words.len() {
        if i > 0 {
            out.push(' ');
        }
        if i + 2 < words.len()
            && is_day(words[i])
            && MONTHS.contains(&words[i + 1])
            && is_year(words[i + 2])
        {
            let year = words[i + 2];
            let digits = year.chars().take_while(char::is_ascii_digit).count();
            out.push_str(&format!(
                "<span class=\"date\">{} {} {}</span>{}",
                words[i],
                words[i + 1],
                &year[..digits],
                &year[digits..]
            ));
            i += 3;
        } else {
            out.push_str(words[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_ways() {
        let mut d = Paper { title: "T & c".into(), blocks: Vec::new() };
        d.push(Block::Heading(1, "Risk <analysis>".into()));
        d.push(labelled("Likelihood", "High_ish"));
        d.push(Block::Table { headers: vec!["a".into()], rows: vec![vec!["x|y".into()]] });
        d.push(Block::Table {
            headers: vec!["s".into(), "d".into(), "m".into(), "l".into()],
            rows: vec![vec![
                Cell::Status(Standing::OffTrack),
                Cell::Date(NaiveDate::from_ymd_opt(2005, 12, 31).expect("a date"), DateStyle::Long),
                Cell::Money(150_000),
                Cell::Level(Level::High),
            ]],
        });
        assert_eq!(
            d.markdown(),
            "# Risk \\<analysis>\n\n**Likelihood:** High_ish\n\n| a |\n|---|\n| x\\|y |\n\n| s | d | m | l |\n|---|---|---|---|\n| off track | 31 December 2005 | £150,000 | High |\n"
        );
        let html = d.html();
        assert!(html.contains("<title>T &amp; c</title>"));
        assert!(html.contains("<h1>Risk &lt;analysis&gt;</h1>"));
        assert!(html.contains("<td>x|y</td>"));
        assert!(html.contains(
            "<tr><td class=\"status off-track\">off track</td><td><span class=\"date\">31 December 2005</span></td><td>£150,000</td><td>High</td></tr>"
        ));
        // Text that reads like a status is text: only a status value is tinted.
        let mut t = Paper::default();
        t.push(Block::Table { headers: vec!["a".into()], rows: vec![vec!["off track".into()]] });
        assert!(t.html().contains("<td>off track</td>"), "{}", t.html());
        assert!(!html.contains("http"), "no external assets");
    }

    #[test]
    fn markdown_reads_text_literally() {
        assert_eq!(md_escape("HIGH_OFF_TRACK = 3"), "HIGH_OFF_TRACK = 3");
        assert_eq!(
            md_escape("_x_ *y* `z` [a](b) &lt; <b>"),
            "\\_x\\_ \\*y\\* \\`z\\` \\[a\\](b) \\&lt; \\<b>"
        );
        assert_eq!(md_escape("one\n\n## two\n| a |"), "one ## two | a |");
        assert_eq!(md_escape("# x"), "\\# x");
        assert_eq!(md_escape("- x"), "\\- x");
        assert_eq!(md_escape("12. x"), "12\\. x");
        assert_eq!(md_escape("a\\b"), "a\\\\b");
    }
}
