//! Reports: one shape for every channel, and the validation that every
//! channel's input passes before anything is stored.
//!
//! The web form, the JSON API, e-mail import and staff-logged phone calls all
//! build a [`ReportInput`] and call [`validate`]; what comes out is a
//! [`ValidReport`] whose fields are bounded and whose locations have subject
//! keys. Errors carry a stable snake_case code and the field they concern.

use super::location::{Location, LocationKind};
use super::receipt::ReceiptCode;
use super::target::{SubjectKey, TargetError, normalise_platform, subject_key};
use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, OffsetDateTime};

/// Caps on the text of a report.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
pub const MAX_SHORT_FIELD_CHARS: usize = 200;
pub const MAX_LOCATIONS: usize = 50;
pub const MAX_FILES: usize = 5;
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// How a report reached Harrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The public web form.
    Web,
    /// The JSON API.
    Api,
    /// An imported e-mail.
    Email,
    /// A phone call logged by staff.
    Phone,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Self::Web, Self::Api, Self::Email, Self::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a report stands, as its reporter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Received,
    InReview,
    Actioned,
    Closed,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] =
        [Self::Received, Self::InReview, Self::Actioned, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InReview => "in_review",
            Self::Actioned => "actioned",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A reporter's optional contact details; seen only by the intake role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReporterContact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl ReporterContact {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.phone.is_none()
    }
}

/// An evidence file already written to the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
    pub name: Option<String>,
}

/// A report as a channel received it, before validation.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub category: String,
    pub locations: Vec<Location>,
    pub platform: Option<String>,
    pub occurred_on: Option<String>,
    pub description: String,
    pub contact: ReporterContact,
    pub good_faith: bool,
    pub files: Vec<EvidenceFile>,
}

/// A location with the subject it folds into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedLocation {
    pub location: Location,
    pub subject: SubjectKey,
}

/// A report that passed validation, ready to store.
#[derive(Debug, Clone)]
pub struct ValidReport {
    pub channel: Channel,
    pub category: String,
    pub locations: Vec<KeyedLocation>,
    pub platform: Option<String>,
    pub occurred_on: Option<Date>,
    pub description: String,
    pub contact: Option<ReporterContact>,
    pub good_faith: bool,
    pub files: Vec<EvidenceFile>,
    pub received_at: OffsetDateTime,
    pub receipt: ReceiptCode,
    /// The staff account that logged a phone report.
    pub logged_by: Option<i64>,
}

/// Why a report was refused. Each variant has a stable code.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum IntakeError {
    #[error("{field} is required")]
    MissingField { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("category {0:?} is not one of the categories Harrier handles")]
    UnknownCategory(String),
    #[error("a report can name at most {MAX_LOCATIONS} places")]
    TooManyLocations,
    #[error("{kind} number {index}: {problem}")]
    InvalidLocation {
        kind: &'static str,
        index: usize,
        problem: TargetError,
    },
    #[error(
        "an Art. 16 notice must name at least one exact location (a URL, handle, contact or room)"
    )]
    NoLocation,
    #[error("the good-faith statement must be confirmed")]
    GoodFaithRequired,
    #[error("the date {0:?} is not a date in the form YYYY-MM-DD")]
    InvalidDate(String),
    #[error("the date {0} is in the future")]
    FutureDate(Date),
    #[error("the e-mail address {0:?} is not valid")]
    InvalidEmail(String),
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("at most {MAX_FILES} evidence files can be attached")]
    TooManyFiles,
}

impl IntakeError {
    /// The stable snake_case code clients can match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingField { .. } => "missing_field",
            Self::TooLong { .. } => "field_too_long",
            Self::UnknownCategory(_) => "unknown_category",
            Self::TooManyLocations => "too_many_locations",
            Self::InvalidLocation { .. } => "invalid_location",
            Self::NoLocation => "location_required",
            Self::GoodFaithRequired => "good_faith_required",
            Self::InvalidDate(_) => "invalid_date",
            Self::FutureDate(_) => "future_date",
            Self::InvalidEmail(_) => "invalid_email",
            Self::ControlCharacters { .. } => "control_characters",
            Self::TooManyFiles => "too_many_files",
        }
    }

    /// The input field the error concerns, where there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::MissingField { field }
            | Self::TooLong { field, .. }
            | Self::ControlCharacters { field } => Some(field),
            Self::UnknownCategory(_) => Some("category"),
            Self::TooManyLocations | Self::NoLocation => Some("locations"),
            Self::InvalidLocation { kind, .. } => Some(kind),
            Self::GoodFaithRequired => Some("good_faith"),
            Self::InvalidDate(_) | Self::FutureDate(_) => Some("occurred_at"),
            Self::InvalidEmail(_) => Some("contact_email"),
            Self::TooManyFiles => Some("evidence"),
        }
    }
}

/// Trims a field and turns an empty one into `None`, refusing oversize and
/// control characters (tab and newline are allowed in long text only).
fn optional_field(
    value: Option<&str>,
    field: &'static str,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, IntakeError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(IntakeError::TooLong { field, max });
    }
    let bad_control =
        |c: char| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t'));
    if value.chars().any(bad_control) {
        return Err(IntakeError::ControlCharacters { field });
    }
    Ok(Some(value.to_owned()))
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Validates a report from any channel.
pub fn validate(
    input: ReportInput,
    channel: Channel,
    taxonomy: &Taxonomy,
    now: OffsetDateTime,
) -> Result<ValidReport, IntakeError> {
    let category = input.category.trim();
    if category.is_empty() {
        return Err(IntakeError::MissingField { field: "category" });
    }
    if taxonomy.get(category).is_none() {
        return Err(IntakeError::UnknownCategory(truncate(category, 64)));
    }
    let description = optional_field(
        Some(&input.description),
        "description",
        MAX_DESCRIPTION_CHARS,
        true,
    )?
    .ok_or(IntakeError::MissingField {
        field: "description",
    })?;
    // The public channels carry the Art. 16 good-faith statement; e-mail and
    // phone reporters are recorded as not having made it.
    let statement_required = matches!(channel, Channel::Web | Channel::Api);
    if statement_required && !input.good_faith {
        return Err(IntakeError::GoodFaithRequired);
    }
    let platform = optional_field(
        input.platform.as_deref(),
        "platform",
        MAX_SHORT_FIELD_CHARS,
        false,
    )?;
    let platform_key = normalise_platform(platform.as_deref());
    if input.locations.len() > MAX_LOCATIONS {
        return Err(IntakeError::TooManyLocations);
    }
    let mut counters = [0usize; 4];
    let mut locations = Vec::with_capacity(input.locations.len());
    for location in input.locations {
        let slot = LocationKind::ALL
            .iter()
            .position(|k| *k == location.kind)
            .unwrap_or(0);
        counters[slot] += 1;
        let subject = subject_key(&location, &platform_key).map_err(|problem| {
            IntakeError::InvalidLocation {
                kind: location.kind.as_str(),
                index: counters[slot],
                problem,
            }
        })?;
        let location = Location {
            kind: location.kind,
            value: location.value.trim().to_owned(),
        };
        // The same place named twice in one report counts once.
        if !locations
            .iter()
            .any(|l: &KeyedLocation| l.subject == subject)
        {
            locations.push(KeyedLocation { location, subject });
        }
    }
    if channel == Channel::Api && locations.is_empty() {
        return Err(IntakeError::NoLocation);
    }
    let occurred_on = match optional_field(input.occurred_on.as_deref(), "occurred_at", 32, false)?
    {
        None => None,
        Some(text) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            // Accept a full RFC 3339 timestamp too and keep its date.
            let date_part = text.get(..10).unwrap_or(&text);
            let date = Date::parse(date_part, &format)
                .map_err(|_| IntakeError::InvalidDate(truncate(&text, 32)))?;
            if date > now.date() {
                return Err(IntakeError::FutureDate(date));
            }
            Some(date)
        }
    };
    let contact = ReporterContact {
        name: optional_field(
            input.contact.name.as_deref(),
            "contact_name",
            MAX_SHORT_FIELD_CHARS,
            false,
        )?,
        email: optional_field(
            input.contact.email.as_deref(),
            "contact_email",
            MAX_SHORT_FIELD_CHARS,
            false,
        )?,
        phone: optional_field(input.contact.phone.as_deref(), "contact_phone", 64, false)?,
    };
    if let Some(email) = &contact.email
        && !looks_like_email(email)
    {
        return Err(IntakeError::InvalidEmail(truncate(email, 64)));
    }
    if input.files.len() > MAX_FILES {
        return Err(IntakeError::TooManyFiles);
    }
    Ok(ValidReport {
        channel,
        category: category.to_owned(),
        locations,
        platform,
        occurred_on,
        description,
        contact: (!contact.is_empty()).then_some(contact),
        good_faith: input.good_faith,
        files: input.files,
        received_at: now,
        receipt: ReceiptCode::generate(),
        logged_by: None,
    })
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn taxonomy() -> Taxonomy {
        Taxonomy::shipped().unwrap()
    }

    fn input() -> ReportInput {
        ReportInput {
            category: "drugs".into(),
            locations: vec![
                Location {
                    kind: LocationKind::Url,
                    value: " https://example.test/p/1 ".into(),
                },
                Location {
                    kind: LocationKind::Url,
                    value: "example.test/p/1".into(),
                },
                Location {
                    kind: LocationKind::Handle,
                    value: "@Seller".into(),
                },
            ],
            platform: Some("  Example  Net ".into()),
            occurred_on: Some("2026-11-20".into()),
            description: "selling ice in a private group".into(),
            good_faith: true,
            ..ReportInput::default()
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    #[test]
    fn a_good_report_is_bounded_and_keyed() {
        let report = validate(input(), Channel::Web, &taxonomy(), NOW).unwrap();
        assert_eq!(report.locations.len(), 2, "the same URL twice counts once");
        assert_eq!(report.locations[1].subject.platform, "example net");
        assert_eq!(report.platform.as_deref(), Some("Example  Net"));
        assert!(report.contact.is_none());
    }

    #[test]
    fn each_missing_piece_has_its_own_code() {
        type Change = Box<dyn Fn(&mut ReportInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|i| i.category.clear()), "missing_field"),
            (
                Box::new(|i| i.category = "politics".into()),
                "unknown_category",
            ),
            (Box::new(|i| i.description = "   ".into()), "missing_field"),
            (Box::new(|i| i.good_faith = false), "good_faith_required"),
            (
                Box::new(|i| i.occurred_on = Some("20/11/2026".into())),
                "invalid_date",
            ),
            (
                Box::new(|i| i.occurred_on = Some("2027-01-01".into())),
                "future_date",
            ),
            (
                Box::new(|i| i.contact.email = Some("nobody".into())),
                "invalid_email",
            ),
            (
                Box::new(|i| i.description = "x".repeat(MAX_DESCRIPTION_CHARS + 1)),
                "field_too_long",
            ),
            (
                Box::new(|i| i.platform = Some("a\u{7}b".into())),
                "control_characters",
            ),
            (
                Box::new(|i| {
                    i.locations.push(Location {
                        kind: LocationKind::Url,
                        value: "ftp://x.test/".into(),
                    })
                }),
                "invalid_location",
            ),
        ];
        for (change, code) in cases {
            let mut i = input();
            change(&mut i);
            let err = validate(i, Channel::Web, &taxonomy(), NOW).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
        }
    }

    #[test]
    fn api_notices_need_an_exact_location_but_the_form_does_not() {
        let mut i = input();
        i.locations.clear();
        assert!(validate(i.clone(), Channel::Web, &taxonomy(), NOW).is_ok());
        assert_eq!(
            validate(i, Channel::Api, &taxonomy(), NOW).unwrap_err(),
            IntakeError::NoLocation
        );
    }

    #[test]
    fn invalid_location_says_which_one() {
        let mut i = input();
        i.locations.push(Location {
            kind: LocationKind::Url,
            value: "javascript:x".into(),
        });
        let err = validate(i, Channel::Web, &taxonomy(), NOW).unwrap_err();
        assert!(err.to_string().starts_with("url number 3:"), "{err}");
    }
}
