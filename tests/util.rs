//! Helpers for contract tests: a throw-away vault directory and a command runner for the
//! real `quzheng` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The passphrase every test vault uses.
pub const PASS: &str = "correct horse battery staple";

/// A temporary directory with a vault path inside it.
pub struct TempVault {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The vault file (not created until `init`).
    pub path: PathBuf,
}

impl TempVault {
    /// A fresh directory; the vault does not exist yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("vault.qz");
        TempVault { dir, path }
    }

    /// A fresh directory with an initialised vault.
    pub fn init() -> Self {
        let v = Self::new();
        v.cmd(&["init"]).ok();
        v
    }

    /// A command with `QUZHENG_VAULT` and `QUZHENG_PASSPHRASE` set for this vault.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        Cmd::new(args)
            .env("QUZHENG_VAULT", &self.path)
            .env("QUZHENG_PASSPHRASE", PASS)
    }

    /// A path inside the temporary directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Path to a file under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Path to a file under `../shared` (third-party fixtures that stay out of this repo).
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel)
}

/// A run of the real binary.
pub struct Cmd {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    /// `quzheng ARGS…` with a clean environment for the variables we read.
    pub fn new(args: &[&str]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_quzheng"));
        cmd.args(args);
        for v in [
            "QUZHENG_VAULT",
            "QUZHENG_PASSPHRASE",
            "QUZHENG_NEW_PASSPHRASE",
            "QUZHENG_LANG",
        ] {
            cmd.env_remove(v);
        }
        // Tests use cheap KDF parameters so they run fast; the product default is never cheap.
        cmd.env("QUZHENG_TEST_FAST_KDF", "1");
        Cmd { cmd, stdin: None }
    }

    /// Sets an environment variable.
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(k, v);
        self
    }

    /// Adds an argument.
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(a);
        self
    }

    /// Feeds standard input.
    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    /// Runs and returns the output, whatever the status.
    pub fn output(mut self) -> Output {
        use std::io::Write;
        self.cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spawn quzheng");
        if let Some(data) = self.stdin.take() {
            let mut si = child.stdin.take().expect("stdin");
            std::thread::spawn(move || {
                let _ = si.write_all(&data);
            });
        }
        child.wait_with_output().expect("wait quzheng")
    }

    /// Runs, asserts the exit status, returns stdout as text.
    pub fn code(self, expected: i32) -> String {
        let out = self.output();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "unexpected exit status\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
        stdout
    }

    /// Runs and asserts success.
    pub fn ok(self) -> String {
        self.code(0)
    }
}

/// Exit status and stderr of a run that is expected to fail.
pub fn fails(out: &Output) -> (i32, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Builds a SQLite database at `dest` from a SQL script under `tests/fixtures` (import area).
pub fn build_db(sql_rel: &str, dest: &Path) {
    let sql = std::fs::read_to_string(fixture(sql_rel)).expect("fixture script");
    let conn = rusqlite::Connection::open(dest).expect("create db");
    conn.execute_batch(&sql).expect("run fixture script");
}
