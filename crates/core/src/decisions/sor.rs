//! The statement of reasons in the EU DSA Transparency Database's schema
//! (API schema v2, in force since 1 July 2025): one record per decision,
//! field names and values exactly as the database's API takes them, and
//! the `{"statements": [...]}` document its multiple-statements endpoint
//! takes. `schemas/dsa-statement-of-reasons.schema.json` (repository root)
//! is the schema of one record; `tests/sor_schema.rs` checks every record
//! against it.
//!
//! Choices, written down:
//! - `territorial_scope`: Harrier's empty scope ("everywhere the service is
//!   offered") becomes the 30 EEA codes the API takes (the documentation's
//!   "for the European Economic Area use" list). Codes outside the EEA are
//!   left out; a decision whose scope has no EEA country at all is outside
//!   the DSA and is not exported ([`in_dsa_scope`]).
//! - The API takes at most 500 characters for the legal ground and the
//!   terms clause (Harrier allows [`super::MAX_GROUND_CHARS`]): longer ones
//!   are cut, ending in "…".
//! - `source_identity` only for a trusted flagger (whose name is public):
//!   never a private notifier's, and never with `SOURCE_VOLUNTARY`.
//! - Keywords the schema does not list are left out; a language the API
//!   does not list is left out (the field is optional); an end date after
//!   2038-01-01 (the API's last date) is left out.
//! - No nulls: a field without a value is absent.
//! - Every decision is exported whatever its state: a decision reversed on
//!   appeal was still taken (the one replacing a modified one is exported
//!   too, under its own `puid`).

use super::{
    AccountRestriction, AccountType, AutomatedDecision, ContentType, DSA_CATEGORIES, Decision,
    Ground, Monetary, Provision, Source, Statement, Visibility,
};
use serde_json::{Map, Value, json};
use time::Date;
use time::macros::date;

/// The longest `illegal_content_legal_ground` / `incompatible_content_ground`.
pub const MAX_API_GROUND_CHARS: usize = 500;
/// The longest explanation.
pub const MAX_API_EXPLANATION_CHARS: usize = 2_000;
/// The longest `decision_facts`.
pub const MAX_API_FACTS_CHARS: usize = 5_000;
/// The longest `puid` and short free text.
pub const MAX_API_SHORT_CHARS: usize = 500;
/// The API takes no date after this one.
pub const LAST_DATE: Date = date!(2038 - 01 - 01);

/// The European Economic Area: the codes `territorial_scope` takes
/// (`EuropeanCountriesService::EUROPEAN_COUNTRY_CODES`; Greece is `GR`).
pub const EEA_COUNTRY_CODES: [&str; 30] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS",
    "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The `category_specification` keywords of schema v2 (the API
/// documentation's list; the v1-only ones such as
/// `KEYWORD_REGULATED_GOODS_SERVICES` are not taken any more).
pub const DSA_KEYWORDS: [&str; 69] = [
    "KEYWORD_ADULT_SEXUAL_MATERIAL",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS",
    "KEYWORD_ANIMAL_HARM",
    "KEYWORD_BIOMETRIC_DATA_BREACH",
    "KEYWORD_BULLYING_AGAINST_GIRLS",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS",
    "KEYWORD_COORDINATED_HARM",
    "KEYWORD_COPYRIGHT_INFRINGEMENT",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    "KEYWORD_CYBER_HARASSMENT",
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_INCITEMENT",
    "KEYWORD_CYBER_STALKING",
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
    "KEYWORD_DATA_FALSIFICATION",
    "KEYWORD_DEFAMATION",
    "KEYWORD_DESIGN_INFRINGEMENT",
    "KEYWORD_DISCRIMINATION",
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT",
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_HATE_SPEECH",
    "KEYWORD_HIDDEN_ADVERTISEMENT",
    "KEYWORD_HUMAN_EXPLOITATION",
    "KEYWORD_HUMAN_TRAFFICKING",
    "KEYWORD_ILLEGAL_ORGANIZATIONS",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
    "KEYWORD_INAUTHENTIC_ACCOUNTS",
    "KEYWORD_INAUTHENTIC_LISTINGS",
    "KEYWORD_INAUTHENTIC_USER_REVIEWS",
    "KEYWORD_INCITEMENT_AGAINST_WOMEN",
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS",
    "KEYWORD_LANGUAGE_REQUIREMENTS",
    "KEYWORD_MISINFORMATION_DISINFORMATION",
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES",
    "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_NONCOMPLIANCE_PRICING",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN",
    "KEYWORD_NUDITY",
    "KEYWORD_OTHER",
    "KEYWORD_PATENT_INFRINGEMENT",
    "KEYWORD_PHISHING",
    "KEYWORD_PROHIBITED_PRODUCTS",
    "KEYWORD_PYRAMID_SCHEMES",
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE",
    "KEYWORD_RISK_PUBLIC_HEALTH",
    "KEYWORD_SELF_MUTILATION",
    "KEYWORD_STALKING",
    "KEYWORD_SUICIDE",
    "KEYWORD_TERRORIST_CONTENT",
    "KEYWORD_TRADEMARK_INFRINGEMENT",
    "KEYWORD_TRADE_SECRET_INFRINGEMENT",
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS",
    "KEYWORD_UNLAWFUL_SALE_ANIMALS",
    "KEYWORD_UNSAFE_CHALLENGES",
    "KEYWORD_UNSAFE_PRODUCTS",
    "KEYWORD_VIOLATION_EU_LAW",
    "KEYWORD_VIOLATION_NATIONAL_LAW",
];

/// The upper-case ISO 639-1 codes `content_language` takes
/// (`EuropeanLanguagesService::ALL_LANGUAGES`).
pub const LANGUAGE_CODES: [&str; 184] = [
    "AA", "AB", "AE", "AF", "AK", "AM", "AN", "AR", "AS", "AV", "AY", "AZ", "BA", "BE", "BG", "BH",
    "BI", "BM", "BN", "BO", "BR", "BS", "CA", "CE", "CH", "CO", "CR", "CS", "CU", "CV", "CY", "DA",
    "DE", "DV", "DZ", "EE", "EL", "EN", "EO", "ES", "ET", "EU", "FA", "FF", "FI", "FJ", "FO", "FR",
    "FY", "GA", "GD", "GL", "GN", "GU", "GV", "HA", "HE", "HI", "HO", "HR", "HT", "HU", "HY", "HZ",
    "IA", "ID", "IE", "IG", "II", "IK", "IO", "IS", "IT", "IU", "JA", "JV", "KA", "KG", "KI", "KJ",
    "KK", "KL", "KM", "KN", "KO", "KR", "KS", "KU", "KV", "KW", "KY", "LA", "LB", "LG", "LI", "LN",
    "LO", "LT", "LU", "LV", "MG", "MH", "MI", "MK", "ML", "MN", "MR", "MS", "MT", "MY", "NA", "NB",
    "ND", "NE", "NG", "NL", "NN", "NO", "NR", "NV", "NY", "OC", "OJ", "OM", "OR", "OS", "PA", "PI",
    "PL", "PS", "PT", "QU", "RM", "RN", "RO", "RU", "RW", "SA", "SC", "SD", "SE", "SG", "SI", "SK",
    "SL", "SM", "SN", "SO", "SQ", "SR", "SS", "ST", "SU", "SV", "SW", "TA", "TE", "TG", "TH", "TI",
    "TK", "TL", "TN", "TO", "TR", "TS", "TT", "TW", "TY", "UG", "UK", "UR", "UZ", "VE", "VI", "VO",
    "WA", "WO", "XH", "YI", "YO", "ZA", "ZH", "ZU",
];

/// Whether a decision falls under the DSA: its scope is everywhere
/// (empty) or names at least one EEA country.
pub fn in_dsa_scope(statement: &Statement) -> bool {
    statement.territorial_scope.is_empty()
        || statement
            .territorial_scope
            .iter()
            .any(|c| EEA_COUNTRY_CODES.contains(&c.to_ascii_uppercase().as_str()))
}

/// The decision's `puid` as the API takes it: letters, digits, `-` and `_`
/// only (anything else becomes `-`), at most 500 characters.
pub fn puid(decision: &Decision) -> String {
    let p: String = decision
        .puid
        .chars()
        .take(MAX_API_SHORT_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if p.is_empty() {
        format!("harrier-decision-{}", decision.id)
    } else {
        p
    }
}

/// One statement of reasons, as the API's single-statement endpoint takes
/// it.
pub fn statement_of_reasons(decision: &Decision) -> Value {
    let s = &decision.statement;
    let r = &mut Map::new();
    let end = s.end_date.filter(|d| *d <= LAST_DATE).map(ymd);
    let restrictions = &s.restrictions;

    if !restrictions.visibility.is_empty() {
        let values: Vec<&str> = restrictions
            .visibility
            .iter()
            .map(|v| visibility(*v))
            .collect();
        put(r, "decision_visibility", json!(values));
        if restrictions.visibility.contains(&Visibility::Other) {
            put_text(
                r,
                "decision_visibility_other",
                other(&restrictions.visibility_other),
            );
        }
        put_opt(r, "end_date_visibility_restriction", end.as_deref());
    }
    if let Some(m) = restrictions.monetary {
        put(r, "decision_monetary", json!(monetary(m)));
        if m == Monetary::Other {
            put_text(
                r,
                "decision_monetary_other",
                other(&restrictions.monetary_other),
            );
        }
        put_opt(r, "end_date_monetary_restriction", end.as_deref());
    }
    if let Some(p) = restrictions.provision {
        put(r, "decision_provision", json!(provision(p)));
        put_opt(r, "end_date_service_restriction", end.as_deref());
    }
    if let Some(a) = restrictions.account {
        put(r, "decision_account", json!(account(a)));
        put_opt(r, "end_date_account_restriction", end.as_deref());
    }
    if let Some(t) = s.account_type {
        put(r, "account_type", json!(account_type(t)));
    }

    match &s.ground {
        Ground::IllegalContent {
            legal_ground,
            explanation,
        } => {
            put(
                r,
                "decision_ground",
                json!("DECISION_GROUND_ILLEGAL_CONTENT"),
            );
            put_text(
                r,
                "illegal_content_legal_ground",
                cap(legal_ground, MAX_API_GROUND_CHARS),
            );
            put_text(
                r,
                "illegal_content_explanation",
                cap(explanation, MAX_API_EXPLANATION_CHARS),
            );
        }
        Ground::IncompatibleContent {
            clause,
            explanation,
            also_illegal,
        } => {
            put(
                r,
                "decision_ground",
                json!("DECISION_GROUND_INCOMPATIBLE_CONTENT"),
            );
            put_text(
                r,
                "incompatible_content_ground",
                cap(clause, MAX_API_GROUND_CHARS),
            );
            put_text(
                r,
                "incompatible_content_explanation",
                cap(explanation, MAX_API_EXPLANATION_CHARS),
            );
            put(
                r,
                "incompatible_content_illegal",
                json!(yes_no(*also_illegal)),
            );
        }
    }
    if let Some(url) = &s.ground_reference_url {
        put_text(
            r,
            "decision_ground_reference_url",
            cap(url, MAX_API_SHORT_CHARS),
        );
    }

    put(r, "category", json!(s.dsa_category));
    let additions: Vec<&str> = s
        .dsa_category_addition
        .iter()
        .map(String::as_str)
        .filter(|c| DSA_CATEGORIES.contains(c) && *c != s.dsa_category)
        .collect();
    if !additions.is_empty() {
        put(r, "category_addition", json!(additions));
    }
    let keywords: Vec<&str> = s
        .dsa_keywords
        .iter()
        .map(String::as_str)
        .filter(|k| DSA_KEYWORDS.contains(k))
        .collect();
    if !keywords.is_empty() {
        if keywords.contains(&"KEYWORD_OTHER") {
            let text = s
                .dsa_keyword_other
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map_or_else(|| format!("Harrier category {}", s.category), str::to_owned);
            put_text(
                r,
                "category_specification_other",
                cap(&text, MAX_API_SHORT_CHARS),
            );
        }
        put(r, "category_specification", json!(keywords));
    }

    let types: Vec<&str> = s.content_type.iter().map(|t| content_type(*t)).collect();
    if types.is_empty() {
        put(r, "content_type", json!(["CONTENT_TYPE_TEXT"]));
    } else {
        put(r, "content_type", json!(types));
        if s.content_type.contains(&ContentType::Other) {
            put_text(r, "content_type_other", other(&s.content_type_other));
        }
    }
    if let Some(lang) = &s.content_language {
        let lang = lang.trim().to_ascii_uppercase();
        if LANGUAGE_CODES.contains(&lang.as_str()) {
            put(r, "content_language", json!(lang));
        }
    }
    put(r, "content_date", json!(ymd(s.content_date)));
    put(r, "application_date", json!(ymd(s.application_date)));
    put(
        r,
        "territorial_scope",
        json!(territorial_scope(&s.territorial_scope)),
    );

    put_text(r, "decision_facts", cap(&s.facts, MAX_API_FACTS_CHARS));
    put(r, "source_type", json!(source_type(s.source)));
    if s.source == Source::TrustedFlagger
        && let Some(who) = s
            .source_identity
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
    {
        put_text(r, "source_identity", cap(who, MAX_API_SHORT_CHARS));
    }
    put(
        r,
        "automated_detection",
        json!(yes_no(s.automated_detection)),
    );
    put(
        r,
        "automated_decision",
        json!(automated_decision(s.automated_decision)),
    );
    put(r, "puid", json!(puid(decision)));
    Value::Object(std::mem::take(r))
}

/// The document the API's multiple-statements endpoint takes:
/// `{"statements": [...]}`, decisions outside the DSA's scope left out.
/// (The endpoint takes at most 100 statements per call: split larger
/// documents when sending.)
pub fn export_document(decisions: &[Decision]) -> Value {
    let statements: Vec<Value> = decisions
        .iter()
        .filter(|d| in_dsa_scope(&d.statement))
        .map(statement_of_reasons)
        .collect();
    json!({ "statements": statements })
}

/// The EEA codes of a scope, sorted; all of them for an empty scope.
pub fn territorial_scope(scope: &[String]) -> Vec<&'static str> {
    if scope.is_empty() {
        return EEA_COUNTRY_CODES.to_vec();
    }
    let mut codes: Vec<&'static str> = EEA_COUNTRY_CODES
        .into_iter()
        .filter(|code| scope.iter().any(|c| c.eq_ignore_ascii_case(code)))
        .collect();
    codes.sort_unstable();
    codes
}

fn put(r: &mut Map<String, Value>, key: &str, value: Value) {
    r.insert(key.to_owned(), value);
}

fn put_opt(r: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        put(r, key, json!(v));
    }
}

fn put_text(r: &mut Map<String, Value>, key: &str, value: String) {
    put(r, key, Value::String(value));
}

/// The text of an `..._other` (validation requires it; a statement stored
/// before that rule says so instead of sending nothing).
fn other(text: &Option<String>) -> String {
    let t = text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    cap(t.unwrap_or("not specified"), MAX_API_SHORT_CHARS)
}

/// At most `max` characters (as the API counts them: code points), a cut
/// text ending in "…".
pub fn cap(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

fn visibility(v: Visibility) -> &'static str {
    match v {
        Visibility::Removed => "DECISION_VISIBILITY_CONTENT_REMOVED",
        Visibility::Disabled => "DECISION_VISIBILITY_CONTENT_DISABLED",
        Visibility::Demoted => "DECISION_VISIBILITY_CONTENT_DEMOTED",
        Visibility::AgeRestricted => "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
        Visibility::InteractionRestricted => "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
        Visibility::Labelled => "DECISION_VISIBILITY_CONTENT_LABELLED",
        Visibility::Other => "DECISION_VISIBILITY_OTHER",
    }
}

fn monetary(m: Monetary) -> &'static str {
    match m {
        Monetary::Suspension => "DECISION_MONETARY_SUSPENSION",
        Monetary::Termination => "DECISION_MONETARY_TERMINATION",
        Monetary::Other => "DECISION_MONETARY_OTHER",
    }
}

fn provision(p: Provision) -> &'static str {
    match p {
        Provision::PartialSuspension => "DECISION_PROVISION_PARTIAL_SUSPENSION",
        Provision::TotalSuspension => "DECISION_PROVISION_TOTAL_SUSPENSION",
        Provision::PartialTermination => "DECISION_PROVISION_PARTIAL_TERMINATION",
        Provision::TotalTermination => "DECISION_PROVISION_TOTAL_TERMINATION",
    }
}

fn account(a: AccountRestriction) -> &'static str {
    match a {
        AccountRestriction::Suspended => "DECISION_ACCOUNT_SUSPENDED",
        AccountRestriction::Terminated => "DECISION_ACCOUNT_TERMINATED",
    }
}

fn account_type(t: AccountType) -> &'static str {
    match t {
        AccountType::Business => "ACCOUNT_TYPE_BUSINESS",
        AccountType::Private => "ACCOUNT_TYPE_PRIVATE",
    }
}

fn content_type(t: ContentType) -> &'static str {
    match t {
        ContentType::Text => "CONTENT_TYPE_TEXT",
        ContentType::Image => "CONTENT_TYPE_IMAGE",
        ContentType::Video => "CONTENT_TYPE_VIDEO",
        ContentType::Audio => "CONTENT_TYPE_AUDIO",
        ContentType::SyntheticMedia => "CONTENT_TYPE_SYNTHETIC_MEDIA",
        ContentType::Product => "CONTENT_TYPE_PRODUCT",
        ContentType::App => "CONTENT_TYPE_APP",
        ContentType::Other => "CONTENT_TYPE_OTHER",
    }
}

fn source_type(s: Source) -> &'static str {
    match s {
        Source::Article16 => "SOURCE_ARTICLE_16",
        Source::TrustedFlagger => "SOURCE_TRUSTED_FLAGGER",
        Source::OtherNotification => "SOURCE_TYPE_OTHER_NOTIFICATION",
        Source::OwnInitiative => "SOURCE_VOLUNTARY",
    }
}

fn automated_decision(a: AutomatedDecision) -> &'static str {
    match a {
        AutomatedDecision::Fully => "AUTOMATED_DECISION_FULLY",
        AutomatedDecision::Partially => "AUTOMATED_DECISION_PARTIALLY",
        AutomatedDecision::NotAutomated => "AUTOMATED_DECISION_NOT_AUTOMATED",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::decisions::{DecisionState, Restrictions};
    use time::macros::datetime;

    fn statement() -> Statement {
        Statement {
            ground: Ground::IllegalContent {
                legal_ground: "Art. 1 of the law on drugs".into(),
                explanation: "Offers controlled drugs for sale.".into(),
            },
            ground_reference_url: None,
            category: "drugs".into(),
            dsa_category: "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS".into(),
            dsa_category_addition: vec![],
            dsa_keywords: vec!["KEYWORD_PROHIBITED_PRODUCTS".into()],
            dsa_keyword_other: None,
            restrictions: Restrictions {
                visibility: vec![Visibility::Removed],
                ..Restrictions::default()
            },
            territorial_scope: vec![],
            content_type: vec![ContentType::Text],
            content_type_other: None,
            content_date: date!(2026 - 11 - 20),
            content_language: Some("zh".into()),
            application_date: date!(2026 - 11 - 24),
            end_date: None,
            facts: "A post offering drugs with a delivery arrangement.".into(),
            automated_detection: true,
            automated_decision: AutomatedDecision::NotAutomated,
            source: Source::OwnInitiative,
            source_identity: Some("a reporter's name".into()),
            account_type: None,
        }
    }

    fn decision(statement: Statement) -> Decision {
        Decision {
            id: 7,
            puid: "hd-7".into(),
            case_id: 1,
            subject_id: 2,
            statement,
            state: DecisionState::InForce,
            decided_by: "mod".into(),
            decided_by_id: 3,
            decided_at: datetime!(2026-11-24 10:00 UTC),
            appeal_code: "ABCD".into(),
            appeal_until: datetime!(2027-05-24 10:00 UTC),
            supersedes: None,
            superseded_by: None,
        }
    }

    #[test]
    fn an_illegal_content_removal_maps_field_by_field() {
        let r = statement_of_reasons(&decision(statement()));
        let expected = json!({
            "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": "Art. 1 of the law on drugs",
            "illegal_content_explanation": "Offers controlled drugs for sale.",
            "category": "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
            "category_specification": ["KEYWORD_PROHIBITED_PRODUCTS"],
            "content_type": ["CONTENT_TYPE_TEXT"],
            "content_language": "ZH",
            "content_date": "2026-11-20",
            "application_date": "2026-11-24",
            "territorial_scope": EEA_COUNTRY_CODES,
            "decision_facts": "A post offering drugs with a delivery arrangement.",
            "source_type": "SOURCE_VOLUNTARY",
            "automated_detection": "Yes",
            "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
            "puid": "hd-7",
        });
        assert_eq!(r, expected);
    }

    #[test]
    fn an_incompatible_ground_with_every_restriction_and_an_end_date() {
        let mut s = statement();
        s.ground = Ground::IncompatibleContent {
            clause: "Terms §4.2".into(),
            explanation: "Selling is not allowed.".into(),
            also_illegal: true,
        };
        s.ground_reference_url = Some("https://example.org/terms".into());
        s.restrictions = Restrictions {
            visibility: vec![Visibility::Demoted, Visibility::Other],
            visibility_other: Some("hidden from search".into()),
            account: Some(AccountRestriction::Suspended),
            monetary: Some(Monetary::Other),
            monetary_other: Some("payouts held".into()),
            provision: Some(Provision::PartialSuspension),
        };
        s.end_date = Some(date!(2027 - 02 - 24));
        s.account_type = Some(AccountType::Business);
        s.source = Source::TrustedFlagger;
        s.source_identity = Some("Example Flagger e.V.".into());
        s.territorial_scope = vec!["DE".into(), "AT".into(), "CN".into()];
        s.content_type = vec![ContentType::Image, ContentType::Other];
        s.content_type_other = Some("sticker".into());
        let r = statement_of_reasons(&decision(s));
        assert_eq!(r["decision_ground"], "DECISION_GROUND_INCOMPATIBLE_CONTENT");
        assert_eq!(r["incompatible_content_ground"], "Terms §4.2");
        assert_eq!(r["incompatible_content_illegal"], "Yes");
        assert!(r.get("illegal_content_legal_ground").is_none());
        assert_eq!(
            r["decision_ground_reference_url"],
            "https://example.org/terms"
        );
        assert_eq!(
            r["decision_visibility"],
            json!([
                "DECISION_VISIBILITY_CONTENT_DEMOTED",
                "DECISION_VISIBILITY_OTHER"
            ])
        );
        assert_eq!(r["decision_visibility_other"], "hidden from search");
        assert_eq!(r["decision_monetary"], "DECISION_MONETARY_OTHER");
        assert_eq!(r["decision_monetary_other"], "payouts held");
        assert_eq!(
            r["decision_provision"],
            "DECISION_PROVISION_PARTIAL_SUSPENSION"
        );
        assert_eq!(r["decision_account"], "DECISION_ACCOUNT_SUSPENDED");
        assert_eq!(r["account_type"], "ACCOUNT_TYPE_BUSINESS");
        for field in [
            "end_date_visibility_restriction",
            "end_date_monetary_restriction",
            "end_date_service_restriction",
            "end_date_account_restriction",
        ] {
            assert_eq!(r[field], "2027-02-24", "{field}");
        }
        assert_eq!(r["source_type"], "SOURCE_TRUSTED_FLAGGER");
        assert_eq!(r["source_identity"], "Example Flagger e.V.");
        assert_eq!(r["territorial_scope"], json!(["AT", "DE"]));
        assert_eq!(
            r["content_type"],
            json!(["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_OTHER"])
        );
        assert_eq!(r["content_type_other"], "sticker");
    }

    #[test]
    fn end_dates_only_for_the_restrictions_used() {
        let mut s = statement();
        s.end_date = Some(date!(2027 - 01 - 01));
        s.restrictions = Restrictions {
            account: Some(AccountRestriction::Terminated),
            ..Restrictions::default()
        };
        let r = statement_of_reasons(&decision(s));
        assert_eq!(r["end_date_account_restriction"], "2027-01-01");
        assert!(r.get("decision_visibility").is_none());
        assert!(r.get("end_date_visibility_restriction").is_none());
        assert!(r.get("end_date_service_restriction").is_none());
        assert!(r.get("end_date_monetary_restriction").is_none());
    }

    #[test]
    fn no_private_notifier_identity_and_no_nulls() {
        let mut s = statement();
        s.source = Source::Article16;
        s.source_identity = Some("Zhang San".into());
        let r = statement_of_reasons(&decision(s));
        assert_eq!(r["source_type"], "SOURCE_ARTICLE_16");
        assert!(r.get("source_identity").is_none());
        assert!(r.as_object().unwrap().values().all(|v| !v.is_null()));
    }

    #[test]
    fn long_grounds_are_cut_to_the_api_limit() {
        let mut s = statement();
        s.ground = Ground::IllegalContent {
            legal_ground: "法".repeat(2_000),
            explanation: "x".repeat(2_000),
        };
        let r = statement_of_reasons(&decision(s));
        let ground = r["illegal_content_legal_ground"].as_str().unwrap();
        assert_eq!(ground.chars().count(), MAX_API_GROUND_CHARS);
        assert!(ground.ends_with('…'));
        assert_eq!(
            r["illegal_content_explanation"].as_str().unwrap().len(),
            2_000
        );
    }

    #[test]
    fn keyword_other_carries_its_text_and_unknown_keywords_are_left_out() {
        let mut s = statement();
        s.dsa_keywords = vec![
            "KEYWORD_OTHER".into(),
            "KEYWORD_REGULATED_GOODS_SERVICES".into(),
        ];
        s.dsa_keyword_other = Some("paid deletion of reviews".into());
        let r = statement_of_reasons(&decision(s.clone()));
        assert_eq!(r["category_specification"], json!(["KEYWORD_OTHER"]));
        assert_eq!(
            r["category_specification_other"],
            "paid deletion of reviews"
        );
        s.dsa_keywords = vec!["KEYWORD_DANGEROUS_TOYS".into()];
        let r = statement_of_reasons(&decision(s));
        assert!(r.get("category_specification").is_none());
        assert!(r.get("category_specification_other").is_none());
    }

    #[test]
    fn puid_keeps_to_the_api_pattern() {
        let mut d = decision(statement());
        d.puid = "dec 7/2026:a".into();
        assert_eq!(puid(&d), "dec-7-2026-a");
        d.puid = String::new();
        assert_eq!(puid(&d), "harrier-decision-7");
        d.puid = "a".repeat(600);
        assert_eq!(puid(&d).len(), 500);
    }

    #[test]
    fn the_document_leaves_out_decisions_outside_the_eea() {
        let mut outside = statement();
        outside.territorial_scope = vec!["CN".into()];
        let doc = export_document(&[decision(statement()), decision(outside)]);
        assert_eq!(doc["statements"].as_array().unwrap().len(), 1);
        assert_eq!(doc.as_object().unwrap().len(), 1);
    }

    #[test]
    fn an_unknown_language_and_a_far_end_date_are_left_out() {
        let mut s = statement();
        s.content_language = Some("xx".into());
        s.end_date = Some(date!(2040 - 01 - 01));
        let r = statement_of_reasons(&decision(s));
        assert!(r.get("content_language").is_none());
        assert!(r.get("end_date_visibility_restriction").is_none());
    }
}
