//! The JSON shapes of API v1, with their OpenAPI schemas.
//!
//! These are the wire types; domain types in harrier-core stay free of
//! serialisation concerns of the API and of utoipa.

use harrier_core::intake::{Location, LocationKind, ReporterContact};
use harrier_core::ports::{ReportRecord, SubjectSummary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One exact location of the reported content (DSA Art. 16(2)(b)).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    /// `url`, `handle`, `contact` (phone, messenger id, wallet) or `room`.
    #[schema(example = "url")]
    pub kind: String,
    #[schema(example = "https://example.test/p/123")]
    pub value: String,
}

/// The notifier's name and e-mail (DSA Art. 16(2)(c)); optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifierBody {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A notice (report) as the API takes it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// A category id from `GET /api/v1/categories`.
    #[schema(example = "drugs")]
    pub category: String,
    /// Why the content is illegal or harmful (DSA Art. 16(2)(a)).
    pub explanation: String,
    /// The exact locations; at least one.
    pub locations: Vec<LocationBody>,
    /// The platform or service where it was seen.
    pub platform: Option<String>,
    /// When it was seen: `YYYY-MM-DD` or an RFC 3339 time.
    pub occurred_at: Option<String>,
    pub notifier: Option<NotifierBody>,
    /// The good-faith statement (DSA Art. 16(2)(d)); must be true.
    pub good_faith: bool,
}

/// The answer to a stored report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptBody {
    /// The reporter's receipt code.
    pub receipt: String,
    /// Where its status can be followed.
    pub status_url: String,
    pub status: String,
    /// True when an Idempotency-Key retry returned the earlier receipt.
    pub replayed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectBody {
    pub id: i64,
    /// account, item, url, domain, contact, room or group.
    pub kind: String,
    pub platform: String,
    pub key: String,
    pub report_count: i64,
    pub first_reported_at: String,
    pub last_reported_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLocationBody {
    pub kind: String,
    pub value: String,
    pub subject: SubjectBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceFileBody {
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
    pub name: Option<String>,
}

/// The reporter's contact details: present only for the intake role.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactBody {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportBody {
    pub id: i64,
    /// web, api, email or phone.
    pub channel: String,
    pub category: String,
    /// received, in_review, actioned or closed.
    pub status: String,
    pub outcome: Option<String>,
    pub platform: Option<String>,
    pub occurred_on: Option<String>,
    pub description: String,
    pub received_at: String,
    pub locations: Vec<ReportLocationBody>,
    pub files: Vec<EvidenceFileBody>,
    /// Whether the reporter left contact details (visible to all roles).
    pub has_contact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactBody>,
    pub logged_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPage {
    pub reports: Vec<ReportBody>,
    /// Pass as `before` to get the next page; absent on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectPage {
    pub subjects: Vec<SubjectBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryBody {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub dsa_category: String,
    pub dsa_keyword: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub name: String,
    pub password: String,
    /// Required when the account still has its one-time password.
    pub new_password: Option<String>,
    /// The 6-digit code of the account's authenticator app; required when
    /// the account has one (`totp_required` otherwise). A code is accepted
    /// once.
    pub totp: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginBody {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The absolute end of the session (RFC 3339); it ends sooner when unused
    /// for `server.session_idle_minutes`.
    pub expires_at: String,
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogoutAllBody {
    /// How many sessions of the account were ended (the caller's included).
    pub ended: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthBody {
    pub status: String,
    pub reports: i64,
    pub subjects: i64,
    pub directory_services: i64,
}

pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl ReportRequest {
    /// Turns wire locations into domain ones, naming the first bad kind.
    pub fn locations(&self) -> Result<Vec<Location>, crate::errors::ApiError> {
        self.locations
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let kind = LocationKind::parse(&l.kind).ok_or_else(|| {
                    crate::errors::ApiError::new(
                        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_location",
                        format!(
                            "locations[{i}].kind {:?} is not one of url, handle, contact, room",
                            l.kind.chars().take(32).collect::<String>()
                        ),
                    )
                    .with_field("locations")
                })?;
                Ok(Location {
                    kind,
                    value: l.value.clone(),
                })
            })
            .collect()
    }

    pub fn contact(&self) -> ReporterContact {
        let n = self.notifier.clone().unwrap_or_default();
        ReporterContact {
            name: n.name,
            email: n.email,
            phone: n.phone,
        }
    }
}

impl From<SubjectSummary> for SubjectBody {
    fn from(s: SubjectSummary) -> Self {
        Self {
            id: s.id,
            kind: s.kind.as_str().to_owned(),
            platform: s.platform,
            key: s.key,
            report_count: s.report_count,
            first_reported_at: rfc3339(s.first_reported_at),
            last_reported_at: rfc3339(s.last_reported_at),
        }
    }
}

impl ReportBody {
    /// Builds the wire form; contact details only when `show_contact`.
    pub fn new(r: ReportRecord, show_contact: bool) -> Self {
        let has_contact = r.contact.is_some();
        Self {
            id: r.id,
            channel: r.channel.as_str().to_owned(),
            category: r.category,
            status: r.status.as_str().to_owned(),
            outcome: r.outcome,
            platform: r.platform,
            occurred_on: r.occurred_on.map(|d| d.to_string()),
            description: r.description,
            received_at: rfc3339(r.received_at),
            locations: r
                .locations
                .into_iter()
                .map(|l| ReportLocationBody {
                    kind: l.kind.as_str().to_owned(),
                    value: l.value,
                    subject: l.subject.into(),
                })
                .collect(),
            files: r
                .files
                .into_iter()
                .map(|f| EvidenceFileBody {
                    sha256: f.sha256,
                    media_type: f.media_type,
                    size: f.size,
                    name: f.name,
                })
                .collect(),
            has_contact,
            contact: r.contact.filter(|_| show_contact).map(|c| ContactBody {
                name: c.name,
                email: c.email,
                phone: c.phone,
            }),
            logged_by: r.logged_by,
        }
    }
}
