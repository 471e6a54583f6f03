//! The app's commands, one small group per file. Each command locks the state, calls the
//! core (`quzheng::api`, `quzheng::vault`) and maps the error; logic beyond that lives in the
//! core or, for the list/overview view model, in [`crate::view`].

pub mod app;
pub mod creditors;
pub mod import;
pub mod messages;
pub mod report;
pub mod vault;
