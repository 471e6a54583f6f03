//! (import: being built; see the issue that owns it.)

use crate::error::ErrorKind;

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder until the module exists.
    #[error("import is not built yet")]
    NotBuilt,
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}
