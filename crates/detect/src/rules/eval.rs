//! Running a compiled ruleset on one item.
//!
//! The text is normalised once per distinct set of steps, the lexicon
//! automata and the pattern prefilter run once, and then each rule checks
//! its conditions against those hits. Entities, classifier scores and hash
//! matches are computed only when a rule gets as far as asking for them, so
//! an item that hits no lexicon costs the normalisation and one automaton
//! pass.

use super::atom::Meta;
use super::ports::Entity;
use super::ports::HashMatch;
use super::{Rule, Ruleset, entity_weight, explain};
use crate::classify;
use crate::item::Item;
use crate::lexicon::matcher::Hit;
use crate::normalize::{Normalized, normalize_into};
use crate::pattern::PatternHit;
use crate::signal::Signal;

/// One condition, with names resolved to indexes.
#[derive(Clone, Debug)]
pub(crate) enum Atom {
    Lexicon {
        lexicon: Option<u16>,
        kinds: Vec<u16>,
    },
    Pattern(Vec<u32>),
    Entity {
        kind: String,
        detail: Option<String>,
    },
    Classifier {
        index: usize,
        min: f32,
    },
    Hash {
        list: Option<String>,
    },
    Meta(Meta),
}

/// Per-thread working memory of [`Ruleset::scan`], reused from item to
/// item so a scan allocates little.
#[derive(Default)]
pub struct Scratch {
    pub(crate) texts: Vec<Normalized>,
    pub(crate) hits: Vec<Hit>,
    pub(crate) pattern_hits: Vec<PatternHit>,
    candidates: Vec<u32>,
    pub(crate) entities: Vec<Entity>,
    entities_done: bool,
    pub(crate) scores: Vec<Option<f32>>,
    pub(crate) hash_matches: Vec<HashMatch>,
    hashes_done: bool,
    classify: classify::Scratch,
}

impl Scratch {
    fn reset(&mut self, classifiers: usize) {
        self.hits.clear();
        self.pattern_hits.clear();
        self.entities.clear();
        self.entities_done = false;
        self.scores.clear();
        self.scores.resize(classifiers, None);
        self.hash_matches.clear();
        self.hashes_done = false;
    }
}

impl Ruleset {
    /// Run every rule on `item`; the signals, in rule order.
    pub fn scan(&self, item: &Item, scratch: &mut Scratch) -> Vec<Signal> {
        let mut out = Vec::new();
        self.scan_into(item, scratch, &mut out);
        out
    }

    /// [`Ruleset::scan`] appending to `out`.
    pub fn scan_into(&self, item: &Item, scratch: &mut Scratch, out: &mut Vec<Signal>) {
        let text = item.bounded_text();
        scratch.reset(self.classifiers.len());
        scratch
            .texts
            .resize_with(self.steps.len(), Normalized::default);
        for (steps, normalized) in self.steps.iter().zip(scratch.texts.iter_mut()) {
            normalize_into(text, steps, normalized);
        }
        self.lexicons.find(&scratch.texts, &mut scratch.hits);
        let pattern_text = scratch
            .texts
            .get(self.pattern_text)
            .map_or("", |n| n.text.as_str());
        self.patterns.find(
            pattern_text,
            text,
            &mut scratch.candidates,
            &mut scratch.pattern_hits,
        );
        for rule in &self.rules {
            if let Some(score) = self.evaluate(rule, item, text, scratch) {
                out.push(explain::signal(self, rule, item, text, scratch, score));
            }
        }
    }

    /// The rule's score if it fires.
    fn evaluate(&self, rule: &Rule, item: &Item, text: &str, scratch: &mut Scratch) -> Option<f32> {
        let mut miss = 1.0f32;
        for atom in &rule.all {
            miss *= 1.0 - self.weight(atom, item, text, scratch)?;
        }
        let mut held = 0;
        for atom in &rule.any {
            if let Some(weight) = self.weight(atom, item, text, scratch) {
                held += 1;
                miss *= 1.0 - weight;
            }
        }
        if held < rule.min_any {
            return None;
        }
        for atom in &rule.none {
            if self.weight(atom, item, text, scratch).is_some() {
                return None;
            }
        }
        let score = 1.0 - miss;
        (score >= rule.min_score).then_some(score)
    }

    /// The weight of the strongest evidence for `atom`, or `None` when it
    /// does not hold.
    pub(crate) fn weight(
        &self,
        atom: &Atom,
        item: &Item,
        text: &str,
        scratch: &mut Scratch,
    ) -> Option<f32> {
        match atom {
            Atom::Lexicon { lexicon, kinds } => scratch
                .hits
                .iter()
                .filter(|hit| lexicon_matches(hit, *lexicon, kinds))
                .map(|hit| hit.weight)
                .reduce(f32::max),
            Atom::Pattern(patterns) => scratch
                .pattern_hits
                .iter()
                .filter(|hit| patterns.contains(&hit.pattern))
                .filter_map(|hit| self.patterns.patterns.get(hit.pattern as usize))
                .map(|pattern| pattern.weight)
                .reduce(f32::max),
            Atom::Entity { kind, detail } => {
                self.ensure_entities(text, scratch);
                scratch
                    .entities
                    .iter()
                    .filter(|entity| entity_matches(entity, kind, detail.as_deref()))
                    .map(|entity| {
                        entity_weight(entity.kind.as_str(), entity.detail, entity.listed.is_some())
                    })
                    .reduce(f32::max)
            }
            Atom::Classifier { index, min } => {
                let score = self.classifier_score(*index, text, scratch)?;
                (score >= *min).then_some(score)
            }
            Atom::Hash { list } => {
                self.ensure_hashes(item, scratch);
                scratch
                    .hash_matches
                    .iter()
                    .filter(|found| list.as_ref().is_none_or(|list| found.list == *list))
                    .map(HashMatch::weight)
                    .reduce(f32::max)
            }
            Atom::Meta(meta) => meta_holds(meta, item).then_some(0.0),
        }
    }

    pub(crate) fn ensure_entities(&self, text: &str, scratch: &mut Scratch) {
        if !scratch.entities_done {
            self.extractors.extract_into(text, &mut scratch.entities);
            scratch.entities_done = true;
        }
    }

    fn ensure_hashes(&self, item: &Item, scratch: &mut Scratch) {
        if !scratch.hashes_done {
            self.hashes.match_images(item, &mut scratch.hash_matches);
            scratch.hashes_done = true;
        }
    }

    pub(crate) fn classifier_score(
        &self,
        index: usize,
        text: &str,
        scratch: &mut Scratch,
    ) -> Option<f32> {
        if let Some(Some(score)) = scratch.scores.get(index) {
            return Some(*score);
        }
        let (_, model) = self.classifiers.get(index)?;
        let score = model.score_with(text, &mut scratch.classify);
        if let Some(slot) = scratch.scores.get_mut(index) {
            *slot = Some(score);
        }
        Some(score)
    }
}

pub(crate) fn lexicon_matches(hit: &Hit, lexicon: Option<u16>, kinds: &[u16]) -> bool {
    lexicon.is_none_or(|lexicon| hit.lexicon == lexicon)
        && (kinds.is_empty() || kinds.contains(&hit.kind))
}

/// `domain` also matches the host of a URL: a rule about a listed domain
/// should not care whether it was written with a scheme.
pub(crate) fn entity_matches(entity: &Entity, kind: &str, detail: Option<&str>) -> bool {
    let have = entity.kind.as_str();
    (have == kind || (kind == "domain" && have == "url" && entity.host().is_some()))
        && match detail {
            None => true,
            Some("listed") => entity.listed.is_some(),
            Some(detail) => entity.detail == Some(detail),
        }
}

fn meta_holds(meta: &Meta, item: &Item) -> bool {
    match meta {
        Meta::Lang(lang) => item
            .lang
            .as_deref()
            .is_some_and(|have| have == lang || have.starts_with(&format!("{lang}-"))),
        Meta::Provider(provider) => item.provider.as_deref() == Some(provider.as_str()),
        Meta::InRoom => item.room.is_some(),
        Meta::HourUtc { from, to } => item.ts.is_some_and(|ts| {
            let hour = u8::try_from(ts.rem_euclid(86_400) / 3600).unwrap_or(0);
            Meta::hour_in(*from, *to, hour)
        }),
    }
}
