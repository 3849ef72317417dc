//! What staff ask a provider to do, and what a provider answers, checked
//! before anything is stored. Both checks are pure functions that name
//! every wrong field with a stable code.

use super::{MAX_EXCERPT_CHARS, MAX_LEGAL_BASIS_CHARS, MAX_PRESERVE_DAYS, OrderAction};
use super::{OrderState, ProviderAnswer};
use crate::decisions::FieldError;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// The latest deadline an order may set, from now.
pub const MAX_DEADLINE_DAYS: i64 = 365;
/// The longest `what` or `why` of a provider's answer.
pub const MAX_ANSWER_CHARS: usize = 2_000;
/// How far in the future a provider's clock may put an `actioned` time.
pub const ANSWER_CLOCK_SKEW: Duration = Duration::minutes(5);
/// The shortest legal basis of a disclosure order.
pub const MIN_DISCLOSE_BASIS_CHARS: usize = 10;

/// The actions staff may ask for from a case. `reinstate` and `amend`
/// come only from an appeal's outcome.
pub const STAFF_ACTIONS: [OrderAction; 5] = [
    OrderAction::Remove,
    OrderAction::Restrict,
    OrderAction::SuspendAccount,
    OrderAction::Preserve,
    OrderAction::Disclose,
];

/// An order as staff typed it (API body or console form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderDraft {
    /// The provider's name, or its id.
    #[serde(default)]
    pub provider: String,
    /// remove, restrict, suspend_account, preserve or disclose.
    #[serde(default)]
    pub action: String,
    /// For preserve: 1 to [`MAX_PRESERVE_DAYS`].
    #[serde(default)]
    pub preserve_days: Option<u32>,
    #[serde(default)]
    pub legal_basis: String,
    /// RFC 3339, in the future.
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub evidence_excerpt: String,
}

/// Which provider: named by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderRef {
    Id(i64),
    Name(String),
}

/// A checked order request: the store adds the target from the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    pub provider: ProviderRef,
    pub action: OrderAction,
    pub preserve_days: Option<u32>,
    pub legal_basis: String,
    pub deadline: OffsetDateTime,
    pub evidence_excerpt: String,
}

fn err(field: &str, code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, code, message)
}

/// Whether a legal basis says under which power: an article or section
/// number (`Art. 10`, `§ 100`, `第二十八条`).
fn names_a_power(basis: &str) -> bool {
    basis.chars().count() >= MIN_DISCLOSE_BASIS_CHARS
        && basis
            .chars()
            .any(|c| c.is_ascii_digit() || c == '§' || c == '第')
}

/// Checks what staff typed; every wrong field is named.
pub fn validate_order(
    draft: &OrderDraft,
    now: OffsetDateTime,
) -> Result<OrderRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let provider = draft.provider.trim();
    let provider = if provider.is_empty() {
        errors.push(err(
            "provider",
            "required",
            "provider is required: its name or id",
        ));
        None
    } else if provider.chars().count() > 100 {
        errors.push(err(
            "provider",
            "too_long",
            "provider has more than 100 characters",
        ));
        None
    } else {
        Some(match provider.parse::<i64>() {
            Ok(id) => ProviderRef::Id(id),
            Err(_) => ProviderRef::Name(provider.to_owned()),
        })
    };
    let action = match OrderAction::parse(draft.action.trim()) {
        Some(a) if STAFF_ACTIONS.contains(&a) => Some(a),
        Some(a) => {
            errors.push(err(
                "action",
                "action_not_allowed",
                format!(
                    "{} orders come only from an appeal's outcome; choose remove, restrict, suspend_account, preserve or disclose",
                    a.as_str()
                ),
            ));
            None
        }
        None if draft.action.trim().is_empty() => {
            errors.push(err("action", "required", "action is required"));
            None
        }
        None => {
            errors.push(err(
                "action",
                "invalid_action",
                format!(
                    "action {:?} is not remove, restrict, suspend_account, preserve or disclose",
                    draft.action.trim()
                ),
            ));
            None
        }
    };
    let preserve_days = match (action, draft.preserve_days) {
        (Some(OrderAction::Preserve), None) => {
            errors.push(err(
                "preserve_days",
                "required",
                format!("a preserve order needs preserve_days (1 to {MAX_PRESERVE_DAYS})"),
            ));
            None
        }
        (Some(OrderAction::Preserve), Some(d)) if !(1..=MAX_PRESERVE_DAYS).contains(&d) => {
            errors.push(err(
                "preserve_days",
                "out_of_range",
                format!("preserve_days {d} is not between 1 and {MAX_PRESERVE_DAYS}"),
            ));
            None
        }
        (Some(OrderAction::Preserve), Some(d)) => Some(d),
        (_, Some(_)) => {
            errors.push(err(
                "preserve_days",
                "not_allowed",
                "preserve_days is only for preserve orders",
            ));
            None
        }
        (_, None) => None,
    };
    let legal_basis = draft.legal_basis.trim();
    if legal_basis.is_empty() {
        errors.push(err(
            "legal_basis",
            "required",
            "legal_basis is required: the law and article the order is made under",
        ));
    } else if legal_basis.chars().count() > MAX_LEGAL_BASIS_CHARS {
        errors.push(err(
            "legal_basis",
            "too_long",
            format!("legal_basis has more than {MAX_LEGAL_BASIS_CHARS} characters"),
        ));
    } else if action == Some(OrderAction::Disclose) && !names_a_power(legal_basis) {
        errors.push(err(
            "legal_basis",
            "power_required",
            "a disclosure order must say under which power it is made: name the law and its article or section (e.g. \"Art. 10(1) DSA\")",
        ));
    }
    let deadline = draft.deadline.trim();
    let deadline = if deadline.is_empty() {
        errors.push(err(
            "deadline",
            "required",
            "deadline is required (RFC 3339)",
        ));
        None
    } else {
        match OffsetDateTime::parse(deadline, &Rfc3339) {
            Err(_) => {
                errors.push(err(
                    "deadline",
                    "invalid_time",
                    format!(
                        "deadline {deadline:?} is not an RFC 3339 time such as 2026-12-01T12:00:00Z"
                    ),
                ));
                None
            }
            Ok(d) if d <= now => {
                errors.push(err("deadline", "in_past", "deadline must be in the future"));
                None
            }
            Ok(d) if d > now + Duration::days(MAX_DEADLINE_DAYS) => {
                errors.push(err(
                    "deadline",
                    "too_far",
                    format!("deadline is more than {MAX_DEADLINE_DAYS} days away"),
                ));
                None
            }
            Ok(d) => Some(d),
        }
    };
    let excerpt = draft.evidence_excerpt.trim();
    if excerpt.is_empty() {
        errors.push(err(
            "evidence_excerpt",
            "required",
            "evidence_excerpt is required: a short quote of the evidence",
        ));
    } else if excerpt.chars().count() > MAX_EXCERPT_CHARS {
        errors.push(err(
            "evidence_excerpt",
            "too_long",
            format!("evidence_excerpt has more than {MAX_EXCERPT_CHARS} characters"),
        ));
    }
    match (provider, action, deadline) {
        (Some(provider), Some(action), Some(deadline)) if errors.is_empty() => Ok(OrderRequest {
            provider,
            action,
            preserve_days,
            legal_basis: legal_basis.to_owned(),
            deadline,
            evidence_excerpt: excerpt.to_owned(),
        }),
        _ => Err(errors),
    }
}

fn answer_text(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.push(err(field, "required", format!("{field} is required")));
    } else if value.chars().count() > MAX_ANSWER_CHARS {
        errors.push(err(
            field,
            "too_long",
            format!("{field} has more than {MAX_ANSWER_CHARS} characters"),
        ));
    }
    value.to_owned()
}

/// Checks a provider's answer (texts present and bounded, an `actioned`
/// time not in the future) and returns it trimmed.
pub fn validate_answer(
    answer: ProviderAnswer,
    now: OffsetDateTime,
) -> Result<ProviderAnswer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let answer = match answer {
        ProviderAnswer::Acknowledged => ProviderAnswer::Acknowledged,
        ProviderAnswer::Actioned { what, at } => {
            let what = answer_text(&mut errors, "what", &what);
            if at > now + ANSWER_CLOCK_SKEW {
                errors.push(err("at", "in_future", "at is in the future"));
            }
            ProviderAnswer::Actioned { what, at }
        }
        ProviderAnswer::Rejected { why } => ProviderAnswer::Rejected {
            why: answer_text(&mut errors, "why", &why),
        },
        ProviderAnswer::NeedsInformation { what } => ProviderAnswer::NeedsInformation {
            what: answer_text(&mut errors, "what", &what),
        },
    };
    if errors.is_empty() {
        Ok(answer)
    } else {
        Err(errors)
    }
}

/// A provider's answer as sent: the serde form of [`ProviderAnswer`]
/// (`{"status": "actioned", "what": "...", "at": "RFC 3339"}`), read
/// loosely so that a wrong or missing part is named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerDraft {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub what: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
    #[serde(default)]
    pub at: Option<String>,
}

/// Turns a sent answer into a checked [`ProviderAnswer`], naming every
/// wrong field (`status`, `what`, `why`, `at`).
pub fn validate_answer_draft(
    draft: &AnswerDraft,
    now: OffsetDateTime,
) -> Result<ProviderAnswer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = |errors: &mut Vec<FieldError>, field: &str, value: &Option<String>| {
        if value.is_none() {
            errors.push(err(
                field,
                "required",
                format!("{field} is required for status {:?}", draft.status),
            ));
        }
        value.clone().unwrap_or_default()
    };
    let unexpected = |errors: &mut Vec<FieldError>, field: &str, value: &Option<String>| {
        if value.is_some() {
            errors.push(err(
                field,
                "not_allowed",
                format!("{field} is not part of a {:?} answer", draft.status),
            ));
        }
    };
    let answer = match draft.status.trim() {
        "acknowledged" => {
            unexpected(&mut errors, "what", &draft.what);
            unexpected(&mut errors, "why", &draft.why);
            unexpected(&mut errors, "at", &draft.at);
            Some(ProviderAnswer::Acknowledged)
        }
        "actioned" => {
            let what = text(&mut errors, "what", &draft.what);
            unexpected(&mut errors, "why", &draft.why);
            let at = match draft.at.as_deref().map(str::trim) {
                None => {
                    errors.push(err(
                        "at",
                        "required",
                        "at is required for status \"actioned\": when it was done (RFC 3339)",
                    ));
                    None
                }
                Some(at) => match OffsetDateTime::parse(at, &Rfc3339) {
                    Ok(t) => Some(t),
                    Err(_) => {
                        errors.push(err(
                            "at",
                            "invalid_time",
                            format!(
                                "at {at:?} is not an RFC 3339 time such as 2026-12-01T12:00:00Z"
                            ),
                        ));
                        None
                    }
                },
            };
            at.map(|at| ProviderAnswer::Actioned { what, at })
        }
        "rejected" => {
            let why = text(&mut errors, "why", &draft.why);
            unexpected(&mut errors, "what", &draft.what);
            unexpected(&mut errors, "at", &draft.at);
            Some(ProviderAnswer::Rejected { why })
        }
        "needs_information" => {
            let what = text(&mut errors, "what", &draft.what);
            unexpected(&mut errors, "why", &draft.why);
            unexpected(&mut errors, "at", &draft.at);
            Some(ProviderAnswer::NeedsInformation { what })
        }
        "" => {
            errors.push(err(
                "status",
                "required",
                "status is required: acknowledged, actioned, rejected or needs_information",
            ));
            None
        }
        other => {
            errors.push(err(
                "status",
                "invalid_status",
                format!(
                    "status {other:?} is not acknowledged, actioned, rejected or needs_information"
                ),
            ));
            None
        }
    };
    match answer {
        // The texts and the time are checked once the shape is right.
        Some(answer) if errors.is_empty() => validate_answer(answer, now),
        _ => Err(errors),
    }
}

/// Whether an order in `state` takes another answer: actioned and rejected
/// are final.
pub fn accepts_answer(state: OrderState) -> bool {
    state.is_open()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 10:00 UTC);

    fn draft() -> OrderDraft {
        OrderDraft {
            provider: "examplenet".into(),
            action: "remove".into(),
            preserve_days: None,
            legal_basis: "Art. 9 DSA; order of the authority".into(),
            deadline: "2026-11-26T10:00:00Z".into(),
            evidence_excerpt: "冰毒 for sale, DM me".into(),
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn a_good_order_passes_and_names_its_provider() {
        let ok = validate_order(&draft(), NOW).unwrap();
        assert_eq!(ok.provider, ProviderRef::Name("examplenet".into()));
        assert_eq!(ok.deadline, datetime!(2026-11-26 10:00 UTC));
        let by_id = validate_order(
            &OrderDraft {
                provider: " 7 ".into(),
                ..draft()
            },
            NOW,
        )
        .unwrap();
        assert_eq!(by_id.provider, ProviderRef::Id(7));
    }

    #[test]
    fn every_missing_field_is_named() {
        let errors = validate_order(&OrderDraft::default(), NOW).unwrap_err();
        assert_eq!(
            fields(&errors),
            vec![
                ("provider", "required"),
                ("action", "required"),
                ("legal_basis", "required"),
                ("deadline", "required"),
                ("evidence_excerpt", "required"),
            ]
        );
    }

    #[test]
    fn preserve_needs_its_days_in_range_and_others_refuse_them() {
        let preserve = |days| OrderDraft {
            action: "preserve".into(),
            preserve_days: days,
            ..draft()
        };
        assert_eq!(
            fields(&validate_order(&preserve(None), NOW).unwrap_err()),
            vec![("preserve_days", "required")]
        );
        for bad in [0, MAX_PRESERVE_DAYS + 1] {
            assert_eq!(
                fields(&validate_order(&preserve(Some(bad)), NOW).unwrap_err()),
                vec![("preserve_days", "out_of_range")]
            );
        }
        assert_eq!(
            validate_order(&preserve(Some(MAX_PRESERVE_DAYS)), NOW)
                .unwrap()
                .preserve_days,
            Some(MAX_PRESERVE_DAYS)
        );
        let remove = OrderDraft {
            preserve_days: Some(30),
            ..draft()
        };
        assert_eq!(
            fields(&validate_order(&remove, NOW).unwrap_err()),
            vec![("preserve_days", "not_allowed")]
        );
    }

    #[test]
    fn disclosure_must_name_its_power() {
        let disclose = |basis: &str| OrderDraft {
            action: "disclose".into(),
            legal_basis: basis.into(),
            ..draft()
        };
        assert_eq!(
            fields(&validate_order(&disclose("the police asked"), NOW).unwrap_err()),
            vec![("legal_basis", "power_required")]
        );
        assert!(validate_order(&disclose("Art. 10(1) DSA, order no. 55"), NOW).is_ok());
        assert!(validate_order(&disclose("《网络安全法》第二十八条"), NOW).is_ok());
        // The same short basis is enough for a removal.
        let remove = OrderDraft {
            legal_basis: "the police asked".into(),
            ..draft()
        };
        assert!(validate_order(&remove, NOW).is_ok());
    }

    #[test]
    fn deadlines_must_be_future_parsable_and_near() {
        for (deadline, code) in [
            ("tomorrow", "invalid_time"),
            ("2026-11-24T09:59:59Z", "in_past"),
            ("2026-11-24T10:00:00Z", "in_past"),
            ("2028-01-01T00:00:00Z", "too_far"),
        ] {
            let d = OrderDraft {
                deadline: deadline.into(),
                ..draft()
            };
            assert_eq!(
                fields(&validate_order(&d, NOW).unwrap_err()),
                vec![("deadline", code)],
                "{deadline}"
            );
        }
    }

    #[test]
    fn appeal_actions_and_unknown_actions_are_refused() {
        for (action, code) in [
            ("reinstate", "action_not_allowed"),
            ("amend", "action_not_allowed"),
            ("delete", "invalid_action"),
        ] {
            let d = OrderDraft {
                action: action.into(),
                ..draft()
            };
            assert_eq!(
                fields(&validate_order(&d, NOW).unwrap_err()),
                vec![("action", code)]
            );
        }
    }

    #[test]
    fn excerpts_and_bases_are_bounded() {
        let d = OrderDraft {
            evidence_excerpt: "x".repeat(MAX_EXCERPT_CHARS + 1),
            legal_basis: "字".repeat(MAX_LEGAL_BASIS_CHARS + 1),
            ..draft()
        };
        assert_eq!(
            fields(&validate_order(&d, NOW).unwrap_err()),
            vec![
                ("legal_basis", "too_long"),
                ("evidence_excerpt", "too_long")
            ]
        );
        let d = OrderDraft {
            evidence_excerpt: "字".repeat(MAX_EXCERPT_CHARS),
            ..draft()
        };
        assert!(validate_order(&d, NOW).is_ok());
    }

    #[test]
    fn answers_need_their_texts_and_a_past_time() {
        assert_eq!(
            validate_answer(ProviderAnswer::Acknowledged, NOW).unwrap(),
            ProviderAnswer::Acknowledged
        );
        let trimmed = validate_answer(
            ProviderAnswer::Rejected {
                why: "  not ours ".into(),
            },
            NOW,
        )
        .unwrap();
        assert_eq!(
            trimmed,
            ProviderAnswer::Rejected {
                why: "not ours".into()
            }
        );
        let errors = validate_answer(
            ProviderAnswer::Actioned {
                what: " ".into(),
                at: NOW + Duration::hours(1),
            },
            NOW,
        )
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            vec![("what", "required"), ("at", "in_future")]
        );
        assert!(
            validate_answer(
                ProviderAnswer::Actioned {
                    what: "removed".into(),
                    at: NOW + Duration::minutes(4),
                },
                NOW
            )
            .is_ok(),
            "a few minutes of clock skew are allowed"
        );
        let errors = validate_answer(
            ProviderAnswer::NeedsInformation {
                what: "x".repeat(MAX_ANSWER_CHARS + 1),
            },
            NOW,
        )
        .unwrap_err();
        assert_eq!(fields(&errors), vec![("what", "too_long")]);
    }

    #[test]
    fn sent_answers_name_their_wrong_parts() {
        let draft = |json: &str| -> AnswerDraft { serde_json::from_str(json).unwrap() };
        let ok = validate_answer_draft(
            &draft(r#"{"status":"actioned","what":"removed","at":"2026-11-24T09:00:00Z"}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(
            ok,
            ProviderAnswer::Actioned {
                what: "removed".into(),
                at: datetime!(2026-11-24 09:00 UTC)
            }
        );
        // The serde form of ProviderAnswer reads back the same.
        let again: AnswerDraft =
            serde_json::from_value(serde_json::to_value(&ok).unwrap()).unwrap();
        assert_eq!(validate_answer_draft(&again, NOW).unwrap(), ok);
        for (json, expected) in [
            (r#"{}"#, vec![("status", "required")]),
            (r#"{"status":"done"}"#, vec![("status", "invalid_status")]),
            (
                r#"{"status":"actioned"}"#,
                vec![("what", "required"), ("at", "required")],
            ),
            (
                r#"{"status":"actioned","what":"x","at":"yesterday"}"#,
                vec![("at", "invalid_time")],
            ),
            (
                r#"{"status":"rejected","what":"x"}"#,
                vec![("why", "required"), ("what", "not_allowed")],
            ),
            (
                r#"{"status":"rejected","why":" "}"#,
                vec![("why", "required")],
            ),
            (
                r#"{"status":"needs_information"}"#,
                vec![("what", "required")],
            ),
            (
                r#"{"status":"acknowledged","at":"2026-11-24T09:00:00Z"}"#,
                vec![("at", "not_allowed")],
            ),
        ] {
            let errors = validate_answer_draft(&draft(json), NOW).unwrap_err();
            assert_eq!(fields(&errors), expected, "{json}");
        }
        assert!(
            serde_json::from_str::<AnswerDraft>(r#"{"status":"acknowledged","note":1}"#).is_err()
        );
    }

    #[test]
    fn only_open_orders_take_answers() {
        assert!(accepts_answer(OrderState::Sent));
        assert!(accepts_answer(OrderState::NeedsInformation));
        assert!(!accepts_answer(OrderState::Actioned));
        assert!(!accepts_answer(OrderState::Rejected));
    }
}
