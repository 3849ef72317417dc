//! The explanation of a signal: the spans of the original text each
//! condition rests on, and the features that weighed most.

use super::eval::{Atom, Scratch, entity_matches, lexicon_matches};
use super::{Rule, Ruleset, entity_weight};
use crate::item::Item;
use crate::lexicon::matcher::Via;
use crate::pattern::On;
use crate::signal::{Explanation, Feature, MatchedSpan, Signal};

/// At most this many spans and features per signal.
const MAX_SPANS: usize = 32;
const MAX_FEATURES: usize = 10;
/// A span's quoted text is cut to this many bytes.
const MAX_SPAN_TEXT: usize = 200;

pub(crate) fn signal(
    ruleset: &Ruleset,
    rule: &Rule,
    item: &Item,
    text: &str,
    scratch: &mut Scratch,
    score: f32,
) -> Signal {
    let mut spans: Vec<MatchedSpan> = Vec::new();
    let mut features: Vec<Feature> = Vec::new();
    for atom in rule.all.iter().chain(&rule.any) {
        evidence(
            ruleset,
            atom,
            item,
            text,
            scratch,
            &mut spans,
            &mut features,
        );
    }
    spans.sort_by(|a, b| (a.start, a.end, &a.by).cmp(&(b.start, b.end, &b.by)));
    spans.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.by == b.by);
    spans.truncate(MAX_SPANS);
    features.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.name.cmp(&b.name))
    });
    features.dedup_by(|a, b| a.name == b.name);
    features.truncate(MAX_FEATURES);
    let reasons: Vec<&str> = features
        .iter()
        .filter(|f| f.weight > 0.0)
        .take(4)
        .map(|f| f.name.as_str())
        .collect();
    let summary = if reasons.is_empty() {
        rule.description.clone()
    } else {
        format!("{}: {}", rule.description, reasons.join("; "))
    };
    Signal {
        item: item.id.clone(),
        rule: rule.id.clone(),
        category: rule.category.clone(),
        severity: rule.severity,
        state: rule.state,
        score,
        ruleset_version: ruleset.version.clone(),
        explanation: Explanation {
            summary,
            spans,
            features,
        },
    }
}

fn quote(text: &str, start: usize, end: usize) -> String {
    let span = text.get(start..end).unwrap_or("");
    crate::item::bounded(span, MAX_SPAN_TEXT).to_owned()
}

fn evidence(
    ruleset: &Ruleset,
    atom: &Atom,
    item: &Item,
    text: &str,
    scratch: &mut Scratch,
    spans: &mut Vec<MatchedSpan>,
    features: &mut Vec<Feature>,
) {
    match atom {
        Atom::Lexicon { lexicon, kinds } => {
            for hit in scratch
                .hits
                .iter()
                .filter(|hit| lexicon_matches(hit, *lexicon, kinds))
            {
                let Some(normalized) = scratch.texts.get(usize::from(hit.group)) else {
                    continue;
                };
                let span = normalized.original_span(hit.start as usize..hit.end as usize);
                let lexicon_id = ruleset
                    .lexicons
                    .lexicons
                    .get(usize::from(hit.lexicon))
                    .map_or("", |l| l.id.as_str());
                let term = ruleset
                    .lexicons
                    .terms
                    .get(hit.term as usize)
                    .map_or("", |t| t.text.as_str());
                let via = match hit.via {
                    Via::Term => "",
                    Via::Pinyin => " (as pinyin)",
                    Via::Initials => " (as pinyin initials)",
                };
                let by = format!(
                    "lexicon {lexicon_id}/{}: {term}{via}",
                    ruleset.lexicons.kind_name(hit.kind)
                );
                features.push(Feature {
                    name: by.clone(),
                    weight: hit.weight,
                });
                spans.push(MatchedSpan {
                    start: span.start,
                    end: span.end,
                    text: quote(text, span.start, span.end),
                    by,
                });
            }
        }
        Atom::Pattern(patterns) => {
            for hit in scratch
                .pattern_hits
                .iter()
                .filter(|hit| patterns.contains(&hit.pattern))
            {
                let Some(pattern) = ruleset.patterns.patterns.get(hit.pattern as usize) else {
                    continue;
                };
                let span = match pattern.on {
                    On::Original => hit.start as usize..hit.end as usize,
                    On::Normalized => match scratch.texts.get(ruleset.pattern_text) {
                        Some(normalized) => {
                            normalized.original_span(hit.start as usize..hit.end as usize)
                        }
                        None => continue,
                    },
                };
                let by = format!("pattern {} ({})", pattern.id, pattern.kind);
                features.push(Feature {
                    name: by.clone(),
                    weight: pattern.weight,
                });
                spans.push(MatchedSpan {
                    start: span.start,
                    end: span.end,
                    text: quote(text, span.start, span.end),
                    by,
                });
            }
        }
        Atom::Entity { kind, detail } => {
            for entity in scratch
                .entities
                .iter()
                .filter(|e| entity_matches(e, kind, detail.as_deref()))
            {
                let mut by = format!("entity {}", entity.kind.as_str());
                if let Some(detail) = entity.detail {
                    by.push_str(&format!(" ({detail})"));
                }
                if let Some(listed) = &entity.listed {
                    by.push_str(&format!(" on list {}", listed.list));
                }
                let weight =
                    entity_weight(entity.kind.as_str(), entity.detail, entity.listed.is_some());
                features.push(Feature {
                    name: format!("{by}: {}", entity.value),
                    weight,
                });
                spans.push(MatchedSpan {
                    start: entity.span.start,
                    end: entity.span.end,
                    text: quote(text, entity.span.start, entity.span.end),
                    by,
                });
            }
        }
        Atom::Classifier { index, .. } => {
            let Some(score) = ruleset.classifier_score(*index, text, scratch) else {
                return;
            };
            let Some((name, model)) = ruleset.classifiers.get(*index) else {
                return;
            };
            features.push(Feature {
                name: format!("classifier {name}: score {score:.2}"),
                weight: score,
            });
            for (gram, weight) in model.explain(text, 3) {
                features.push(Feature {
                    name: format!("classifier {name}: {gram:?}"),
                    weight,
                });
            }
        }
        Atom::Hash { list } => {
            for found in scratch
                .hash_matches
                .iter()
                .filter(|found| list.as_ref().is_none_or(|list| found.list == *list))
            {
                features.push(Feature {
                    name: found.describe(),
                    weight: found.weight(),
                });
            }
        }
        Atom::Meta(meta) => {
            features.push(Feature {
                name: format!("metadata {meta:?}"),
                weight: 0.0,
            });
        }
    }
    let _ = item;
}
