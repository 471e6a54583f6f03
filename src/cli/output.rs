//! Printing helpers shared by the commands (tables, JSON Lines, progress bars).
