//! The texts the affected person receives, from templates per kind,
//! category and language.
//!
//! A template is plain text with `{placeholders}`; [`check`] refuses an
//! unknown or unclosed one when a template is saved, so sending never
//! fails on a typo. The text is plain: it is never rendered as HTML.
//! Shipped templates are in `content/messages/{lang}.toml`; staff may edit
//! them in the console (stored per kind, category and language; `*` is
//! every category).

use super::{Ground, Statement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a text is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Decision,
    AppealUpheld,
    AppealReversed,
    AppealModified,
}

impl MessageKind {
    pub const ALL: [Self; 4] = [
        Self::Decision,
        Self::AppealUpheld,
        Self::AppealReversed,
        Self::AppealModified,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decision => "decision",
            Self::AppealUpheld => "appeal_upheld",
            Self::AppealReversed => "appeal_reversed",
            Self::AppealModified => "appeal_modified",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 12] = [
    "reference",
    "category",
    "restrictions",
    "ground",
    "explanation",
    "facts",
    "decided_on",
    "end",
    "automated",
    "appeal_url",
    "appeal_code",
    "appeal_until",
];

/// A placeholder only appeal outcomes have.
pub const OUTCOME_PLACEHOLDERS: [&str; 1] = ["reasons"];

/// The longest template.
pub const MAX_TEMPLATE_CHARS: usize = 10_000;

/// A template as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTemplate {
    pub kind: MessageKind,
    /// A taxonomy id, or `*` for every category.
    pub category: String,
    pub language: String,
    pub body: String,
}

/// Checks a template: placeholders known and closed, size bounded.
pub fn check(kind: MessageKind, body: &str) -> Result<(), String> {
    if body.trim().is_empty() {
        return Err("the template is empty".into());
    }
    if body.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(format!(
            "the template has more than {MAX_TEMPLATE_CHARS} characters"
        ));
    }
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err(format!(
                "a placeholder opened at {:?} is not closed",
                &rest[start..rest.len().min(start + 20)]
            ));
        };
        let name = &after[..end];
        let known = PLACEHOLDERS.contains(&name)
            || (kind != MessageKind::Decision && OUTCOME_PLACEHOLDERS.contains(&name));
        if !known {
            return Err(format!(
                "unknown placeholder {{{name}}}; known: {}",
                PLACEHOLDERS.join(", ")
            ));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Fills a checked template. Unknown names are left as written.
pub fn render(body: &str, values: &BTreeMap<&'static str, String>) -> String {
    let mut out = String::with_capacity(body.len() + 256);
    let mut rest = body;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(k, _)| **k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The template for a kind, category and language: the category's own,
/// else the `*` one, in that language, else in English.
pub fn pick<'a>(
    templates: &'a [MessageTemplate],
    kind: MessageKind,
    category: &str,
    language: &str,
) -> Option<&'a MessageTemplate> {
    let find = |cat: &str, lang: &str| {
        templates
            .iter()
            .find(|t| t.kind == kind && t.category == cat && t.language == lang)
    };
    find(category, language)
        .or_else(|| find("*", language))
        .or_else(|| find(category, "en"))
        .or_else(|| find("*", "en"))
}

/// A restriction label in a language (`visibility:removed` → "content
/// removed" / "内容已删除").
pub fn restriction_words(label: &str, language: &str) -> &'static str {
    let zh = language == "zh";
    match label {
        "visibility:removed" => {
            if zh {
                "内容已删除"
            } else {
                "content removed"
            }
        }
        "visibility:disabled" => {
            if zh {
                "内容已屏蔽"
            } else {
                "access to the content disabled"
            }
        }
        "visibility:demoted" => {
            if zh {
                "内容降低曝光"
            } else {
                "content demoted"
            }
        }
        "visibility:age_restricted" => {
            if zh {
                "内容限制年龄"
            } else {
                "content age-restricted"
            }
        }
        "visibility:interaction_restricted" => {
            if zh {
                "内容限制互动"
            } else {
                "interaction with the content restricted"
            }
        }
        "visibility:labelled" => {
            if zh {
                "内容已标注"
            } else {
                "content labelled"
            }
        }
        "visibility:other" => {
            if zh {
                "内容受到其他限制"
            } else {
                "content otherwise restricted"
            }
        }
        "account:suspended" => {
            if zh {
                "账号暂停"
            } else {
                "account suspended"
            }
        }
        "account:terminated" => {
            if zh {
                "账号终止"
            } else {
                "account terminated"
            }
        }
        "monetary:suspension" => {
            if zh {
                "暂停收款"
            } else {
                "payments suspended"
            }
        }
        "monetary:termination" => {
            if zh {
                "终止收款"
            } else {
                "payments terminated"
            }
        }
        "monetary:other" => {
            if zh {
                "收款受到其他限制"
            } else {
                "payments otherwise restricted"
            }
        }
        "provision:partial_suspension" => {
            if zh {
                "部分暂停服务"
            } else {
                "service partly suspended"
            }
        }
        "provision:total_suspension" => {
            if zh {
                "全部暂停服务"
            } else {
                "service suspended"
            }
        }
        "provision:partial_termination" => {
            if zh {
                "部分终止服务"
            } else {
                "service partly terminated"
            }
        }
        "provision:total_termination" => {
            if zh {
                "终止服务"
            } else {
                "service terminated"
            }
        }
        _ => {
            if zh {
                "限制"
            } else {
                "restriction"
            }
        }
    }
}

/// What fills a decision's placeholders.
pub struct MessageContext<'a> {
    pub reference: &'a str,
    /// The category's name in the message's language.
    pub category_name: &'a str,
    pub statement: &'a Statement,
    pub appeal_url: &'a str,
    pub appeal_code: &'a str,
    pub appeal_until: time::Date,
    pub language: &'a str,
    /// An appeal outcome's reasons.
    pub reasons: Option<&'a str>,
}

/// The placeholder values for a decision.
pub fn values(ctx: &MessageContext<'_>) -> BTreeMap<&'static str, String> {
    let s = ctx.statement;
    let zh = ctx.language == "zh";
    let sep = if zh { "；" } else { "; " };
    let restrictions = s
        .restrictions
        .labels()
        .iter()
        .map(|l| restriction_words(l, ctx.language))
        .collect::<Vec<_>>()
        .join(sep);
    let (ground, explanation) = match &s.ground {
        Ground::IllegalContent {
            legal_ground,
            explanation,
        } => (
            if zh {
                format!("违法内容：{legal_ground}")
            } else {
                format!("illegal content under {legal_ground}")
            },
            explanation.clone(),
        ),
        Ground::IncompatibleContent {
            clause,
            explanation,
            ..
        } => (
            if zh {
                format!("违反服务条款：{clause}")
            } else {
                format!("incompatible with the terms of service, {clause}")
            },
            explanation.clone(),
        ),
    };
    let automated = match (s.automated_detection, s.automated_decision) {
        (_, super::AutomatedDecision::Fully) => {
            if zh {
                "本决定由自动化手段作出。"
            } else {
                "This decision was taken by automated means."
            }
        }
        (true, _) => {
            if zh {
                "该内容由自动化手段发现，决定由工作人员作出。"
            } else {
                "The content was detected by automated means; a person took the decision."
            }
        }
        (false, _) => {
            if zh {
                "本决定未使用自动化手段。"
            } else {
                "No automated means were used."
            }
        }
    };
    let end = match s.end_date {
        Some(d) => d.to_string(),
        None => (if zh { "无固定期限" } else { "indefinite" }).to_owned(),
    };
    let mut v = BTreeMap::new();
    v.insert("reference", ctx.reference.to_owned());
    v.insert("category", ctx.category_name.to_owned());
    v.insert("restrictions", restrictions);
    v.insert("ground", ground);
    v.insert("explanation", explanation);
    v.insert("facts", s.facts.clone());
    v.insert("decided_on", s.application_date.to_string());
    v.insert("end", end);
    v.insert("automated", automated.to_owned());
    v.insert("appeal_url", ctx.appeal_url.to_owned());
    v.insert("appeal_code", ctx.appeal_code.to_owned());
    v.insert("appeal_until", ctx.appeal_until.to_string());
    if let Some(r) = ctx.reasons {
        v.insert("reasons", r.to_owned());
    }
    v
}

/// The shipped templates of one language file (`content/messages/xx.toml`):
/// `[decision]`, `[appeal_upheld]`, ... tables of category → text.
pub fn parse_shipped(language: &str, text: &str) -> Result<Vec<MessageTemplate>, String> {
    let file: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(text).map_err(|e| format!("messages/{language}.toml: {e}"))?;
    let mut out = Vec::new();
    for (kind_name, by_category) in file {
        let kind = MessageKind::parse(&kind_name)
            .ok_or_else(|| format!("messages/{language}.toml: unknown kind [{kind_name}]"))?;
        for (category, body) in by_category {
            check(kind, &body)
                .map_err(|e| format!("messages/{language}.toml [{kind_name}] {category}: {e}"))?;
            out.push(MessageTemplate {
                kind,
                category,
                language: language.to_owned(),
                body,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_unclosed_placeholders_are_refused() {
        assert!(check(MessageKind::Decision, "see {appeal_url}").is_ok());
        assert!(check(MessageKind::Decision, "see {apeal_url}").is_err());
        assert!(check(MessageKind::Decision, "see {appeal_url").is_err());
        assert!(check(MessageKind::Decision, "{reasons}").is_err());
        assert!(check(MessageKind::AppealReversed, "{reasons}").is_ok());
    }

    #[test]
    fn render_fills_known_names_only() {
        let mut v = BTreeMap::new();
        v.insert("appeal_code", "ABC".to_owned());
        assert_eq!(render("code {appeal_code} {x}", &v), "code ABC {x}");
    }

    #[test]
    fn pick_falls_back_to_every_category_then_english() {
        let t = |category: &str, language: &str| MessageTemplate {
            kind: MessageKind::Decision,
            category: category.into(),
            language: language.into(),
            body: format!("{category}/{language}"),
        };
        let all = vec![t("*", "en"), t("drugs", "en"), t("*", "zh")];
        let body = |c, l| pick(&all, MessageKind::Decision, c, l).map(|t| t.body.clone());
        assert_eq!(body("drugs", "zh").as_deref(), Some("*/zh"));
        assert_eq!(body("drugs", "fr").as_deref(), Some("drugs/en"));
        assert_eq!(body("fraud", "fr").as_deref(), Some("*/en"));
    }
}
