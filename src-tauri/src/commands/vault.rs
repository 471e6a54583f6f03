//! Vault lifecycle: create, unlock (throttled), lock, passphrase, settings, delete.

use crate::error::{IpcError, Result};
use crate::state::{blocking, lock, Session};
use quzheng::vault::VaultSettings;
use std::time::Instant;
use tauri::{AppHandle, Runtime};
use zeroize::Zeroizing;

/// Creates the vault and opens it.
#[tauri::command]
pub async fn create_vault<R: Runtime>(app: AppHandle<R>, passphrase: String) -> Result<()> {
    let pass = Zeroizing::new(passphrase);
    blocking(app, move |st| {
        if st.vault_path.exists() {
            return Err(IpcError::shell("exists"));
        }
        let vault = quzheng::api::vault::create(&st.vault_path, &pass)?;
        *st.slot() = Some(Session::new(vault)?);
        Ok(())
    })
    .await
}

/// Unlocks the vault; after repeated failures the caller must wait (see `Throttle`).
#[tauri::command]
pub async fn unlock_vault<R: Runtime>(app: AppHandle<R>, passphrase: String) -> Result<()> {
    let pass = Zeroizing::new(passphrase);
    blocking(app, move |st| {
        let wait = lock(&st.throttle).wait(Instant::now());
        if wait > 0 {
            return Err(IpcError::shell("retry_later").retry_after(wait));
        }
        if !st.vault_path.exists() {
            return Err(IpcError::shell("missing"));
        }
        match quzheng::api::vault::open(&st.vault_path, &pass) {
            Ok(vault) => {
                lock(&st.throttle).succeed();
                *st.slot() = Some(Session::new(vault)?);
                Ok(())
            }
            Err(e) if e.kind() == quzheng::ErrorKind::WrongPassphrase => {
                let delay = lock(&st.throttle).fail(Instant::now());
                Err(IpcError::from(e).retry_after(delay))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// Locks: drops the open vault (its key is zeroized) and the built pack.
#[tauri::command]
pub async fn lock_vault<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    blocking(app, |st| {
        *st.slot() = None;
        *lock(&st.pack) = None;
        Ok(())
    })
    .await
}

/// Changes the passphrase after checking the current one.
#[tauri::command]
pub async fn change_passphrase<R: Runtime>(
    app: AppHandle<R>,
    old: String,
    new: String,
) -> Result<()> {
    let (old, new) = (Zeroizing::new(old), Zeroizing::new(new));
    blocking(app, move |st| {
        st.with(|s| {
            // The core checks the old passphrase, so an unattended unlocked app cannot be
            // used to take the vault over; the open vault is re-wrapped in place.
            Ok(quzheng::api::vault::change_passphrase(
                &mut s.vault,
                &old,
                &new,
            )?)
        })
    })
    .await
}

/// The vault's settings.
#[tauri::command]
pub async fn get_settings<R: Runtime>(app: AppHandle<R>) -> Result<VaultSettings> {
    blocking(app, |st| st.with(|s| Ok(s.settings.clone()))).await
}

/// Saves settings and re-derives the labels that depend on them (night, frequency, zone).
#[tauri::command]
pub async fn save_settings<R: Runtime>(app: AppHandle<R>, settings: VaultSettings) -> Result<()> {
    blocking(app, move |st| {
        st.with(|s| {
            // Validate before storing: a bad zone or night window must not reach the vault.
            quzheng::api::classify::time_settings(
                Some(&settings.zone),
                Some(&settings.night),
                Some(settings.max_per_day),
            )?;
            s.vault.set_settings(&settings)?;
            quzheng::api::import::classify_vault(&mut s.vault, None)?;
            s.reload()
        })
    })
    .await
}

/// Deletes the vault file for good. `confirm` must be `delete-everything` (the UI sends it
/// only after the user typed the confirmation word), so no stray call can wipe the evidence.
#[tauri::command]
pub async fn delete_everything<R: Runtime>(app: AppHandle<R>, confirm: String) -> Result<()> {
    blocking(app, move |st| {
        if confirm != "delete-everything" {
            return Err(IpcError::shell("confirm"));
        }
        *st.slot() = None;
        *lock(&st.pack) = None;
        // SQLite may keep -wal/-shm/-journal files beside the vault; remove them too. The
        // data key lives only (wrapped) in the vault file, so ciphertext left on the disk's
        // free blocks cannot be read without it.
        let base = st.vault_path.as_os_str().to_owned();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = base.clone();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(crate::error::io(&p, e)),
            }
        }
        Ok(())
    })
    .await
}
