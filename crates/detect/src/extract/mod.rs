//! extract: being written (issue 3).
