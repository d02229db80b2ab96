//! A [`Document`] as a Word file (docx-rs): Word's own heading, list and table styles ("heading
//! 1", "List Bullet", "Table Grid"), so that the text pastes into a council's template and takes
//! its look. Figures are left out (the HTML report has them).

use docx_rs::{Docx, Paragraph, Run, Style, StyleType, Table, TableCell, TableRow, WidthType};

use super::document::{Block, Document, Inline};
use crate::error::Error;

fn styles(doc: Docx) -> Docx {
    let heading = |level: usize, size: usize| {
        Style::new(format!("Heading{level}"), StyleType::Paragraph)
            .name(format!("heading {level}"))
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .outline_lvl(level - 1)
            .bold()
            .size(size)
    };
    doc.add_style(Style::new("Normal", StyleType::Paragraph).name("Normal").size(21))
        .add_style(heading(1, 32))
        .add_style(heading(2, 26))
        .add_style(heading(3, 22))
        .add_style(
            Style::new("ListBullet", StyleType::Paragraph).name("List Bullet").based_on("Normal"),
        )
        .add_style(Style::new("TableGrid", StyleType::Table).name("Table Grid"))
}

/// A run of text, with the characters XML does not allow shown as visible escapes (docx-rs
/// escapes markup, not those), so the document always opens.
fn text_run(text: &str) -> Run {
    Run::new().add_text(super::escape::xml_chars(text))
}

fn blocks(mut doc: Docx, list: &[Block]) -> Docx {
    for b in list {
        doc = match b {
            Block::Heading(level, text) => doc.add_paragraph(
                Paragraph::new()
                    .style(&format!("Heading{}", level.clamp(&1, &3)))
                    .add_run(text_run(text)),
            ),
            Block::Para(runs) => {
                let mut p = Paragraph::new().style("Normal");
                for r in runs {
                    p = p.add_run(match r {
                        Inline::Text(t) => text_run(t),
                        Inline::Strong(t) => text_run(t).bold(),
                    });
                }
                doc.add_paragraph(p)
            }
            Block::List(items) => items.iter().fold(doc, |d, i| {
                d.add_paragraph(
                    Paragraph::new().style("ListBullet").add_run(text_run(&format!("• {i}"))),
                )
            }),
            Block::Table { headers, rows } => {
                let cell = |text: &str, bold: bool| {
                    let run = text_run(text);
                    TableCell::new().add_paragraph(Paragraph::new().add_run(if bold {
                        run.bold()
                    } else {
                        run
                    }))
                };
                let mut trs = vec![TableRow::new(headers.iter().map(|h| cell(h, true)).collect())];
                trs.extend(
                    rows.iter().map(|r| {
                        TableRow::new(r.iter().map(|c| cell(&c.words(), false)).collect())
                    }),
                );
                doc.add_table(Table::new(trs).style("TableGrid").width(5000, WidthType::Pct))
            }
            Block::Boxed(inner) => blocks(doc, inner),
            Block::Figure { .. } => doc,
        };
    }
    doc
}

/// The document as the bytes of a .docx file.
pub fn docx(d: &Document) -> Result<Vec<u8>, Error> {
    let doc = blocks(styles(Docx::new()), &d.blocks);
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::msg(format!("cannot write the Word document: {e}")))?;
    Ok(out.into_inner())
}
