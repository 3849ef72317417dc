//! hash: being written (issue 3).
