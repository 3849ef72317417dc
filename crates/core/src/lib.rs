//! harrier-core: Harrier's domain, free of HTTP and SQL types.
//!
//! Intake (reports and their locations), the help directory, the taxonomy,
//! staff accounts, evidence files, the patrol's items and providers, and the ports (traits) that storage
//! backends implement. Nothing here opens a socket or a database; reading the
//! wall clock goes through [`clock::Clock`] only.

pub mod accounts;
pub mod audit;
pub mod bounded;
pub mod cases;
pub mod clock;
pub mod decisions;
pub mod directory;
pub mod evidence;
pub mod intake;
pub mod orders;
pub mod patrol;
pub mod ports;
pub mod seal;
pub mod taxonomy;
