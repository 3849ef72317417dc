//! Intake: reports from every channel, validated into one shape.
//!
//! `report` validates, `target` normalises what a report points at,
//! `receipt` makes the reporter's code, `extract` finds locations in free
//! text and `mail` reads e-mailed tip-offs.

pub mod extract;
pub mod location;
pub mod mail;
pub mod receipt;
pub mod report;
pub mod target;

pub use location::{Location, LocationKind};
pub use receipt::ReceiptCode;
pub use report::{
    Channel, EvidenceFile, IntakeError, KeyedLocation, ReportInput, ReportStatus, ReporterContact,
    ValidReport, validate,
};
pub use target::{SubjectKey, SubjectKind};
