//! The model: one task's weights over the hashed feature space.
//!
//! What: a logistic regression, `score = sigmoid(bias + w · x)` with `x` the
//! text's unit-length vector ([`super::features`]), the decision threshold
//! chosen when it was trained, and what it is about: the task name and the
//! labels of its positive and negative class. [`Model::explain`] names the
//! n-grams of a text that moved its score most.
//!
//! Why: one small model per task (spam, offensive, hate) is fast enough for
//! the patrol and says why it scored as it did.
//!
//! What not: it does not read or write files ([`super::format`] turns it into
//! bytes and back; the CLI does the I/O) and it does not train
//! ([`super::train`]).

use std::cell::RefCell;

use super::features::{self, FeatureParams, Scratch};

/// What a model decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// The task's name: `spam`, `offensive`, `hate`.
    pub name: String,
    /// The label of the positive class (`spam`); a score at or above the
    /// threshold means this.
    pub positive: String,
    /// The label of the negative class (`ham`).
    pub negative: String,
}

/// A trained linear text classifier for one task.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) task: Task,
    pub(crate) params: FeatureParams,
    /// One weight per slot: `params.dimension()` of them.
    pub(crate) weights: Vec<f32>,
    pub(crate) bias: f32,
    pub(crate) threshold: f32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Model {
    /// A model with all weights zero (every score is `sigmoid(bias)`).
    pub fn zero(task: Task, params: FeatureParams) -> Self {
        Self {
            task,
            weights: vec![0.0; params.dimension()],
            params,
            bias: 0.0,
            threshold: 0.5,
        }
    }

    pub fn task(&self) -> &Task {
        &self.task
    }

    pub fn params(&self) -> &FeatureParams {
        &self.params
    }

    /// The probability at or above which a text is taken as positive.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    pub fn set_threshold(&mut self, threshold: f32) {
        self.threshold = threshold;
    }

    pub fn bias(&self) -> f32 {
        self.bias
    }

    /// The number of non-zero weights.
    pub fn nonzero_weights(&self) -> usize {
        self.weights.iter().filter(|w| **w != 0.0).count()
    }

    /// The probability that `text` belongs to the positive class. Uses a
    /// per-thread [`Scratch`], so it allocates nothing once warm.
    pub fn score(&self, text: &str) -> f32 {
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.score_with(text, &mut scratch),
            // Only reachable if score were called from inside itself.
            Err(_) => self.score_with(text, &mut Scratch::default()),
        })
    }

    /// [`Model::score`] with the caller's buffers.
    pub fn score_with(&self, text: &str, scratch: &mut Scratch) -> f32 {
        let text = crate::item::bounded(text, crate::item::MAX_TEXT_BYTES);
        let scale = features::slots(&self.params, text, scratch);
        let mut sum = 0.0_f32;
        for &slot in &scratch.slots {
            sum += self.weights.get(slot as usize).copied().unwrap_or(0.0);
        }
        sigmoid(self.bias + sum * scale)
    }

    /// Whether `score` means the positive class.
    pub fn is_positive(&self, score: f32) -> bool {
        score >= self.threshold
    }

    /// The score of an already vectorised text.
    pub(crate) fn score_vector(&self, vector: &[(u32, f32)]) -> f32 {
        sigmoid(self.margin(vector))
    }

    /// `bias + w · x`, the log-odds of the positive class.
    pub(crate) fn margin(&self, vector: &[(u32, f32)]) -> f32 {
        let mut sum = self.bias;
        for &(slot, value) in vector {
            if let Some(weight) = self.weights.get(slot as usize) {
                sum += weight * value;
            }
        }
        sum
    }

    /// The `n` n-grams of `text` that moved its log-odds most, heaviest
    /// first, each with its share of the log-odds (positive pushes toward
    /// [`Task::positive`]). Slots shared by two n-grams of the text are named
    /// after the first.
    pub fn explain(&self, text: &str, n: usize) -> Vec<(String, f32)> {
        let text = crate::item::bounded(text, crate::item::MAX_TEXT_BYTES);
        let mut scratch = Scratch::default();
        features::vectorize(&self.params, text, &mut scratch);
        let vector = std::mem::take(&mut scratch.vector);

        let mut top: Vec<(u32, f32)> = vector
            .iter()
            .filter_map(|&(slot, value)| {
                let share = self.weights.get(slot as usize)? * value;
                (share != 0.0).then_some((slot, share))
            })
            .collect();
        top.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        top.truncate(n);

        let mut names: Vec<Option<String>> = vec![None; top.len()];
        features::visit(&self.params, text, &mut scratch, |slot, gram, scratch| {
            if let Some(at) = top.iter().position(|&(s, _)| s == slot)
                && names[at].is_none()
            {
                names[at] = Some(gram.describe(scratch));
            }
        });
        let shares: Vec<(String, f32)> = top
            .iter()
            .zip(names)
            .map(|(&(_, share), name)| (name.unwrap_or_default(), share))
            .collect();
        shares
    }
}

pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> Task {
        Task {
            name: "spam".into(),
            positive: "spam".into(),
            negative: "ham".into(),
        }
    }

    #[test]
    fn zero_model_scores_one_half() {
        let model = Model::zero(task(), FeatureParams::default());
        assert_eq!(model.score("anything"), 0.5);
        assert!(model.is_positive(0.5));
        assert!(model.explain("anything", 5).is_empty());
    }

    #[test]
    fn explain_names_the_heavy_ngram() {
        let params = FeatureParams {
            char_max: 0,
            word_min: 1,
            word_max: 1,
            ..FeatureParams::default()
        };
        let mut model = Model::zero(task(), params);
        let mut scratch = Scratch::default();
        let mut slot_of_free = None;
        features::visit(&params, "free", &mut scratch, |slot, _, _| {
            slot_of_free = Some(slot)
        });
        model.weights[slot_of_free.unwrap() as usize] = 3.0;
        let top = model.explain("call now for FREE", 2);
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].0, "words \"free\"");
        assert!(top[0].1 > 0.0);
        assert!(model.score("free") > model.score("call"));
    }
}
