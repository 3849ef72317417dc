//! harrier-store: the storage ports of harrier-core, implemented.
//!
//! SQLite (the default: one file in WAL mode, one writer thread that groups
//! concurrent commits) and a content-addressed blob folder. PostgreSQL and
//! NATS arrive with the scale-out issue and must pass the same conformance
//! tests (`tests/conformance.rs`).

mod blobs;
mod sqlite;

pub use blobs::FsBlobStore;
pub use sqlite::{SqliteOptions, SqliteStore};
