//! typedstream (next commit)
