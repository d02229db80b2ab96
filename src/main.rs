//! The `routemap` command: parse arguments, run, print, map the result to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = routemap::cli::Cli::parse();
    match routemap::cli::run(&args) {
        Ok(done) => {
            eprint!("{}", done.stderr);
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`routemap forecast | head`) is not an error.
            let _ = stdout.write_all(done.stdout.as_bytes()).and_then(|()| stdout.flush());
            ExitCode::from(done.code)
        }
        Err(error) => {
            eprint!("{error}");
            ExitCode::from(2)
        }
    }
}
