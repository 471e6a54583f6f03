//! # 取证 Quzheng
//!
//! Turns a phone's messages into evidence of unlawful debt collection, offline and private:
//! import ([`import`]) → classify ([`classify`]) → store encrypted and hash-chained
//! ([`vault`]) → evidence pack ([`report`]). [`api`] holds the use cases shared by the CLI
//! and the desktop app, so both behave the same.
//!
//! Dependency direction: `api` → `import`, `classify`, `vault`, `report` → `model`, `i18n`,
//! `assets`, `error`, `measure` (benchmarks' /proc readings). The four middle modules never import each other.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod api;
pub mod classify;
pub mod error;
pub mod i18n;
pub mod import;
pub mod measure;
pub mod model;
pub mod report;
pub mod vault;

pub use error::{Error, ErrorKind, Result};
