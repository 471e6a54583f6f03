//! Import: runs the core's import use case on the open vault (`import_files_into`) on a
//! blocking thread and reports progress to the UI as `import-progress` events at least every
//! 250 ms (a ticker sends the latest snapshot every 150 ms, so even a slow phase such as
//! re-classification keeps the bar alive).

use crate::error::{self, Result};
use crate::state::{blocking, lock};
use quzheng::api::import::{ImportOptions, ImportProgress};
use quzheng::import::Format;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};

/// Interval of progress events (must stay under the 250 ms promised to the UI).
const TICK: Duration = Duration::from_millis(150);

/// The `import-progress` event payload.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProgressOut {
    /// File name being read.
    pub file: String,
    /// Its index (from 0).
    pub file_index: usize,
    /// Number of files.
    pub files: usize,
    /// Bytes read of this file.
    pub bytes_done: u64,
    /// Its size.
    pub bytes_total: u64,
    /// Records read of this file.
    pub records: u64,
}

/// One file's result in plain words.
#[derive(Debug, Serialize)]
pub struct FileSummary {
    /// File name.
    pub name: String,
    /// SHA-256 of the stored original (empty when the file was refused).
    pub sha256: String,
    /// Format read.
    pub format: String,
    /// Newly stored messages.
    pub imported: u64,
    /// Messages that were already in the vault.
    pub duplicates: u64,
    /// One sentence per skipped record.
    pub skipped: Vec<String>,
    /// One sentence per warning.
    pub warnings: Vec<String>,
    /// Why the whole file was refused (nothing of it was kept), if it was.
    pub error: Option<String>,
}

/// The whole run.
#[derive(Debug, Serialize)]
pub struct ImportSummary {
    /// Per file, in order.
    pub files: Vec<FileSummary>,
    /// Sum of `imported`.
    pub imported: u64,
    /// Sum of `duplicates`.
    pub duplicates: u64,
    /// Number of skipped records.
    pub skipped: usize,
    /// Number of warnings.
    pub warnings: usize,
    /// Files refused.
    pub failed: usize,
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Imports `paths` (format sniffed from content), then re-classifies the vault.
#[tauri::command]
pub async fn import_files<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<String>,
) -> Result<ImportSummary> {
    let emitter = app.clone();
    blocking(app, move |st| {
        let files: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        let opts = ImportOptions {
            format: Format::Auto,
            create: false,
            rules: None,
        };
        let snapshot = Mutex::new(ProgressOut {
            files: files.len(),
            file: files.first().map(|p| file_name(p)).unwrap_or_default(),
            ..Default::default()
        });
        let done = AtomicBool::new(false);
        let (outcome, sources) = st.with(|s| {
            let outcome = std::thread::scope(|scope| {
                scope.spawn(|| {
                    while !done.load(Ordering::Relaxed) {
                        let _ = emitter.emit("import-progress", lock(&snapshot).clone());
                        std::thread::sleep(TICK);
                    }
                });
                let mut on_progress = |p: ImportProgress| {
                    let mut s = lock(&snapshot);
                    s.file_index = p.file_index;
                    s.file = files
                        .get(p.file_index)
                        .map(|f| file_name(f))
                        .unwrap_or_default();
                    s.bytes_done = p.within.bytes_done;
                    s.bytes_total = p.within.bytes_total;
                    s.records = p.within.records;
                };
                // The open vault, not a passphrase: the shell holds none while unlocked.
                let r = quzheng::api::import::import_files_into(
                    &mut s.vault,
                    &files,
                    &opts,
                    &mut on_progress,
                );
                done.store(true, Ordering::Relaxed);
                r
            });
            // Each file is its own transaction, so even after a failure some files may
            // have been stored: the view is rebuilt either way.
            let reloaded = s.reload();
            let outcome = outcome?;
            reloaded?;
            Ok((outcome, s.vault.sources()?))
        })?;
        let lang = error::lang();
        let files: Vec<FileSummary> = outcome
            .files
            .iter()
            .map(|f| {
                let name = file_name(&f.path);
                FileSummary {
                    sha256: sources
                        .iter()
                        .rev()
                        .find(|s| s.name == name)
                        .map(|s| s.sha256.clone())
                        .unwrap_or_default(),
                    name,
                    format: f
                        .report
                        .as_ref()
                        .map(|r| r.format.to_string())
                        .unwrap_or_default(),
                    imported: f.imported,
                    duplicates: f.duplicates,
                    skipped: f
                        .report
                        .iter()
                        .flat_map(|r| &r.skipped)
                        .map(|s| quzheng::i18n::import::skipped_line(s, lang))
                        .collect(),
                    warnings: f
                        .report
                        .iter()
                        .flat_map(|r| &r.warnings)
                        .map(|w| quzheng::i18n::import::warning(w, lang))
                        .collect(),
                    error: f
                        .error
                        .as_ref()
                        .map(|e| quzheng::i18n::error_message(e, lang)),
                }
            })
            .collect();
        Ok(ImportSummary {
            imported: files.iter().map(|f| f.imported).sum(),
            duplicates: files.iter().map(|f| f.duplicates).sum(),
            skipped: files.iter().map(|f| f.skipped.len()).sum(),
            warnings: files.iter().map(|f| f.warnings.len()).sum(),
            failed: files.iter().filter(|f| f.error.is_some()).count(),
            files,
        })
    })
    .await
}
