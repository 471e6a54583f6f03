//! Creditors: list with counts and aliases; rename and merge.

use crate::error::Result;
use crate::state::blocking;
use quzheng::api::classify::CreditorRow;
use tauri::{AppHandle, Runtime};

/// Creditors with their collection-message counts, most first (the core's own listing).
#[tauri::command]
pub async fn list_creditors<R: Runtime>(app: AppHandle<R>) -> Result<Vec<CreditorRow>> {
    blocking(app, |st| {
        st.with(|s| Ok(quzheng::api::classify::creditors(&s.vault)?))
    })
    .await
}

/// Renames `from` to `to`; when `to` is already a creditor, `from` is merged into it.
#[tauri::command]
pub async fn rename_creditor<R: Runtime>(
    app: AppHandle<R>,
    from: String,
    to: String,
) -> Result<()> {
    blocking(app, move |st| {
        st.with(|s| {
            let to_trimmed = to.trim();
            let merge = quzheng::api::classify::creditors(&s.vault)?
                .iter()
                .any(|c| c.name == to_trimmed);
            quzheng::api::classify::alias_creditor_in(&mut s.vault, &from, &to, merge)?;
            let stored = std::mem::take(&mut s.stored);
            s.replace(stored)
        })
    })
    .await
}
