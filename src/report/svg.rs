//! SVG pictures with no script and no external asset: the charts of the HTML reports (bars, a
//! Gantt, the likelihood × impact grid) and the primitives the layout of `routemap graph`
//! draws with. Each chart is drawn from the same rows as the table beside it.

use chrono::NaiveDate;

use super::standing::{fill, status_words};
use super::text;
use crate::assess::Standing;

/// Text escaped for XML ([`super::escape::xml`]).
pub fn esc(s: &str) -> String {
    super::escape::xml(s)
}

/// The opening of an SVG picture `width` by `height` pixels, titled `title`.
pub fn open(width: u32, height: u32, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{t}\" font-family=\"Arial, Helvetica, sans-serif\" font-size=\"11\">\n<title>{t}</title>\n",
        t = esc(title)
    )
}

/// One bar of a bar chart.
pub struct Bar {
    /// What it counts.
    pub label: String,
    /// Its value.
    pub value: u64,
    /// The value as shown at the bar's end.
    pub shown: String,
    /// Fill colour.
    pub colour: String,
}

/// A horizontal bar chart, one bar a row, scaled to the largest value.
pub fn bars(title: &str, rows: &[Bar]) -> String {
    let (label_w, bar_w, row_h) = (190u32, 330u32, 22u32);
    let width = label_w + bar_w + 150;
    let height = 8 + row_h * rows.len().max(1) as u32 + 4;
    let max = rows.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut out = open(width, height, title);
    for (i, b) in rows.iter().enumerate() {
        let y = 8 + row_h * i as u32;
        let w = ((b.value as f64 / max as f64) * f64::from(bar_w)).round() as u32;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            label_w - 6,
            y + 14,
            esc(&text::clip(&b.label, 32))
        ));
        out.push_str(&format!(
            "<rect x=\"{label_w}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
            y + 3,
            w.max(1),
            row_h - 6,
            b.colour
        ));
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\">{}</text>\n",
            label_w + w.max(1) + 5,
            y + 14,
            esc(&b.shown)
        ));
    }
    out.push_str("</svg>\n");
    out
}

/// Outcomes by status: one bar per category, split by standing, with a key.
pub fn status_bars(title: &str, categories: &[(String, [(Standing, usize); 6])]) -> String {
    let (label_w, bar_w, row_h) = (110u32, 420u32, 30u32);
    let width = label_w + bar_w + 20;
    let height = 10 + row_h * categories.len() as u32 + 30;
    let mut out = open(width, height, title);
    for (i, (name, counts)) in categories.iter().enumerate() {
        let y = 10 + row_h * i as u32;
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            label_w - 6,
            y + 16,
            esc(&format!("{name} ({total})"))
        ));
        let mut x = f64::from(label_w);
        for (s, n) in counts {
            if *n == 0 || total == 0 {
                continue;
            }
            let w = *n as f64 / total as f64 * f64::from(bar_w);
            out.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{} {}</title></rect>\n",
                y + 2,
                row_h - 8,
                fill(*s),
                n,
                status_words(*s)
            ));
            if w >= 16.0 {
                out.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"{}\" fill=\"#fff\" text-anchor=\"middle\" font-weight=\"bold\">{n}</text>\n",
                    x + w / 2.0,
                    y + 17
                ));
            }
            x += w;
        }
    }
    // The key.
    let y = 10 + row_h * categories.len() as u32 + 8;
    let mut x = label_w;
    for s in Standing::ALL {
        out.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
            fill(s),
            x + 14,
            y + 9,
            status_words(s)
        ));
        x += 84;
    }
    out.push_str("</svg>\n");
    out
}

/// One bar of a Gantt row: a piece of work from `start` to `finish`.
pub struct Segment {
    /// What it is (shown on hover).
    pub label: String,
    /// Where the bar starts.
    pub start: NaiveDate,
    /// The forecast finish, or the earliest possible one.
    pub finish: NaiveDate,
    /// Whether `finish` is only the earliest possible finish (drawn dashed).
    pub open_ended: bool,
    /// Bar colour.
    pub colour: String,
}

/// One row of a Gantt chart: its bars, and a mark at the date it must finish by.
pub struct GanttRow {
    /// The row's label.
    pub label: String,
    /// Its bars, in order.
    pub segments: Vec<Segment>,
    /// The date it must finish by.
    pub due: Option<NaiveDate>,
}

/// A Gantt chart: each row's bar against the date it must finish by (a black tick), with the
/// as-of date as a dashed line and a month scale.
pub fn gantt(title: &str, as_of: NaiveDate, rows: &[GanttRow]) -> String {
    let (label_w, plot_w, row_h, top) = (230u32, 420u32, 18u32, 26u32);
    let width = label_w + plot_w + 20;
    let height = top + row_h * rows.len().max(1) as u32 + 8;
    let dates =
        rows.iter().flat_map(|r| r.segments.iter().flat_map(|s| [s.start, s.finish]).chain(r.due));
    let first = dates.clone().min().unwrap_or(as_of).min(as_of);
    let last = dates.max().unwrap_or(as_of).max(as_of);
    // Whole months either side.
    let first = month_start(first);
    let last = next_month(month_start(last));
    let span = (last - first).num_days().max(1) as f64;
    let x_of = |d: NaiveDate| {
        f64::from(label_w) + (d - first).num_days() as f64 / span * f64::from(plot_w)
    };
    let mut out = open(width, height, title);
    // Month scale: a label every few months so that labels never collide.
    let months = ((last - first).num_days() / 30).max(1);
    let every = (months / 8 + 1) as usize;
    let mut m = first;
    let mut i = 0usize;
    while m <= last {
        let x = x_of(m);
        out.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#ddd\"/>\n",
            top - 4,
            height - 4
        ));
        if i.is_multiple_of(every) && x + 44.0 < f64::from(width) {
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"9\">{}</text>\n",
                x + 2.0,
                top - 8,
                m.format("%b %Y")
            ));
        }
        m = next_month(m);
        i += 1;
    }
    let now = x_of(as_of);
    out.push_str(&format!(
        "<line x1=\"{now:.1}\" y1=\"{}\" x2=\"{now:.1}\" y2=\"{}\" stroke=\"#333\" stroke-dasharray=\"3,2\"><title>as of {}</title></line>\n",
        top - 4,
        height - 4,
        text::short_date(as_of)
    ));
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as u32;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            label_w - 6,
            y + 12,
            esc(&text::clip(&r.label, 34))
        ));
        for seg in &r.segments {
            let (x0, x1) = (x_of(seg.start), x_of(seg.finish.max(seg.start)));
            let dash =
                if seg.open_ended { " stroke=\"#000\" stroke-dasharray=\"2,2\"" } else { "" };
            let to = if seg.open_ended {
                format!("not before {}", text::short_date(seg.finish))
            } else {
                text::short_date(seg.finish)
            };
            out.push_str(&format!(
                "<rect class=\"bar\" x=\"{x0:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"{dash}><title>{}: {} to {to}</title></rect>\n",
                y + 3,
                (x1 - x0).max(2.0),
                row_h - 6,
                seg.colour,
                esc(&seg.label),
                text::short_date(seg.start),
            ));
        }
        if let Some(d) = r.due {
            let x = x_of(d);
            out.push_str(&format!(
                "<line x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#000\" stroke-width=\"2\"><title>must finish by {}</title></line>\n",
                y + 1,
                y + row_h - 1,
                text::short_date(d)
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(1)).unwrap_or(d)
}

use chrono::Datelike;

/// A risk's place on the grid: its label, (likelihood, impact) as recorded, and as assessed
/// where it is; levels 0 low, 1 medium, 2 high.
pub struct GridRisk {
    /// The register number.
    pub label: String,
    /// As recorded.
    pub recorded: (usize, usize),
    /// As assessed from the forecast.
    pub assessed: Option<(usize, usize)>,
}

/// The likelihood × impact grid: three by three, each cell listing the risks in it, as
/// recorded (hollow) and as assessed (filled).
pub fn risk_grid(title: &str, risks: &[GridRisk]) -> String {
    // Levels: 0 low, 1 medium, 2 high.
    let (left, top, cell) = (80u32, 16u32, 100u32);
    let width = left + cell * 3 + 20;
    let height = top + cell * 3 + 50;
    let mut out = open(width, height, title);
    let names = ["Low", "Medium", "High"];
    let shade = |l: usize, i: usize| match l + i {
        0 | 1 => "#e8f5e9",
        2 => "#fffde7",
        3 => "#ffe0b2",
        _ => "#ffcdd2",
    };
    for (l, name) in names.iter().enumerate() {
        for i in 0..3 {
            let (x, y) = (left + cell * i as u32, top + cell * (2 - l) as u32);
            out.push_str(&format!(
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{}\" stroke=\"#888\"/>\n",
                shade(l, i)
            ));
        }
        let y = top + cell * (2 - l) as u32 + cell / 2;
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{y}\" text-anchor=\"end\">{}</text>\n",
            left - 6,
            name
        ));
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
            left + cell * l as u32 + cell / 2,
            top + cell * 3 + 16,
            name
        ));
    }
    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">Impact</text>\n",
        left + cell * 3 / 2,
        top + cell * 3 + 34
    ));
    out.push_str(&format!(
        "<text x=\"14\" y=\"{}\" font-weight=\"bold\" transform=\"rotate(-90 14 {})\" text-anchor=\"middle\">Likelihood</text>\n",
        top + cell * 3 / 2,
        top + cell * 3 / 2
    ));
    // Each cell's markers, in a small grid of slots.
    let mut used = [[0u32; 3]; 3];
    let mut marker = |out: &mut String, label: &str, l: usize, i: usize, filled: bool| {
        let n = used[l][i];
        used[l][i] += 1;
        let (col, row) = (n % 4, n / 4);
        let x = left + cell * i as u32 + 16 + col * 28;
        let y = top + cell * (2 - l) as u32 + 16 + row * 26;
        let (fill, colour) = if filled { ("#1a237e", "#fff") } else { ("#fff", "#1a237e") };
        out.push_str(&format!(
            "<circle cx=\"{x}\" cy=\"{y}\" r=\"11\" fill=\"{fill}\" stroke=\"#1a237e\" stroke-width=\"1.5\"><title>risk {} {}</title></circle><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{colour}\">{}</text>\n",
            esc(label),
            if filled { "as assessed" } else { "as recorded" },
            y + 4,
            esc(label)
        ));
    };
    for r in risks {
        marker(&mut out, &r.label, r.recorded.0, r.recorded.1, false);
        if let Some((al, ai)) = r.assessed {
            marker(&mut out, &r.label, al, ai, true);
        }
    }
    out.push_str("</svg>\n");
    out
}
