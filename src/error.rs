//! The crate-wide error: one variant per module error, and [`Error::kind`], which decides
//! the exit status (contract: 1 damage, 2 bad input, 3 wrong passphrase, 4 other) and the
//! app's error `code`. User-facing sentences come from [`crate::i18n::error_message`].

/// Broad class of an error; the CLI maps it to an exit code, the app to a `code` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or usage: a malformed file, an unknown flag value, nothing selected. Exit 2.
    BadInput,
    /// The passphrase does not unlock the vault. Exit 3.
    WrongPassphrase,
    /// Stored data failed an integrity check. Exit 1.
    Damaged,
    /// Anything else (I/O failure, full disk). Exit 4.
    Other,
}

impl ErrorKind {
    /// The process exit status for this kind (../shared/contract/cli.md).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Damaged => 1,
            ErrorKind::BadInput => 2,
            ErrorKind::WrongPassphrase => 3,
            ErrorKind::Other => 4,
        }
    }

    /// A stable machine-readable code for the app (`bad_input`, `wrong_passphrase`, …).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::BadInput => "bad_input",
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::Damaged => "damaged",
            ErrorKind::Other => "other",
        }
    }
}

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Opening, reading or writing the vault.
    #[error(transparent)]
    Vault(#[from] crate::vault::Error),
    /// Reading a source file.
    #[error(transparent)]
    Import(#[from] crate::import::Error),
    /// Loading rule packs or classifying.
    #[error(transparent)]
    Classify(#[from] crate::classify::Error),
    /// Building or verifying an evidence pack.
    #[error(transparent)]
    Report(#[from] crate::report::Error),
    /// A usage problem found by the use-case layer (bad flag value, unknown creditor).
    #[error("bad input: {what}")]
    BadInput {
        /// i18n key of the sentence to show.
        key: &'static str,
        /// The offending value (flag value, creditor name, path), shown in the sentence.
        what: String,
    },
    /// An I/O failure on a path that is not evidence input (output files, directories).
    #[error("i/o error on {path}: {source}")]
    Io {
        /// The path that failed.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// The broad class, which decides exit code and app `code`.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Vault(e) => e.kind(),
            Error::Import(e) => e.kind(),
            Error::Classify(e) => e.kind(),
            Error::Report(e) => e.kind(),
            Error::BadInput { .. } => ErrorKind::BadInput,
            Error::Io { .. } => ErrorKind::Other,
        }
    }

    /// Shorthand for [`Error::BadInput`].
    pub fn bad_input(key: &'static str, what: impl Into<String>) -> Self {
        Error::BadInput {
            key,
            what: what.into(),
        }
    }

    /// Shorthand for [`Error::Io`].
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
