//! A [`Paper`] as a Word file (docx-rs): Word's own heading, list, caption and table styles
//! ("heading 1", "List Bullet", "caption", "Table Grid"), so that the text pastes into a
//! council's template and takes its look. Each table has a column grid fitted to the page, and
//! each figure is the HTML's chart drawn as a PNG ([`super::raster`]) above its caption.

use docx_rs::{Docx, Paragraph, Pic, Run, Style, StyleType, Table, TableCell, TableRow, WidthType};

use super::document::{Block, Inline, Paper};
use crate::error::Error;

/// The width of the text on the page, in twentieths of a point: A4 (11906 wide) less docx-rs's
/// margins (1701 each side).
pub const TEXT_WIDTH_TWIPS: usize = 11906 - 2 * 1701;

/// English Metric Units in a twip, and in a pixel at 96 dpi.
const EMU_PER_TWIP: u32 = 635;
const EMU_PER_PX: u32 = 9525;

/// Word's own styles. docx-rs writes a `Normal` style of its own in every styles part, so
/// Normal is not added again (it would be defined twice): its size is the document default
/// instead, which Normal takes.
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
    doc.default_size(21)
        .add_style(heading(1, 32))
        .add_style(heading(2, 26))
        .add_style(heading(3, 22))
        .add_style(
            Style::new("ListBullet", StyleType::Paragraph).name("List Bullet").based_on("Normal"),
        )
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .based_on("Normal")
                .next("Normal")
                .q_format(true)
                .size(18),
        )
        .add_style(Style::new("TableGrid", StyleType::Table).name("Table Grid"))
}

/// A run of text, with the characters XML does not allow shown as visible escapes (docx-rs
/// escapes markup, not those), so the document always opens.
fn text_run(text: &str) -> Run {
    Run::new().add_text(super::escape::xml_chars(text))
}

/// Column widths in twips for a table whose columns hold these texts (the header first): each
/// in proportion to its longest text, counted between 4 and 40 characters so that no column
/// vanishes and no long one takes the page, summing to the text width.
pub fn grid(columns: &[Vec<String>]) -> Vec<usize> {
    let weights: Vec<usize> = columns
        .iter()
        .map(|texts| texts.iter().map(|t| t.chars().count()).max().unwrap_or(0).clamp(4, 40))
        .collect();
    let total: usize = weights.iter().sum();
    if total == 0 {
        return Vec::new();
    }
    let mut widths: Vec<usize> = weights.iter().map(|w| TEXT_WIDTH_TWIPS * w / total).collect();
    let short = TEXT_WIDTH_TWIPS - widths.iter().sum::<usize>();
    if let Some(last) = widths.last_mut() {
        *last += short;
    }
    widths
}

fn table(headers: &[String], rows: &[Vec<super::document::Cell>]) -> Table {
    let words: Vec<Vec<String>> =
        rows.iter().map(|r| r.iter().map(|c| c.words()).collect()).collect();
    let columns: Vec<Vec<String>> = (0..headers.len())
        .map(|i| {
            std::iter::once(headers[i].clone())
                .chain(words.iter().filter_map(|r| r.get(i).cloned()))
                .collect()
        })
        .collect();
    let cell = |text: &str, bold: bool| {
        let run = text_run(text);
        TableCell::new().add_paragraph(Paragraph::new().add_run(if bold {
            run.bold()
        } else {
            run
        }))
    };
    let mut trs = vec![TableRow::new(headers.iter().map(|h| cell(h, true)).collect())];
    trs.extend(words.iter().map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())));
    Table::new(trs).style("TableGrid").width(5000, WidthType::Pct).set_grid(grid(&columns))
}

/// A chart as a picture as wide as the SVG (at 96 dpi), narrowed to the text width, with its
/// caption below. `n` numbers the pictures, so their ids are the same in every run.
fn figure(doc: Docx, caption: &str, svg: &str, n: usize) -> Result<Docx, Error> {
    let png = super::raster::png(svg)?;
    let max = TEXT_WIDTH_TWIPS as u32 * EMU_PER_TWIP;
    let (w, h) = (png.width * EMU_PER_PX, png.height * EMU_PER_PX);
    let (w, h) =
        if w > max { (max, (u64::from(h) * u64::from(max) / u64::from(w)) as u32) } else { (w, h) };
    let scaled = |px: u32| (px as f32 * super::raster::SCALE).ceil() as u32;
    let pic = Pic::new_with_dimensions(png.bytes, scaled(png.width), scaled(png.height))
        .id(format!("rIdImage{n}"))
        .size(w, h);
    Ok(doc
        .add_paragraph(Paragraph::new().add_run(Run::new().add_image(pic)))
        .add_paragraph(Paragraph::new().style("Caption").add_run(text_run(caption))))
}

fn blocks(mut doc: Docx, list: &[Block], pictures: &mut usize) -> Result<Docx, Error> {
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
            Block::Table { headers, rows } => doc.add_table(table(headers, rows)),
            Block::Boxed(inner) => blocks(doc, inner, pictures)?,
            Block::Figure { caption, svg } => {
                *pictures += 1;
                figure(doc, caption, svg, *pictures)?
            }
        };
    }
    Ok(doc)
}

/// The document as the bytes of a .docx file.
pub fn docx(d: &Paper) -> Result<Vec<u8>, Error> {
    let doc = blocks(styles(Docx::new()), &d.blocks, &mut 0)?;
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| Error::msg(format!("cannot write the Word document: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_fills_the_text_width_in_proportion() {
        let col = |texts: &[&str]| texts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let g = grid(&[col(&["Code", "R1"]), col(&["Outcome", &"x".repeat(100)])]);
        assert_eq!(g.iter().sum::<usize>(), TEXT_WIDTH_TWIPS);
        assert_eq!(g, [TEXT_WIDTH_TWIPS * 4 / 44, TEXT_WIDTH_TWIPS - TEXT_WIDTH_TWIPS * 4 / 44]);
        assert!(grid(&[]).is_empty());
    }
}
