//! The shell's managed state: where the vault lives, the open vault with its in-memory view,
//! the unlock throttle and the last built evidence pack.
//!
//! Invariants: at most one vault is open; `Session::stored` and `Session::index` always
//! describe the same messages (every mutation goes through [`Session::reload`] or
//! [`Session::replace`]). Locking drops the session, which zeroizes the vault's key.
//!
//! The passphrase is not kept: it is dropped (zeroized) as soon as the vault is unlocked.
//! Every use case the app runs while unlocked — import (`api::import::import_files_into`),
//! corrections, creditor renames and merges, settings, passphrase change (which asks for the
//! current passphrase again) — works on the open `Vault`.

use crate::error::{IpcError, Result};
use crate::view::ViewIndex;
use quzheng::vault::{StoredMessage, Vault, VaultSettings};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Everything the app holds while the vault is unlocked.
pub struct Session {
    /// The open vault.
    pub vault: Vault,
    /// Its messages, decrypted, by id order of the vault.
    pub stored: Vec<StoredMessage>,
    /// Position in `stored` by message id.
    pub pos: BTreeMap<i64, usize>,
    /// The list/overview index.
    pub index: ViewIndex,
    /// The vault's settings.
    pub settings: VaultSettings,
}

impl Session {
    /// Opens the session over `vault`, reading every message once.
    ///
    /// # Errors
    /// A vault error (damaged record, storage failure).
    pub fn new(vault: Vault) -> Result<Self> {
        let mut s = Session {
            settings: vault.settings()?,
            vault,
            stored: Vec::new(),
            pos: BTreeMap::new(),
            index: ViewIndex::default(),
        };
        s.reload()?;
        Ok(s)
    }

    /// Re-reads messages, settings and aliases from the vault (after an import or a
    /// reclassification).
    ///
    /// # Errors
    /// A vault error.
    pub fn reload(&mut self) -> Result<()> {
        self.settings = self.vault.settings()?;
        let stored = self.vault.messages()?;
        self.replace(stored)
    }

    /// Rebuilds the index over `stored` (after a correction or a creditor rename).
    ///
    /// # Errors
    /// A vault error while reading aliases.
    pub fn replace(&mut self, stored: Vec<StoredMessage>) -> Result<()> {
        let aliases = self.vault.creditor_aliases()?;
        let zone = self.zone();
        self.index = ViewIndex::build(
            stored.iter().map(|m| (m.id, &m.message, m.effective())),
            zone,
            &aliases,
        );
        self.pos = stored.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        self.stored = stored;
        Ok(())
    }

    /// The display zone (the setting, or Beijing time when unset or unknown).
    pub fn zone(&self) -> chrono_tz::Tz {
        quzheng::model::time::parse_zone(&self.settings.zone)
            .unwrap_or(quzheng::model::time::DEFAULT_ZONE)
    }

    /// The stored message `id`.
    ///
    /// # Errors
    /// `bad_input` when there is no such message.
    pub fn message(&self, id: i64) -> Result<&StoredMessage> {
        self.pos
            .get(&id)
            .map(|&i| &self.stored[i])
            .ok_or_else(|| quzheng::Error::bad_input("message", id.to_string()).into())
    }
}

/// Growing delay between unlock attempts after repeated failures. Two free retries (typos
/// happen), then 2 s, 4 s, 8 s … capped at 5 minutes. Kept in the shell so a script in the
/// webview cannot skip it; it resets on success and when the app restarts.
#[derive(Debug, Default)]
pub struct Throttle {
    failures: u32,
    not_before: Option<Instant>,
}

impl Throttle {
    const FREE: u32 = 2;
    const CAP: Duration = Duration::from_secs(300);

    /// Seconds to wait before another attempt is allowed (0 = now).
    pub fn wait(&self, now: Instant) -> u64 {
        match self.not_before {
            Some(t) if t > now => (t - now).as_secs_f64().ceil() as u64,
            _ => 0,
        }
    }

    /// Records a failure; returns the delay now in force, in seconds.
    pub fn fail(&mut self, now: Instant) -> u64 {
        self.failures = self.failures.saturating_add(1);
        let extra = self.failures.saturating_sub(Self::FREE);
        let delay = if extra == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1u64 << extra.min(9)).min(Self::CAP)
        };
        self.not_before = Some(now + delay);
        delay.as_secs()
    }

    /// Records a success.
    pub fn succeed(&mut self) {
        *self = Throttle::default();
    }
}

/// The built pack kept until the user saves its parts (dropped on lock).
pub struct BuiltPack {
    /// The pack (PDF, CSV, JSON, optional DOCX letter).
    pub pack: quzheng::report::Pack,
    /// Records in it.
    pub messages: usize,
}

/// The managed state.
pub struct AppState {
    /// Path of the vault file.
    pub vault_path: PathBuf,
    session: Mutex<Option<Session>>,
    /// The unlock throttle.
    pub throttle: Mutex<Throttle>,
    /// The last built pack.
    pub pack: Mutex<Option<BuiltPack>>,
}

/// Locks a mutex, recovering from poisoning: a panic in one command must not brick the app
/// (the data inside is only replaced whole, never left half-written).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    /// State for the vault at `vault_path` (nothing is opened yet).
    pub fn new(vault_path: PathBuf) -> Self {
        AppState {
            vault_path,
            session: Mutex::new(None),
            throttle: Mutex::new(Throttle::default()),
            pack: Mutex::new(None),
        }
    }

    /// The session slot (None while locked).
    pub fn slot(&self) -> MutexGuard<'_, Option<Session>> {
        lock(&self.session)
    }

    /// Runs `f` on the open session.
    ///
    /// # Errors
    /// `locked` when no vault is open, or whatever `f` returns.
    pub fn with<T>(&self, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        match self.slot().as_mut() {
            Some(s) => f(s),
            None => Err(IpcError::shell("locked")),
        }
    }
}

/// Runs `f` on a blocking thread with the managed state, so long work (Argon2, decrypting
/// 100,000 records, building a PDF) never freezes the window: Tauri runs non-async commands
/// on the main thread.
///
/// # Errors
/// Whatever `f` returns; `internal` if it panicked (the panic message is not shown).
pub async fn blocking<R: tauri::Runtime, T: Send + 'static>(
    app: tauri::AppHandle<R>,
    f: impl FnOnce(&AppState) -> Result<T> + Send + 'static,
) -> Result<T> {
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || f(app.state::<AppState>().inner()))
        .await
        .unwrap_or_else(|_| Err(IpcError::shell("internal")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_grows_and_resets() {
        let t0 = Instant::now();
        let mut t = Throttle::default();
        assert_eq!(t.fail(t0), 0);
        assert_eq!(t.fail(t0), 0);
        assert_eq!(t.wait(t0), 0);
        assert_eq!(t.fail(t0), 2);
        assert_eq!(t.wait(t0), 2);
        assert_eq!(t.wait(t0 + Duration::from_secs(2)), 0);
        assert_eq!(t.fail(t0), 4);
        for _ in 0..20 {
            t.fail(t0);
        }
        assert_eq!(t.wait(t0), 300, "capped");
        t.succeed();
        assert_eq!(t.wait(t0), 0);
    }
}
