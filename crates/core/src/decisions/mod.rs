//! Decisions on subjects and their statements of reasons (DSA Art. 17).
//!
//! A decision records why (the ground), what for (the category), what was
//! restricted, where, from when to when, on which facts, how automated and
//! on whose notice. `validate` turns what staff typed into a
//! [`Statement`], naming every wrong field; the statement is stored whole
//! (as JSON) with the decision and exported in the EU Transparency
//! Database's schema (`sor.rs`). `appeal.rs` holds appeals against a
//! decision (Art. 20), `message.rs` the texts the affected person receives,
//! `store.rs` the port the storage implements.

pub mod appeal;
pub mod message;
pub mod sor;
pub mod store;

pub use appeal::*;
pub use message::*;
pub use store::*;

use crate::taxonomy::Taxonomy;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// One wrong field of a form or request: which, a stable code, and what
/// was wrong in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code,
            message: message.into(),
        }
    }
}

// Dates as `YYYY-MM-DD` in JSON (stored statements and the API).
time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// The longest facts-and-circumstances text (the DSA database's limit).
pub const MAX_FACTS_CHARS: usize = 5_000;
/// The longest explanation of the ground (legal grounds and terms clauses
/// take [`MAX_SHORT_CHARS`], as the DSA database does).
pub const MAX_GROUND_CHARS: usize = 2_000;
/// The longest short free text (an `..._other`, a source identity).
pub const MAX_SHORT_CHARS: usize = 500;

/// Why the content was acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ground {
    /// Illegal content: the law it breaks and why.
    IllegalContent {
        legal_ground: String,
        explanation: String,
    },
    /// Incompatible with the provider's terms: the clause and why; whether
    /// it is also considered illegal.
    IncompatibleContent {
        clause: String,
        explanation: String,
        #[serde(default)]
        also_illegal: bool,
    },
}

impl Ground {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::IllegalContent { .. } => "illegal_content",
            Self::IncompatibleContent { .. } => "incompatible_content",
        }
    }
}

/// A restriction of the content's visibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Removed,
    Disabled,
    Demoted,
    AgeRestricted,
    InteractionRestricted,
    Labelled,
    Other,
}

impl Visibility {
    pub const ALL: [Self; 7] = [
        Self::Removed,
        Self::Disabled,
        Self::Demoted,
        Self::AgeRestricted,
        Self::InteractionRestricted,
        Self::Labelled,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Removed => "removed",
            Self::Disabled => "disabled",
            Self::Demoted => "demoted",
            Self::AgeRestricted => "age_restricted",
            Self::InteractionRestricted => "interaction_restricted",
            Self::Labelled => "labelled",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A restriction of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRestriction {
    Suspended,
    Terminated,
}

impl AccountRestriction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspended => "suspended",
            Self::Terminated => "terminated",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Suspended, Self::Terminated]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A restriction of monetary payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monetary {
    Suspension,
    Termination,
    Other,
}

impl Monetary {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspension => "suspension",
            Self::Termination => "termination",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Suspension, Self::Termination, Self::Other]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A restriction of the provision of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provision {
    PartialSuspension,
    TotalSuspension,
    PartialTermination,
    TotalTermination,
}

impl Provision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartialSuspension => "partial_suspension",
            Self::TotalSuspension => "total_suspension",
            Self::PartialTermination => "partial_termination",
            Self::TotalTermination => "total_termination",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::PartialSuspension,
            Self::TotalSuspension,
            Self::PartialTermination,
            Self::TotalTermination,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// How far the decision itself was automated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutomatedDecision {
    Fully,
    Partially,
    NotAutomated,
}

impl AutomatedDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fully => "fully",
            Self::Partially => "partially",
            Self::NotAutomated => "not_automated",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Fully, Self::Partially, Self::NotAutomated]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What brought the content to the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A notice under Art. 16 (a tip-off with the good-faith statement).
    #[serde(rename = "article_16")]
    Article16,
    TrustedFlagger,
    /// Another notice (an e-mail or phone tip-off, an authority's order).
    OtherNotification,
    /// Harrier's own initiative (the patrol, ring detection, staff).
    OwnInitiative,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article16 => "article_16",
            Self::TrustedFlagger => "trusted_flagger",
            Self::OtherNotification => "other_notification",
            Self::OwnInitiative => "own_initiative",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Article16,
            Self::TrustedFlagger,
            Self::OtherNotification,
            Self::OwnInitiative,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What kind of content it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentType {
    Text,
    Image,
    Video,
    Audio,
    SyntheticMedia,
    Product,
    App,
    Other,
}

impl ContentType {
    pub const ALL: [Self; 8] = [
        Self::Text,
        Self::Image,
        Self::Video,
        Self::Audio,
        Self::SyntheticMedia,
        Self::Product,
        Self::App,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::SyntheticMedia => "synthetic_media",
            Self::Product => "product",
            Self::App => "app",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The restrictions a decision imposes: at least one of the four kinds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Restrictions {
    #[serde(default)]
    pub visibility: Vec<Visibility>,
    /// Required when `visibility` holds `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility_other: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountRestriction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monetary: Option<Monetary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monetary_other: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Provision>,
}

impl Restrictions {
    pub fn is_empty(&self) -> bool {
        self.visibility.is_empty()
            && self.account.is_none()
            && self.monetary.is_none()
            && self.provision.is_none()
    }

    /// Every restriction as `kind:value` (`visibility:removed`,
    /// `account:suspended`): for lists, statistics and message texts.
    pub fn labels(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .visibility
            .iter()
            .map(|v| format!("visibility:{}", v.as_str()))
            .collect();
        if let Some(a) = self.account {
            out.push(format!("account:{}", a.as_str()));
        }
        if let Some(m) = self.monetary {
            out.push(format!("monetary:{}", m.as_str()));
        }
        if let Some(p) = self.provision {
            out.push(format!("provision:{}", p.as_str()));
        }
        out
    }
}

/// The statement of reasons, as validated and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub ground: Ground,
    /// Optional public link to the law or the terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ground_reference_url: Option<String>,
    /// The taxonomy entry.
    pub category: String,
    /// Its DSA category (from the taxonomy).
    pub dsa_category: String,
    /// Further DSA categories (`category_addition`).
    #[serde(default)]
    pub dsa_category_addition: Vec<String>,
    /// DSA keywords: the taxonomy's default unless the decision names its own.
    pub dsa_keywords: Vec<String>,
    /// Free text when a keyword is `KEYWORD_OTHER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsa_keyword_other: Option<String>,
    pub restrictions: Restrictions,
    /// ISO 3166-1 alpha-2 codes where the decision applies; empty: everywhere
    /// the service is offered.
    #[serde(default)]
    pub territorial_scope: Vec<String>,
    pub content_type: Vec<ContentType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type_other: Option<String>,
    /// When the content was posted (or first seen).
    #[serde(with = "iso_date")]
    pub content_date: Date,
    /// ISO 639-1 code of the content's language, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    /// When the restriction starts.
    #[serde(with = "iso_date")]
    pub application_date: Date,
    /// When it ends; none: indefinite.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<Date>,
    /// The facts and circumstances relied on.
    pub facts: String,
    pub automated_detection: bool,
    pub automated_decision: AutomatedDecision,
    pub source: Source,
    /// Who notified (a trusted flagger's name); never a private reporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_identity: Option<String>,
    /// `ACCOUNT_TYPE_BUSINESS` or `ACCOUNT_TYPE_PRIVATE`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<AccountType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Business,
    Private,
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionState {
    InForce,
    /// Reversed on appeal.
    Reversed,
    /// Replaced by another decision on appeal.
    Modified,
}

impl DecisionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InForce => "in_force",
            Self::Reversed => "reversed",
            Self::Modified => "modified",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::InForce, Self::Reversed, Self::Modified]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The statement as typed: loose strings, checked by [`validate`].
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StatementInput {
    /// `illegal_content` or `incompatible_content`.
    pub ground: String,
    #[serde(default)]
    pub legal_ground: String,
    #[serde(default)]
    pub terms_clause: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub also_illegal: bool,
    #[serde(default)]
    pub ground_reference_url: Option<String>,
    /// A taxonomy id; empty: the case's category.
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub dsa_keywords: Vec<String>,
    #[serde(default)]
    pub dsa_keyword_other: Option<String>,
    #[serde(default)]
    pub dsa_category_addition: Vec<String>,
    #[serde(default)]
    pub visibility: Vec<String>,
    #[serde(default)]
    pub visibility_other: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub monetary: Option<String>,
    #[serde(default)]
    pub monetary_other: Option<String>,
    #[serde(default)]
    pub provision: Option<String>,
    #[serde(default)]
    pub territorial_scope: Vec<String>,
    #[serde(default)]
    pub content_type: Vec<String>,
    #[serde(default)]
    pub content_type_other: Option<String>,
    /// `YYYY-MM-DD`; empty: the first time Harrier saw it.
    #[serde(default)]
    pub content_date: String,
    #[serde(default)]
    pub content_language: Option<String>,
    /// `YYYY-MM-DD`; empty: today.
    #[serde(default)]
    pub application_date: String,
    #[serde(default)]
    pub end_date: Option<String>,
    pub facts: String,
    #[serde(default)]
    pub automated_detection: bool,
    /// `fully`, `partially` or `not_automated` (the default).
    #[serde(default)]
    pub automated_decision: String,
    /// `article_16`, `trusted_flagger`, `other_notification` or
    /// `own_initiative`; empty: from the case (a tip-off with the good-faith
    /// statement is Art. 16, the patrol's findings are own initiative).
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub source_identity: Option<String>,
}

/// What the case says when the input leaves something to it.
#[derive(Debug, Clone)]
pub struct CaseDefaults {
    pub category: String,
    pub source: Source,
    pub automated_detection: bool,
    pub content_date: Date,
    pub today: Date,
}

/// The DSA categories (schema v2).
pub const DSA_CATEGORIES: [&str; 16] = [
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
];

/// Categories Harrier never acts under (political speech is out of scope).
pub const EXCLUDED_DSA_CATEGORIES: [&str; 1] =
    ["STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"];

fn err(field: &str, code: &'static str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, code, message)
}

fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.push(err(field, "required", format!("{field} is required")));
    } else if value.chars().count() > max {
        errors.push(err(
            field,
            "too_long",
            format!("{field} has more than {max} characters"),
        ));
    }
    value.to_owned()
}

fn opt_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    max: usize,
) -> Option<String> {
    let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    Some(text(errors, field, v, max, false))
}

fn date(errors: &mut Vec<FieldError>, field: &str, value: &str, default: Date) -> Date {
    let value = value.trim();
    if value.is_empty() {
        return default;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, &format).unwrap_or_else(|_| {
        errors.push(err(
            field,
            "invalid_date",
            format!("{field} must be a date written YYYY-MM-DD, not {value:?}"),
        ));
        default
    })
}

fn one_of<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> Option<T> {
    let parsed = parse(value.trim());
    if parsed.is_none() {
        errors.push(err(
            field,
            "invalid_value",
            format!("{field} {value:?} is not one of: {allowed}"),
        ));
    }
    parsed
}

fn opt_one_of<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &Option<String>,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> Option<T> {
    let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    one_of(errors, field, v, parse, allowed)
}

/// Checks a typed statement against the taxonomy and the DSA schema's
/// rules, naming every wrong field at once.
pub fn validate(
    input: &StatementInput,
    taxonomy: &Taxonomy,
    defaults: &CaseDefaults,
) -> Result<Statement, Vec<FieldError>> {
    let mut errors = Vec::new();
    let e = &mut errors;

    let explanation = text(e, "explanation", &input.explanation, MAX_GROUND_CHARS, true);
    let ground = match input.ground.trim() {
        "illegal_content" => Ground::IllegalContent {
            legal_ground: text(
                e,
                "legal_ground",
                &input.legal_ground,
                MAX_SHORT_CHARS,
                true,
            ),
            explanation,
        },
        "incompatible_content" => Ground::IncompatibleContent {
            clause: text(
                e,
                "terms_clause",
                &input.terms_clause,
                MAX_SHORT_CHARS,
                true,
            ),
            explanation,
            also_illegal: input.also_illegal,
        },
        other => {
            e.push(err(
                "ground",
                "invalid_value",
                format!("ground {other:?} is not one of: illegal_content, incompatible_content"),
            ));
            Ground::IllegalContent {
                legal_ground: String::new(),
                explanation,
            }
        }
    };
    let ground_reference_url = opt_text(
        e,
        "ground_reference_url",
        &input.ground_reference_url,
        MAX_SHORT_CHARS,
    );
    if let Some(u) = &ground_reference_url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        e.push(err(
            "ground_reference_url",
            "invalid_url",
            "ground_reference_url must be an http(s) address",
        ));
    }

    let category_id = if input.category.trim().is_empty() {
        defaults.category.clone()
    } else {
        input.category.trim().to_owned()
    };
    let (dsa_category, default_keyword) = match taxonomy.get(&category_id) {
        Some(c) => (c.dsa_category.clone(), c.dsa_keyword.clone()),
        None => {
            e.push(err(
                "category",
                "unknown_category",
                format!("category {category_id:?} is not in the taxonomy"),
            ));
            (String::new(), String::new())
        }
    };
    let mut dsa_keywords: Vec<String> = Vec::new();
    for k in &input.dsa_keywords {
        let k = k.trim();
        if !sor::DSA_KEYWORDS.contains(&k) {
            e.push(err(
                "dsa_keywords",
                "invalid_value",
                format!("{k:?} is not a keyword of the DSA Transparency Database (schema v2)"),
            ));
        } else if !dsa_keywords.iter().any(|x| x == k) {
            dsa_keywords.push(k.to_owned());
        }
    }
    if dsa_keywords.is_empty() && !default_keyword.is_empty() {
        dsa_keywords.push(default_keyword);
    }
    let dsa_keyword_other = opt_text(
        e,
        "dsa_keyword_other",
        &input.dsa_keyword_other,
        MAX_SHORT_CHARS,
    );
    if dsa_keywords.iter().any(|k| k == "KEYWORD_OTHER") && dsa_keyword_other.is_none() {
        e.push(err(
            "dsa_keyword_other",
            "required",
            "dsa_keyword_other is required with KEYWORD_OTHER",
        ));
    }
    let mut dsa_category_addition = Vec::new();
    for c in &input.dsa_category_addition {
        let c = c.trim();
        if EXCLUDED_DSA_CATEGORIES.contains(&c) {
            e.push(err(
                "dsa_category_addition",
                "excluded_category",
                format!("{c} is outside what Harrier acts on"),
            ));
        } else if !DSA_CATEGORIES.contains(&c) {
            e.push(err(
                "dsa_category_addition",
                "invalid_value",
                format!("{c:?} is not a DSA STATEMENT_CATEGORY_* value"),
            ));
        } else if c != dsa_category && !dsa_category_addition.iter().any(|x| x == c) {
            dsa_category_addition.push(c.to_owned());
        }
    }

    let mut visibility = Vec::new();
    for v in &input.visibility {
        if let Some(v) = one_of(
            e,
            "visibility",
            v,
            Visibility::parse,
            "removed, disabled, demoted, age_restricted, interaction_restricted, labelled, other",
        ) && !visibility.contains(&v)
        {
            visibility.push(v);
        }
    }
    let visibility_other = opt_text(
        e,
        "visibility_other",
        &input.visibility_other,
        MAX_SHORT_CHARS,
    );
    if visibility.contains(&Visibility::Other) && visibility_other.is_none() {
        e.push(err(
            "visibility_other",
            "required",
            "visibility_other is required with the visibility restriction other",
        ));
    }
    let account = opt_one_of(
        e,
        "account",
        &input.account,
        AccountRestriction::parse,
        "suspended, terminated",
    );
    let monetary = opt_one_of(
        e,
        "monetary",
        &input.monetary,
        Monetary::parse,
        "suspension, termination, other",
    );
    let monetary_other = opt_text(e, "monetary_other", &input.monetary_other, MAX_SHORT_CHARS);
    if monetary == Some(Monetary::Other) && monetary_other.is_none() {
        e.push(err(
            "monetary_other",
            "required",
            "monetary_other is required with the monetary restriction other",
        ));
    }
    let provision = opt_one_of(
        e,
        "provision",
        &input.provision,
        Provision::parse,
        "partial_suspension, total_suspension, partial_termination, total_termination",
    );
    let restrictions = Restrictions {
        visibility,
        visibility_other,
        account,
        monetary,
        monetary_other,
        provision,
    };
    if restrictions.is_empty() {
        e.push(err(
            "restrictions",
            "required",
            "at least one restriction is required: visibility, account, monetary or provision",
        ));
    }
    let account_type = opt_one_of(
        e,
        "account_type",
        &input.account_type,
        |s| match s {
            "business" => Some(AccountType::Business),
            "private" => Some(AccountType::Private),
            _ => None,
        },
        "business, private",
    );

    let mut territorial_scope = Vec::new();
    for c in &input.territorial_scope {
        let c = c.trim().to_ascii_uppercase();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            e.push(err(
                "territorial_scope",
                "invalid_value",
                format!("{c:?} is not a two-letter country code"),
            ));
        } else if !territorial_scope.contains(&c) {
            territorial_scope.push(c);
        }
    }
    territorial_scope.sort();

    let mut content_type = Vec::new();
    for c in &input.content_type {
        if let Some(c) = one_of(
            e,
            "content_type",
            c,
            ContentType::parse,
            "text, image, video, audio, synthetic_media, product, app, other",
        ) && !content_type.contains(&c)
        {
            content_type.push(c);
        }
    }
    if content_type.is_empty() {
        content_type.push(ContentType::Text);
    }
    let content_type_other = opt_text(
        e,
        "content_type_other",
        &input.content_type_other,
        MAX_SHORT_CHARS,
    );
    if content_type.contains(&ContentType::Other) && content_type_other.is_none() {
        e.push(err(
            "content_type_other",
            "required",
            "content_type_other is required with the content type other",
        ));
    }
    let content_date = date(
        e,
        "content_date",
        &input.content_date,
        defaults.content_date,
    );
    let content_language =
        opt_text(e, "content_language", &input.content_language, 2).map(|l| l.to_ascii_lowercase());
    if let Some(l) = &content_language
        && (l.len() != 2 || !l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        e.push(err(
            "content_language",
            "invalid_value",
            "content_language must be a two-letter ISO 639-1 code",
        ));
    }
    let application_date = date(
        e,
        "application_date",
        &input.application_date,
        defaults.today,
    );
    let end_date = input
        .end_date
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| date(e, "end_date", d, application_date));
    if let Some(end) = end_date
        && end < application_date
    {
        e.push(err(
            "end_date",
            "before_start",
            "end_date is before application_date",
        ));
    }
    if content_date > application_date {
        e.push(err(
            "content_date",
            "after_decision",
            "content_date is after application_date",
        ));
    }
    let facts = text(e, "facts", &input.facts, MAX_FACTS_CHARS, true);
    let automated_decision = if input.automated_decision.trim().is_empty() {
        Some(AutomatedDecision::NotAutomated)
    } else {
        one_of(
            e,
            "automated_decision",
            &input.automated_decision,
            AutomatedDecision::parse,
            "fully, partially, not_automated",
        )
    };
    let source = if input.source.trim().is_empty() {
        Some(defaults.source)
    } else {
        one_of(
            e,
            "source",
            &input.source,
            Source::parse,
            "article_16, trusted_flagger, other_notification, own_initiative",
        )
    };
    let source_identity = opt_text(
        e,
        "source_identity",
        &input.source_identity,
        MAX_SHORT_CHARS,
    );
    if source == Some(Source::TrustedFlagger) && source_identity.is_none() {
        e.push(err(
            "source_identity",
            "required",
            "source_identity (the trusted flagger's name) is required with trusted_flagger",
        ));
    }

    match (automated_decision, source) {
        (Some(automated_decision), Some(source)) if errors.is_empty() => Ok(Statement {
            ground,
            ground_reference_url,
            category: category_id,
            dsa_category,
            dsa_category_addition,
            dsa_keywords,
            dsa_keyword_other,
            restrictions,
            territorial_scope,
            content_type,
            content_type_other,
            content_date,
            content_language,
            application_date,
            end_date,
            facts,
            automated_detection: input.automated_detection || defaults.automated_detection,
            automated_decision,
            source,
            source_identity,
            account_type,
        }),
        _ => Err(errors),
    }
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub id: i64,
    /// The platform-unique id the DSA database asks for (`puid`).
    pub puid: String,
    pub case_id: i64,
    pub subject_id: i64,
    pub statement: Statement,
    pub state: DecisionState,
    pub decided_by: String,
    pub decided_by_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// The code the affected person appeals with.
    pub appeal_code: String,
    /// Appeals are open until then (at least six months: Art. 20).
    #[serde(with = "time::serde::rfc3339")]
    pub appeal_until: OffsetDateTime,
    /// The decision this one replaced on appeal.
    pub supersedes: Option<i64>,
    pub superseded_by: Option<i64>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    fn defaults() -> CaseDefaults {
        CaseDefaults {
            category: "drugs".into(),
            source: Source::OwnInitiative,
            automated_detection: true,
            content_date: date!(2026 - 11 - 20),
            today: date!(2026 - 11 - 24),
        }
    }

    fn input() -> StatementInput {
        StatementInput {
            ground: "illegal_content".into(),
            legal_ground: "Criminal Law Art. 347".into(),
            explanation: "offers ice".into(),
            visibility: vec!["removed".into()],
            facts: "three posts".into(),
            ..StatementInput::default()
        }
    }

    fn fields(i: &StatementInput) -> Vec<String> {
        let taxonomy = Taxonomy::shipped().unwrap();
        match validate(i, &taxonomy, &defaults()) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|f| f.field).collect(),
        }
    }

    #[test]
    fn the_case_fills_what_is_left_out() {
        let s = validate(&input(), &Taxonomy::shipped().unwrap(), &defaults()).unwrap();
        assert_eq!(s.category, "drugs");
        assert_eq!(s.dsa_keywords, vec!["KEYWORD_PROHIBITED_PRODUCTS"]);
        assert_eq!(s.source, Source::OwnInitiative);
        assert!(s.automated_detection);
        assert_eq!(s.application_date, date!(2026 - 11 - 24));
        assert_eq!(s.content_type, vec![ContentType::Text]);
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let mut i = input();
        i.legal_ground = "x".repeat(MAX_SHORT_CHARS + 1);
        i.dsa_keywords = vec!["KEYWORD_RUMOURS".into()];
        i.dsa_category_addition =
            vec!["STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS".into()];
        i.visibility = Vec::new();
        i.end_date = Some("2026-11-01".into());
        i.source = "trusted_flagger".into();
        let named = fields(&i);
        for f in [
            "legal_ground",
            "dsa_keywords",
            "dsa_category_addition",
            "restrictions",
            "end_date",
            "source_identity",
        ] {
            assert!(named.iter().any(|n| n == f), "{f} not in {named:?}");
        }
        assert!(fields(&input()).is_empty());
    }
}
