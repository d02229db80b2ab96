//! Model text through every command in every format it writes, as the binary runs them
//! (`cli::run_in`). Invariants: nothing panics; an error is located; a model that loads renders
//! in every format; SVG and the Word document are well-formed XML; no CSV cell starts a formula;
//! no table, Markdown or CSV output carries a control character (ESC, OSC...).
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use routemap::cli::{run_in, Cli};

#[path = "common.rs"]
mod common;

const COMMANDS: &[&[&str]] = &[
    &["forecast"],
    &["critical-path"],
    &["explain", "R8"],
    &["exposure"],
    &["risk-report"],
    &["ieg-return"],
    &["graph", "--all"],
];

const FORMATS: &[&str] = &["table", "json", "csv", "md", "html", "svg", "dot", "mermaid", "docx"];

fuzz_target!(|data: &[u8]| {
    let model = common::file("charnwood/routemap.yaml", data);
    let model = model.to_str().expect("a UTF-8 scratch path");
    let docx = common::scratch().join("out.docx");
    let docx = docx.to_str().expect("a UTF-8 scratch path");
    for command in COMMANDS {
        for format in FORMATS {
            let mut args = vec!["routemap"];
            args.extend(command.iter());
            args.extend(["--model", model, "--format", format]);
            if *format == "docx" {
                args.extend(["--output", docx]);
            }
            let cli = Cli::try_parse_from(&args).expect("the arguments parse");
            let done = match run_in(&cli, &std::cell::OnceCell::new()) {
                Ok(done) => done,
                Err(e) if e.to_string().contains("cannot write") => continue,
                Err(e) => {
                    // A model that does not load is the model target's business; any error must
                    // still say where.
                    assert!(common::located(&e) || e.to_string().contains("explain"), "{e}");
                    return;
                }
            };
            let out = done.stdout;
            match *format {
                "svg" => {
                    roxmltree::Document::parse(&out).unwrap_or_else(|e| panic!("SVG: {e}\n{out}"));
                }
                "docx" => {
                    let file = std::fs::File::open(docx).expect("the document");
                    let mut zip = zip::ZipArchive::new(file).expect("a docx is a zip file");
                    let mut xml = String::new();
                    std::io::Read::read_to_string(
                        &mut zip.by_name("word/document.xml").expect("its body"),
                        &mut xml,
                    )
                    .expect("UTF-8");
                    roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("docx: {e}"));
                }
                "csv" => {
                    let mut reader =
                        csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_bytes());
                    for record in reader.records() {
                        for cell in record.expect("CSV").iter() {
                            let first = cell.chars().next();
                            let number = cell.trim_start_matches(['-', '+']).parse::<u64>().is_ok()
                                || cell.trim_start_matches(['-', '+']).parse::<f64>().is_ok()
                                    && !cell.contains(|c: char| c.is_alphabetic());
                            assert!(
                                !first.is_some_and(|c| "=+-@\t\r".contains(c)) || number,
                                "a formula cell: {cell:?}"
                            );
                        }
                    }
                }
                _ => {}
            }
            if ["table", "md", "csv"].contains(format) {
                assert!(
                    !out.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
                    "a control character in {format}"
                );
            }
        }
    }
});
