//! The `Test` builder: one run of the real `routemap` binary, the way a user runs it, in the
//! manner of casey/just's integration tests. A `Test` owns a fresh temporary directory, writes the
//! files the run needs into it, runs the binary with the arguments and environment given, and
//! checks the exit code and, where asked, standard output and standard error; `run` hands back
//! what the run wrote (and the directory, for any files it made) for a test's own assertions and
//! snapshots. Snapshots are taken by the test itself (`insta::assert_snapshot!`), since insta names
//! a snapshot after the module that asserts it.
//!
//! ```ignore
//! let test = Test::new().write("routemap.yaml", "document: ...");
//! let model = test.path("routemap.yaml");
//! let out = test.args(["--model", &model, "check"]).status(2).stdout("").run();
//! assert!(out.stderr.contains("unknown field"), "{}", out.stderr);
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh, empty directory under Cargo's directory for integration tests' files
/// (`target/tmp/`), unique to this test process and call, removed with everything in it when
/// dropped (also when a test fails).
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new directory whose name starts `{name}-`.
    pub fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{name}-{}-{n}", std::process::id()));
        // A leftover of an earlier process that had the same id.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// A path inside the directory, as a string to pass to `routemap`; `path("")` is the
    /// directory itself.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("the temporary directory's path is UTF-8").to_string()
    }

    /// The names of what the directory holds, sorted.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", self.0.display()))
            .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run must have written on one stream.
enum Expect {
    /// Anything: the test looks at it itself.
    Anything,
    /// Exactly this.
    Is(String),
    /// Each of these somewhere.
    Contains(Vec<String>),
}

impl Expect {
    fn check(&self, stream: &str, actual: &str, what: &str) {
        match self {
            Expect::Anything => {}
            Expect::Is(expected) => {
                assert!(actual == expected, "{what}: {stream} is not as expected:\n{actual}")
            }
            Expect::Contains(parts) => {
                for part in parts {
                    assert!(actual.contains(part), "{what}: no {part:?} on {stream}:\n{actual}");
                }
            }
        }
    }

    fn contains(self, part: &str) -> Expect {
        match self {
            Expect::Contains(mut parts) => {
                parts.push(part.to_string());
                Expect::Contains(parts)
            }
            _ => Expect::Contains(vec![part.to_string()]),
        }
    }
}

/// One run of `routemap` to be made, in its own temporary directory.
#[must_use = "a Test does nothing until it is run"]
pub struct Test {
    tempdir: TempDir,
    args: Vec<String>,
    env: Vec<(String, Option<String>)>,
    status: Option<i32>,
    stdout: Expect,
    stderr: Expect,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Output {
    /// The exit code.
    pub code: i32,
    /// Everything written to standard output.
    pub stdout: String,
    /// Everything written to standard error.
    pub stderr: String,
    /// The run's temporary directory, with whatever the run left in it.
    pub tempdir: TempDir,
}

impl std::fmt::Debug for TempDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Test {
    /// A run with no arguments in a fresh temporary directory, expected to exit 0.
    pub fn new() -> Test {
        Test::with_tempdir(TempDir::new("routemap-test"))
    }

    /// A run in a directory an earlier run left ([`Output::tempdir`]), expected to exit 0.
    pub fn with_tempdir(tempdir: TempDir) -> Test {
        Test {
            tempdir,
            args: Vec::new(),
            env: Vec::new(),
            status: Some(0),
            stdout: Expect::Anything,
            stderr: Expect::Anything,
        }
    }

    /// A path inside the temporary directory, as a string to pass to `routemap`; `path("")` is
    /// the directory itself.
    pub fn path(&self, name: &str) -> String {
        self.tempdir.path(name)
    }

    /// Write a file into the temporary directory (making the directories on its way).
    pub fn write(self, name: &str, contents: impl AsRef<[u8]>) -> Test {
        let path = self.tempdir.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        }
        std::fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        self
    }

    /// Copy a file of the repository (a path relative to the crate) into the temporary
    /// directory.
    pub fn copy(self, from: &str, to: &str) -> Test {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
        let text =
            std::fs::read(&from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display()));
        self.write(to, text)
    }

    /// Arguments, after any given before.
    pub fn args<'a>(mut self, args: impl IntoIterator<Item = &'a str>) -> Test {
        self.args.extend(args.into_iter().map(str::to_string));
        self
    }

    /// An environment variable for the run.
    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_string(), Some(value.to_string())));
        self
    }

    /// An environment variable taken away for the run (`NO_COLOR`, say, which every run has
    /// unless it is taken away).
    pub fn env_remove(mut self, key: &str) -> Test {
        self.env.push((key.to_string(), None));
        self
    }

    /// The exit code the run must end with (0 unless set).
    pub fn status(mut self, code: i32) -> Test {
        self.status = Some(code);
        self
    }

    /// Any exit code will do: the test looks at it itself (the run must still exit, not be
    /// killed by a signal).
    pub fn any_status(mut self) -> Test {
        self.status = None;
        self
    }

    /// Exactly what the run must write to standard output.
    pub fn stdout(mut self, expected: &str) -> Test {
        self.stdout = Expect::Is(expected.to_string());
        self
    }

    /// Exactly what the run must write to standard error.
    pub fn stderr(mut self, expected: &str) -> Test {
        self.stderr = Expect::Is(expected.to_string());
        self
    }

    /// Something standard error must contain (each call adds one).
    pub fn stderr_contains(mut self, part: &str) -> Test {
        self.stderr = self.stderr.contains(part);
        self
    }

    /// Run `routemap` from the crate root, so that the paths in its messages are relative and
    /// the same on every machine, its output captured through pipes, never a terminal, and
    /// colour switched off (unless `NO_COLOR` is taken away); check what was asked; hand back
    /// what it did.
    pub fn run(self) -> Output {
        let args = &self.args;
        let mut command = Command::new(env!("CARGO_BIN_EXE_routemap"));
        command
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .env("RUST_BACKTRACE", "0");
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let output =
            command.output().unwrap_or_else(|e| panic!("cannot run routemap {args:?}: {e}"));
        let code = output
            .status
            .code()
            .unwrap_or_else(|| panic!("routemap {args:?} was killed by a signal"));
        let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
        let what = format!("routemap {args:?}");
        if let Some(expected) = self.status {
            assert_eq!(code, expected, "{what} exited {code}:\n{stdout}\n{stderr}");
        }
        self.stdout.check("standard output", &stdout, &what);
        self.stderr.check("standard error", &stderr, &what);
        Output { code, stdout, stderr, tempdir: self.tempdir }
    }
}
