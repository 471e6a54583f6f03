//! (being built in the next commit)
use super::{Error, Format, ImportReport, Sink};
use std::path::Path;

pub(super) fn read(path: &Path, _sink: &mut Sink<'_>) -> Result<ImportReport, crate::Error> {
    Err(Error::WrongFormat {
        path: path.to_path_buf(),
        format: Format::Sbr,
        detail: "reader not built yet".into(),
    }
    .into())
}
