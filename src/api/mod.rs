//! Use cases shared by the CLI and the app. Each function takes plain arguments (paths,
//! passphrases, options) and returns plain values; both shells call these and nothing else.

// classify area
pub mod classify;

// vault area
pub mod import;
pub mod vault;
// report area
pub mod report;
