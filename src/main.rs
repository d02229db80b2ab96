//! The `routemap` command: parse arguments, run, print, map the result to an exit code.

use std::io::Write;
use std::process::ExitCode;

use routemap::report::escape::{terminal, terminal_painted};
use routemap::report::output::Stdout;

/// mimalloc: a large routemap is millions of small allocations (ids, texts, the rules' views),
/// made on several threads; mimalloc makes them faster than the system allocator and reuses
/// freed memory across threads, so a run touches fewer fresh pages (docs/performance.md). It is
/// built without asking for transparent huge pages (`no_thp`): a huge page is resident whole
/// however little of it is used, which cost a 100,000-node forecast 12 MB of its peak and gave
/// no time back. It is mimalloc's version 2 (`v2`): version 3, the crate's default, keeps freed
/// pages for a second before giving them back, which cost the same forecast 9 MB of its peak,
/// in the same time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What `sysexits.h` calls an input/output error: standard output could not be written.
const EX_IOERR: u8 = 74;

/// The exit code of a run stopped by a signal: 128 + SIGINT, as shells report it.
const INTERRUPTED: i32 = 130;

fn main() -> ExitCode {
    // Interrupted (Ctrl-C, SIGTERM, SIGHUP) while writing --output: take the temporary file
    // away, leave the file being replaced as it was, and stop.
    let _ = ctrlc::set_handler(|| routemap::report::remove_partial_files_and_exit(INTERRUPTED));
    let args = routemap::cli::parse();
    let session = std::cell::OnceCell::new();
    let code = match routemap::cli::run_in(&args, &session) {
        Ok(done) => {
            // Text from the input never reaches a terminal as control characters: they are
            // shown as visible escapes; routemap's own colours stay.
            eprint!("{}", terminal(&done.stderr));
            let mut stdout = std::io::stdout().lock();
            let written = match done.stdout {
                Stdout::Text(text) => stdout.write_all(terminal_painted(&text).as_bytes()),
                // JSON escapes what would act on a terminal itself, as it is written.
                Stdout::Json(write) => {
                    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut stdout);
                    write(&mut buffered).and_then(|()| buffered.flush())
                }
            };
            match written.and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::from(done.code),
                // A closed pipe (`routemap forecast | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(done.code),
                Err(e) => {
                    eprintln!(
                        "error: cannot write to standard output: {}",
                        routemap::error::io_reason(&e)
                    );
                    ExitCode::from(EX_IOERR)
                }
            }
        }
        Err(error) => {
            eprint!("{}", terminal(&error.to_string()));
            ExitCode::from(2)
        }
    };
    // The operating system takes the session's memory back at once; freeing it piece by piece
    // would only delay the exit.
    std::mem::forget(session);
    code
}
