//! The HTML risk report and forecast dashboard in a real browser: headless Chromium (Debian's
//! `chromium`), driven over the DevTools protocol, one browser for every page. From the rendered
//! page, not the source: every chart has a box; no table cell's content overflows it; no date
//! wraps; the printed PDF has page numbers and a page count in the expected range. A screenshot
//! and the PDF of each page are written under `target/` for a person to look at.
//!
//! These run when `ROUTEMAP_BROWSER_TESTS=1` (as `.ci/run` sets it, after installing chromium
//! and poppler-utils); with it set, a missing browser is a failure, not a pass. Without it the
//! test passes and says on the terminal that it was skipped, and why.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

fn enabled() -> bool {
    std::env::var("ROUTEMAP_BROWSER_TESTS").is_ok_and(|v| v == "1")
}

/// Say on the terminal that a test did not run, and why: it passes, but not silently. libtest
/// keeps what a passing test prints with `eprintln!` to itself, so this writes to the process's
/// standard error directly, which `cargo test` shows with or without `--nocapture`.
fn skipped(test: &str, why: &str) {
    use std::io::Write;
    // One write, so that the line is not broken up by libtest's own lines.
    let line = format!("skipped: browser::{test}: {why}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Where the pages, screenshots and PDFs go: under `target/`.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// A headless Chromium and one page of it, over the DevTools protocol.
struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    page: String,
    _profile: crate::test::TempDir,
}

impl Browser {
    fn launch() -> Browser {
        let exe = std::env::var("ROUTEMAP_CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let profile = crate::test::TempDir::new("chromium-profile");
        let mut child = Command::new(&exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
            ])
            .arg(format!("--user-data-dir={}", profile.path("")))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "ROUTEMAP_BROWSER_TESTS=1 but `{exe}` cannot be started ({e}): install Debian's \
                     chromium (apt-get install -y chromium), as .ci/run does"
                )
            });
        let stderr = child.stderr.take().expect("chromium's stderr");
        let mut lines = BufReader::new(stderr).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(at) = line.find("ws://") {
                        break line[at..].trim().to_string();
                    }
                }
                _ => panic!("chromium ended without a DevTools address"),
            }
        };
        // Keep reading chromium's messages so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let (mut ws, _) = tungstenite::connect(url.as_str()).expect("connect to chromium");
        if let MaybeTlsStream::Plain(s) = ws.get_mut() {
            // A browser that stops answering fails the test instead of hanging it.
            s.set_read_timeout(Some(Duration::from_secs(60))).expect("a read timeout");
        }
        let mut b = Browser { child, ws, next: 0, page: String::new(), _profile: profile };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let target = target["targetId"].as_str().expect("a target id").to_string();
        let attached =
            b.call("Target.attachToTarget", json!({"targetId": target, "flatten": true}));
        b.page = attached["sessionId"].as_str().expect("the page's id").to_string();
        b.call("Page.enable", json!({}));
        b
    }

    fn send(&mut self, method: &str, params: Value) -> u64 {
        self.next += 1;
        let mut msg = json!({"id": self.next, "method": method, "params": params});
        if !self.page.is_empty() {
            msg["sessionId"] = json!(self.page);
        }
        self.ws.send(Message::text(msg.to_string())).expect("send to chromium");
        self.next
    }

    fn read(&mut self) -> Value {
        loop {
            match self.ws.read().expect("read from chromium") {
                Message::Text(t) => return serde_json::from_str(&t).expect("JSON from chromium"),
                Message::Close(_) => panic!("chromium closed the connection"),
                _ => {}
            }
        }
    }

    /// Call a method and return its result.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        loop {
            let msg = self.read();
            if msg["id"].as_u64() == Some(id) {
                if let Some(e) = msg.get("error") {
                    panic!("{method}: {e}");
                }
                return msg["result"].clone();
            }
        }
    }

    /// Load a file at a page width, and wait for its load event.
    fn open(&mut self, path: &Path, width: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": false}),
        );
        let url = format!("file://{}", path.display());
        let id = self.send("Page.navigate", json!({"url": url}));
        let (mut answered, mut loaded) = (false, false);
        while !(answered && loaded) {
            let msg = self.read();
            if msg["id"].as_u64() == Some(id) {
                assert!(msg["result"]["errorText"].is_null(), "cannot open {url}: {msg}");
                answered = true;
            }
            if msg["method"] == "Page.loadEventFired" {
                loaded = true;
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r =
            self.call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true}));
        assert!(r["exceptionDetails"].is_null(), "{expression}: {r}");
        r["result"]["value"].clone()
    }

    /// A PNG of the whole page.
    fn screenshot(&mut self, width: u32, to: &Path) {
        let height = self.eval("document.documentElement.scrollHeight").as_u64().unwrap_or(1000);
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height.min(16000), "deviceScaleFactor": 1, "mobile": false}),
        );
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        write_base64(&shot["data"], to);
    }

    /// The page printed as its CSS asks (A4, page numbers).
    fn pdf(&mut self, to: &Path) -> Vec<u8> {
        let pdf = self
            .call("Page.printToPDF", json!({"preferCSSPageSize": true, "printBackground": true}));
        write_base64(&pdf["data"], to)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_base64(data: &Value, to: &Path) -> Vec<u8> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_str().expect("base64 data"))
        .expect("valid base64");
    std::fs::write(to, &bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", to.display()));
    bytes
}

/// Every chart's size, as the browser lays it out.
const CHART_BOXES: &str = "Array.from(document.querySelectorAll('svg')).map(s => { const r = s.getBoundingClientRect(); return [s.getAttribute('aria-label'), r.width, r.height]; })";

/// The cells whose content is wider than the cell.
const OVERFLOWING_CELLS: &str = "Array.from(document.querySelectorAll('td, th')).filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 80))";

/// The tables and charts that stick out of the page's text column.
const WIDER_THAN_THE_PAGE: &str = "(() => { const right = document.body.getBoundingClientRect().right + 1; return Array.from(document.querySelectorAll('table, figure, svg')).filter(t => t.getBoundingClientRect().right > right).map(t => t.tagName + ' ' + (t.getAttribute('aria-label') || t.textContent.slice(0, 60))); })()";

/// The dates laid out on more than one line.
const WRAPPED_DATES: &str = "Array.from(document.querySelectorAll('.date')).filter(d => d.getClientRects().length > 1).map(d => d.textContent)";

/// Pages of a PDF as Chromium writes it: one `/Type /Page` object each.
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page").filter(|(i, _)| !text[i + 11..].starts_with('s')).count()
}

/// The PDF's text, by poppler's pdftotext.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().unwrap_or_else(|e| {
        panic!("ROUTEMAP_BROWSER_TESTS=1 but pdftotext cannot be run ({e}): apt-get install -y poppler-utils, as .ci/run does")
    });
    assert!(
        out.status.success(),
        "pdftotext {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A table header that must be printed again on every page a long table runs onto.
struct Repeated<'a> {
    header: &'a str,
    pages: usize,
}

fn check_page(
    b: &mut Browser,
    name: &str,
    html: &str,
    charts: usize,
    pages: std::ops::RangeInclusive<usize>,
    repeated: Repeated,
) {
    let dir = out_dir();
    let page = dir.join(format!("{name}.html"));
    std::fs::write(&page, html).expect("write the page");
    // A4 at 96 dpi less the margins is about 680 px; a laptop window is wider.
    for width in [700, 1200] {
        b.open(&page, width);
        let boxes = b.eval(CHART_BOXES);
        let boxes = boxes.as_array().expect("a list");
        assert_eq!(boxes.len(), charts, "{name} at {width}px: {boxes:?}");
        for c in boxes {
            assert!(
                c[1].as_f64() > Some(0.0) && c[2].as_f64() > Some(0.0),
                "{name} at {width}px: an empty chart {c}"
            );
        }
        let over = b.eval(OVERFLOWING_CELLS);
        assert_eq!(over, json!([]), "{name} at {width}px: cells whose content overflows");
        let wide = b.eval(WIDER_THAN_THE_PAGE);
        assert_eq!(wide, json!([]), "{name} at {width}px: wider than the page");
        let wrapped = b.eval(WRAPPED_DATES);
        assert_eq!(wrapped, json!([]), "{name} at {width}px: dates that wrap");
        b.screenshot(width, &dir.join(format!("{name}-{width}.png")));
    }
    let pdf_path = dir.join(format!("{name}.pdf"));
    let pdf = b.pdf(&pdf_path);
    let n = page_count(&pdf);
    assert!(pages.contains(&n), "{name}: {n} pages printed, expected {pages:?}");
    let text = pdf_text(&pdf_path);
    for p in 1..=n {
        assert!(
            text.contains(&format!("Page {p} of {n}")),
            "{name}: no \"Page {p} of {n}\" in the PDF:\n{text}"
        );
    }
    // pdftotext ends each page with a form feed.
    let with_header = text.split('\u{c}').filter(|page| page.contains(repeated.header)).count();
    assert!(
        with_header >= repeated.pages,
        "{name}: the header {:?} is on {with_header} printed pages, expected at least {}",
        repeated.header,
        repeated.pages
    );
}

#[test]
fn the_pages_render_in_a_browser() {
    if !enabled() {
        skipped(
            "the_pages_render_in_a_browser",
            "ROUTEMAP_BROWSER_TESTS is not set to 1; set it (as .ci/run does) to run it",
        );
        return;
    }
    let mut b = Browser::launch();
    let report = crate::common::ok(&["risk-report", "--format", "html"]);
    // The proposed actions' table runs over two pages, its header on each.
    let actions = Repeated { header: "Must finish by", pages: 2 };
    check_page(&mut b, "risk-report", &report, 4, 6..=12, actions);
    let dashboard = crate::common::ok(&["forecast", "--format", "html"]);
    let outcomes = Repeated { header: "Driven by", pages: 5 };
    check_page(&mut b, "dashboard", &dashboard, 2, 3..=10, outcomes);
    let loxley = crate::common::ok(&[
        "--model",
        "fixtures/loxley/routemap.yaml",
        "risk-report",
        "--format",
        "html",
    ]);
    let loxley_header = Repeated { header: "Must finish by", pages: 1 };
    check_page(&mut b, "loxley-risk-report", &loxley, 3, 2..=10, loxley_header);
}

#[test]
fn the_page_counter_counts_pages() {
    // The counter the browser test relies on, on a PDF of two pages and its page tree.
    let pdf = b"1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R]>> 2 0 obj <</Type /Page>> 3 0 obj <</Type /Page /Parent 1 0 R>>";
    assert_eq!(page_count(pdf), 2);
}
