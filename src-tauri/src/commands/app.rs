//! App-level commands: the label table, the UI language, the file dialogs.

use crate::error::{self, IpcError, Result};
use crate::state::AppState;
use quzheng::i18n::Lang;
use quzheng::model::Label;
use serde::Serialize;
use std::path::PathBuf;
use tauri::{Runtime, State};
use tauri_plugin_dialog::DialogExt;

/// Test-only override of the open dialog: a list of paths separated by the platform's path
/// separator (`:` on Linux). Used by the end-to-end test, which cannot click native dialogs.
pub const E2E_OPEN_ENV: &str = "QUZHENG_E2E_OPEN_FILES";
/// Test-only override of the save dialog: a directory; the file keeps its suggested name.
pub const E2E_SAVE_ENV: &str = "QUZHENG_E2E_SAVE_DIR";
/// Benchmark only (`scripts/coldstart.sh`): when set, the first [`ui_ready`] prints
/// `quzheng-ready <screen> <unix ms>` on stdout and quits, so a script can time the cold
/// start from launch to an interactive first screen without WebDriver in between.
pub const READY_EXIT_ENV: &str = "QUZHENG_READY_EXIT";

/// A label as the UI shows it.
#[derive(Debug, Serialize)]
pub struct LabelInfo {
    /// Contract id (`threat`).
    pub id: &'static str,
    /// Display name in the current language (from the core's one table).
    pub name: &'static str,
    /// Whether it is a time label (decided from timestamps, not text).
    pub time: bool,
}

/// What the UI needs before unlock.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    /// App version.
    pub version: &'static str,
    /// Whether the vault file exists (first run otherwise).
    pub vault_exists: bool,
    /// Where it is.
    pub vault_path: String,
    /// Every label, in contract order.
    pub labels: Vec<LabelInfo>,
}

/// The label table and whether a vault exists.
#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    let lang = error::lang();
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        vault_exists: state.vault_path.exists(),
        vault_path: state.vault_path.display().to_string(),
        labels: Label::ALL
            .iter()
            .map(|&l| LabelInfo {
                id: l.id(),
                name: quzheng::i18n::label_name(l, lang),
                time: l.is_time_label(),
            })
            .collect(),
    }
}

/// The UI reports that its first screen is drawn and its input focused (`screen`: `unlock`
/// or `first-run`). Does nothing unless [`READY_EXIT_ENV`] is set (cold-start benchmark).
#[tauri::command]
pub fn ui_ready<R: Runtime>(app: tauri::AppHandle<R>, screen: String) {
    if std::env::var_os(READY_EXIT_ENV).is_none() {
        return;
    }
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    // Only a fixed word from the UI's own list reaches stdout, nothing the user typed.
    let screen = if screen == "unlock" {
        "unlock"
    } else {
        "first-run"
    };
    println!("quzheng-ready {screen} {ms}");
    app.exit(0);
}

/// Sets the language of error sentences (`zh` or `en`).
#[tauri::command]
pub fn set_language(lang: String) -> Result<()> {
    let l: Lang = lang
        .parse()
        .map_err(|v: String| IpcError::from(quzheng::Error::bad_input("lang", v)))?;
    error::set_lang(l);
    Ok(())
}

/// Asks the user for files to import (or reads [`E2E_OPEN_ENV`]). Empty = cancelled.
#[tauri::command]
pub async fn pick_files<R: Runtime>(app: tauri::AppHandle<R>) -> Vec<String> {
    if let Some(list) = std::env::var_os(E2E_OPEN_ENV) {
        return std::env::split_paths(&list)
            .map(|p| p.display().to_string())
            .collect();
    }
    app.dialog()
        .file()
        .blocking_pick_files()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .map(|p| p.display().to_string())
        .collect()
}

/// Asks where to save (or uses [`E2E_SAVE_ENV`]). `None` = cancelled.
#[tauri::command]
pub async fn pick_save_path<R: Runtime>(
    app: tauri::AppHandle<R>,
    default_name: String,
) -> Option<String> {
    // Only the file name of the suggestion is used, so the UI cannot steer the directory.
    let name = PathBuf::from(&default_name)
        .file_name()
        .map(PathBuf::from)?;
    if let Some(dir) = std::env::var_os(E2E_SAVE_ENV) {
        return Some(PathBuf::from(dir).join(name).display().to_string());
    }
    app.dialog()
        .file()
        .set_file_name(name.display().to_string())
        .blocking_save_file()
        .and_then(|f| f.into_path().ok())
        .map(|p| p.display().to_string())
}
