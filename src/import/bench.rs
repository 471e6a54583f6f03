//! Import benchmark (next commit).
