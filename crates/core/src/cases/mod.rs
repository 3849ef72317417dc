//! Cases: what staff work on.
//!
//! A case groups subjects with their reports, signals and evidence. It moves
//! through the states below; every move names who made it and why, and a
//! move the table does not list is refused with the moves that are allowed.
//! `store.rs` is the port the storage implements.
//!
//! ```text
//! new ─► triage ─► investigating ─► decided ─► appealed ─► reviewed ─► closed
//!  │       │  ▲          │  │          │                      │
//!  │       │  └──────────┘  │          └──────► closed        └─► investigating
//!  └───────┴──► closed ◄────┘                                     (reversed)
//! ```
//!
//! Priority is the product the issue names: the category's severity (1 to 5)
//! × (1 + reports) × reporter trust × (1 + the strongest signal's score).
//! Reporter trust is 1 until reporters have a trust score; the `1 +` terms
//! keep a case with only signals, or only reports, from scoring zero.

pub mod groups;
pub mod search;
pub mod store;

pub use groups::*;
pub use search::*;
pub use store::*;

use crate::accounts::Role;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    New,
    Triage,
    Investigating,
    Decided,
    Appealed,
    Reviewed,
    Closed,
}

impl CaseState {
    pub const ALL: [CaseState; 7] = [
        Self::New,
        Self::Triage,
        Self::Investigating,
        Self::Decided,
        Self::Appealed,
        Self::Reviewed,
        Self::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Triage => "triage",
            Self::Investigating => "investigating",
            Self::Decided => "decided",
            Self::Appealed => "appealed",
            Self::Reviewed => "reviewed",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Every state but closed.
    pub fn is_active(self) -> bool {
        self != Self::Closed
    }
}

const WORKERS: &[Role] = &[Role::Admin, Role::Analyst, Role::Moderator];
const TRIAGERS: &[Role] = &[Role::Admin, Role::Intake, Role::Analyst, Role::Moderator];
const DECIDERS: &[Role] = &[Role::Admin, Role::Moderator];
const APPEAL_TAKERS: &[Role] = &[Role::Admin, Role::Intake, Role::Reviewer];
const REVIEWERS: &[Role] = &[Role::Admin, Role::Reviewer];
const REVIEW_CLOSERS: &[Role] = &[Role::Admin, Role::Reviewer, Role::Moderator];

/// Every allowed move and the roles that may make it: the one table.
pub const TRANSITIONS: [(CaseState, CaseState, &[Role]); 13] = {
    use CaseState::*;
    [
        (New, Triage, TRIAGERS),
        (New, Investigating, WORKERS),
        (New, Closed, WORKERS),
        (Triage, Investigating, WORKERS),
        (Triage, Closed, WORKERS),
        (Investigating, Triage, WORKERS),
        (Investigating, Decided, DECIDERS),
        (Investigating, Closed, WORKERS),
        (Decided, Appealed, APPEAL_TAKERS),
        (Decided, Closed, DECIDERS),
        (Appealed, Reviewed, REVIEWERS),
        (Reviewed, Closed, REVIEW_CLOSERS),
        (Reviewed, Investigating, REVIEWERS),
    ]
};

/// The longest reason kept.
pub const MAX_REASON_CHARS: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CaseError {
    #[error("case {0} was not found")]
    NotFound(i64),
    #[error("report {0} was not found")]
    ReportNotFound(i64),
    #[error(
        "report {0} names no URL, account, contact or room, so it has no subject to open a case on"
    )]
    NoSubject(i64),
    #[error("a case cannot go from {from} to {to}; from {from} it can go to: {allowed}")]
    InvalidTransition {
        from: &'static str,
        to: &'static str,
        allowed: String,
    },
    #[error("the {role} role may not move a case from {from} to {to}")]
    RoleNotAllowed {
        role: &'static str,
        from: &'static str,
        to: &'static str,
    },
    #[error("a reason is required (1 to {MAX_REASON_CHARS} characters)")]
    ReasonRequired,
    #[error("staff account {0} was not found or is disabled")]
    NoSuchStaff(i64),
    #[error("evidence {sha256} is already in case {case}")]
    DuplicateEvidence { case: i64, sha256: String },
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

impl CaseError {
    /// The stable code the API answers with.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) | Self::ReportNotFound(_) => "not_found",
            Self::NoSubject(_) => "no_subject",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::RoleNotAllowed { .. } => "forbidden",
            Self::ReasonRequired => "reason_required",
            Self::NoSuchStaff(_) => "no_such_staff",
            Self::DuplicateEvidence { .. } => "duplicate_evidence",
            Self::Unavailable(_) => "unavailable",
        }
    }
}

impl From<crate::ports::StoreError> for CaseError {
    fn from(e: crate::ports::StoreError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// The states a case can go to from `from`.
pub fn next_states(from: CaseState) -> Vec<CaseState> {
    TRANSITIONS
        .iter()
        .filter(|(f, _, _)| *f == from)
        .map(|(_, to, _)| *to)
        .collect()
}

/// The states `role` may move a case to from `from`.
pub fn next_states_for(from: CaseState, role: Role) -> Vec<CaseState> {
    TRANSITIONS
        .iter()
        .filter(|(f, _, roles)| *f == from && roles.contains(&role))
        .map(|(_, to, _)| *to)
        .collect()
}

/// Checks one move: listed, allowed for the role, with a reason. Returns
/// the reason trimmed.
pub fn check_transition(
    from: CaseState,
    to: CaseState,
    role: Role,
    reason: &str,
) -> Result<String, CaseError> {
    let Some((_, _, roles)) = TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to) else {
        let allowed = next_states(from)
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(CaseError::InvalidTransition {
            from: from.as_str(),
            to: to.as_str(),
            allowed: if allowed.is_empty() {
                "nowhere (it is final)".into()
            } else {
                allowed
            },
        });
    };
    if !roles.contains(&role) {
        return Err(CaseError::RoleNotAllowed {
            role: role.as_str(),
            from: from.as_str(),
            to: to.as_str(),
        });
    }
    check_reason(reason)
}

/// A reason: trimmed, not empty, not too long.
pub fn check_reason(reason: &str) -> Result<String, CaseError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(CaseError::ReasonRequired);
    }
    Ok(reason.to_owned())
}

/// A case's priority (see the module docs).
pub fn priority(severity: u8, reports: i64, reporter_trust: f64, top_score: f64) -> f64 {
    let reports = reports.max(0) as f64;
    f64::from(severity.clamp(1, 5))
        * (1.0 + reports)
        * reporter_trust.max(0.0)
        * (1.0 + top_score.clamp(0.0, 1.0))
}

/// Severity and SLA per category, from the taxonomy (the SLA can be
/// overridden in the configuration).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CasePolicy {
    categories: std::collections::HashMap<String, (u8, u32)>,
}

impl CasePolicy {
    /// Severity and SLA of an unknown category.
    pub const DEFAULT: (u8, u32) = (3, 72);

    pub fn from_taxonomy(
        taxonomy: &crate::taxonomy::Taxonomy,
        sla_overrides: &std::collections::BTreeMap<String, u32>,
    ) -> Self {
        let categories = taxonomy
            .categories()
            .iter()
            .map(|c| {
                let sla = sla_overrides.get(&c.id).copied().unwrap_or(c.sla_hours);
                (c.id.clone(), (c.severity, sla))
            })
            .collect();
        Self { categories }
    }

    pub fn severity(&self, category: &str) -> u8 {
        self.categories.get(category).unwrap_or(&Self::DEFAULT).0
    }

    pub fn sla_hours(&self, category: &str) -> u32 {
        self.categories.get(category).unwrap_or(&Self::DEFAULT).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_allows_its_moves_and_refuses_others_clearly() {
        use CaseState::*;
        assert!(check_transition(New, Triage, Role::Intake, " seen ").is_ok());
        assert_eq!(
            check_transition(New, Triage, Role::Intake, " seen ").unwrap(),
            "seen"
        );
        let err = check_transition(New, Decided, Role::Admin, "x").unwrap_err();
        assert_eq!(err.code(), "invalid_transition");
        assert!(
            err.to_string().contains("triage, investigating, closed"),
            "{err}"
        );
        let err = check_transition(Closed, New, Role::Admin, "x").unwrap_err();
        assert!(err.to_string().contains("final"), "{err}");
        assert_eq!(
            check_transition(Investigating, Decided, Role::Analyst, "x")
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            check_transition(Appealed, Reviewed, Role::Reviewer, "   ").unwrap_err(),
            CaseError::ReasonRequired
        );
        // The auditor only reads.
        for from in CaseState::ALL {
            assert!(next_states_for(from, Role::Auditor).is_empty());
        }
        // Every state but closed has a way forward, and every state is reachable.
        for s in CaseState::ALL {
            assert_eq!(next_states(s).is_empty(), s == Closed, "{s:?}");
            assert!(
                s == New || TRANSITIONS.iter().any(|(_, to, _)| *to == s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn priority_grows_with_each_factor() {
        let base = priority(2, 0, 1.0, 0.0);
        assert_eq!(base, 2.0);
        assert!(priority(4, 0, 1.0, 0.0) > base);
        assert!(priority(2, 3, 1.0, 0.0) > base);
        assert!(priority(2, 0, 1.0, 0.9) > base);
        assert!(priority(2, 0, 0.5, 0.0) < base);
        assert_eq!(CaseState::parse("appealed"), Some(CaseState::Appealed));
    }

    #[test]
    fn policy_comes_from_the_taxonomy_with_overrides() {
        let taxonomy = crate::taxonomy::Taxonomy::shipped().unwrap();
        let mut overrides = std::collections::BTreeMap::new();
        overrides.insert("drugs".to_owned(), 48);
        let policy = CasePolicy::from_taxonomy(&taxonomy, &overrides);
        assert_eq!(policy.sla_hours("drugs"), 48);
        assert_eq!(policy.sla_hours("child_sexual_exploitation"), 24);
        assert_eq!(policy.sla_hours("terrorism_violent_extremism"), 24);
        assert_eq!(policy.sla_hours("no_such_category"), 72);
    }
}
