//! classify: being written (issue 3).
