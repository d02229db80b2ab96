//! A chart's SVG ([`super::svg`]) as a PNG, for the Word document, which shows no SVG of its own.
//!
//! resvg draws it, with text in the one font family the binary carries (DejaVu Sans Condensed,
//! regular and bold, `assets/fonts/`, near Arial's width): no system font is looked up, so the
//! picture is the same on every machine, and the same input gives the same bytes (one thread, no
//! clock, a fixed PNG encoding).

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::error::Error;

/// The family every chart's text is drawn in: the SVG asks for Arial, Helvetica or sans-serif,
/// and sans-serif is this. (The fonts name their family "DejaVu Sans", condensed in width; the
/// only faces of it here are the condensed ones, so those are drawn.)
const FAMILY: &str = "DejaVu Sans";

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

/// Pixels drawn per SVG pixel: twice the SVG's size, sharp when printed.
pub const SCALE: f32 = 2.0;

fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(REGULAR.to_vec());
            db.load_font_data(BOLD.to_vec());
            db.set_sans_serif_family(FAMILY);
            Arc::new(db)
        })
        .clone()
}

/// A PNG and the size of the SVG it was drawn from, in SVG pixels.
pub struct Png {
    /// The PNG file's bytes.
    pub bytes: Vec<u8>,
    /// The SVG's width.
    pub width: u32,
    /// The SVG's height.
    pub height: u32,
}

/// An SVG drawn at [`SCALE`] on white, as a PNG.
pub fn png(svg: &str) -> Result<Png, Error> {
    let fail = |e: &dyn std::fmt::Display| Error::msg(format!("cannot draw a chart: {e}"));
    let options =
        usvg::Options { font_family: FAMILY.to_string(), fontdb: fonts(), ..Default::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| fail(&e))?;
    let size = tree.size();
    let (width, height) = (size.width().ceil() as u32, size.height().ceil() as u32);
    let scaled = |n: u32| (n as f32 * SCALE).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(scaled(width), scaled(height))
        .ok_or_else(|| fail(&format!("a chart of {width} × {height} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(SCALE, SCALE), &mut pixmap.as_mut());
    let bytes = pixmap.encode_png().map_err(|e| fail(&e))?;
    Ok(Png { bytes, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\" viewBox=\"0 0 120 40\" font-family=\"Arial, Helvetica, sans-serif\" font-size=\"11\"><rect x=\"0\" y=\"0\" width=\"60\" height=\"40\" fill=\"#c62828\"/><text x=\"64\" y=\"24\">£150,000</text></svg>";

    #[test]
    fn draws_text_in_the_carried_font_the_same_every_time() {
        let a = png(SVG).expect("drawn");
        assert!(a.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!((a.width, a.height), (120, 40));
        assert_eq!(a.bytes, png(SVG).expect("drawn").bytes, "same input, same bytes");
        // The text is drawn: without it the picture differs.
        let blank = png(&SVG.replace("£150,000", "")).expect("drawn");
        assert_ne!(a.bytes, blank.bytes, "the text left no mark");
    }
}
