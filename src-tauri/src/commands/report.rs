//! The evidence pack: build (kept in memory until saved), the PDF bytes for the in-app
//! preview, save one part through the save dialog's path, verify a saved pack.

use crate::error::{self, IpcError, Result};
use crate::state::{blocking, lock, BuiltPack};
use quzheng::api::report::{build_pack, pack_input, verify_file, Selection};
use quzheng::report::{Audience, PackOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tauri::{AppHandle, Runtime};

/// What the user chose on the pack screen.
#[derive(Debug, Deserialize)]
pub struct PackRequest {
    /// Creditor names; empty = all.
    #[serde(default)]
    pub creditors: Vec<String>,
    /// First local day `YYYY-MM-DD`.
    pub since: Option<String>,
    /// Last local day, inclusive.
    pub until: Option<String>,
    /// Who the letter is for.
    pub audience: Option<Audience>,
    /// The complainant's name (empty = none).
    #[serde(default)]
    pub complainant: String,
}

/// The built pack as the UI sees it.
#[derive(Debug, Serialize)]
pub struct PackInfo {
    /// SHA-256 of the PDF.
    pub sha256: String,
    /// Pack id printed on the cover.
    pub pack_id: String,
    /// Pages.
    pub pages: usize,
    /// Records in the pack.
    pub messages: usize,
    /// Whether a DOCX letter was made (only with an audience).
    pub has_docx: bool,
}

/// Builds the pack for the selection and keeps it until saved or the vault is locked.
#[tauri::command]
pub async fn build_report<R: Runtime>(app: AppHandle<R>, request: PackRequest) -> Result<PackInfo> {
    blocking(app, move |st| {
        let sel = Selection {
            creditors: request.creditors,
            since: request.since.filter(|s| !s.is_empty()),
            until: request.until.filter(|s| !s.is_empty()),
            complainant: Some(request.complainant.trim().to_string()).filter(|s| !s.is_empty()),
        };
        let opts = PackOptions {
            now: chrono::Utc::now(),
            audience: request.audience,
            lang: quzheng::i18n::Lang::Zh,
        };
        let (pack, n) = st.with(|s| {
            let input = pack_input(&s.vault, &sel)?;
            Ok((build_pack(&input, &opts)?, input.messages.len()))
        })?;
        let info = PackInfo {
            sha256: pack.sha256.clone(),
            pack_id: pack.pack_id.clone(),
            pages: pack.pages,
            messages: n,
            has_docx: pack.letters_docx.is_some(),
        };
        *lock(&st.pack) = Some(BuiltPack { pack, messages: n });
        Ok(info)
    })
    .await
}

/// The last built PDF, as raw bytes (an `ArrayBuffer` in the UI).
#[tauri::command]
pub async fn pack_pdf<R: Runtime>(app: AppHandle<R>) -> Result<tauri::ipc::Response> {
    blocking(app, |st| {
        let pack = lock(&st.pack);
        let p = pack.as_ref().ok_or_else(|| IpcError::shell("no_pack"))?;
        Ok(tauri::ipc::Response::new(p.pack.pdf.clone()))
    })
    .await
}

/// Where a part was saved and its SHA-256.
#[derive(Debug, Serialize)]
pub struct Saved {
    /// The file written.
    pub path: String,
    /// SHA-256 of the bytes written.
    pub sha256: String,
}

/// Saves one part (`pdf`, `docx`, `csv`, `json`) of the last built pack to `path`; saving
/// the PDF is logged in the vault's chain as an export.
#[tauri::command]
pub async fn save_pack<R: Runtime>(app: AppHandle<R>, part: String, path: String) -> Result<Saved> {
    blocking(app, move |st| {
        let path = PathBuf::from(path);
        let built = lock(&st.pack);
        let b = built.as_ref().ok_or_else(|| IpcError::shell("no_pack"))?;
        let bytes: &[u8] = match part.as_str() {
            "pdf" => &b.pack.pdf,
            "csv" => &b.pack.csv,
            "json" => &b.pack.json,
            "docx" => b
                .pack
                .letters_docx
                .as_deref()
                .ok_or_else(|| IpcError::shell("no_pack"))?,
            other => return Err(quzheng::Error::bad_input("part", other).into()),
        };
        quzheng::api::report::write_atomic(&path, bytes)?;
        if part == "pdf" {
            st.with(|s| {
                Ok(quzheng::api::report::record_export(
                    &mut s.vault,
                    &b.pack,
                    b.messages,
                )?)
            })?;
        }
        Ok(Saved {
            path: path.display().to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
        })
    })
    .await
}

/// The result of checking a saved pack.
#[derive(Debug, Serialize)]
pub struct VerifyOut {
    /// Every hash matched.
    pub intact: bool,
    /// One sentence: intact (with pack id, records, pages) or what differs.
    pub detail: String,
}

/// Checks a pack file against the manifest inside it (the same check as `quzheng verify`).
#[tauri::command]
pub async fn verify_pack<R: Runtime>(app: AppHandle<R>, path: String) -> Result<VerifyOut> {
    blocking(app, move |_| {
        let r = verify_file(Path::new(&path))?;
        let lang = error::lang();
        Ok(if r.intact() {
            VerifyOut {
                intact: true,
                detail: quzheng::i18n::report::verify_intact(&r.pack_id, r.messages, r.pages, lang),
            }
        } else {
            let problems: Vec<String> = r
                .problems
                .iter()
                .map(|p| quzheng::i18n::report::verify_problem(p, lang))
                .collect();
            VerifyOut {
                intact: false,
                detail: problems.join(" "),
            }
        })
    })
    .await
}
