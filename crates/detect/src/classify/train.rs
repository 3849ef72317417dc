//! Training: logistic regression by stochastic gradient descent.
//!
//! What: [`Corpus`] holds texts already turned into vectors; [`train`] fits
//! a [`Model`] to it (log loss plus an L2 penalty, one pass per epoch in a
//! seeded shuffled order, the learning rate falling linearly to zero, the
//! classes optionally weighted to count equally); [`search`] tries a grid of
//! parameters, keeps the one that does best on a development set and sets
//! its threshold there; [`stratified_split`] splits a labelled set for
//! datasets that come without one.
//!
//! Why: the same seed gives the same model bit for bit (a [`SplitMix64`]
//! generator, no global randomness), so an evaluation can be repeated, and
//! SGD on sparse vectors trains on tens of thousands of texts in seconds.
//! The L2 penalty uses the scaled-weights trick (the vector is stored as
//! `scale · v`), so each step costs the text's n-grams, not the whole space.
//!
//! What not: no multi-class models (one model per task, positive against the
//! rest) and no reading of datasets: the CLI loads them.

use super::features::{self, FeatureParams, Scratch};
use super::metrics::{Confusion, Metrics};
use super::model::{Model, Task};

/// A labelled set of texts as vectors, for training and tuning.
#[derive(Clone, Debug)]
pub struct Corpus {
    params: FeatureParams,
    /// Row `i` is `entries[offsets[i]..offsets[i + 1]]`.
    offsets: Vec<usize>,
    entries: Vec<(u32, f32)>,
    labels: Vec<bool>,
}

impl Corpus {
    /// Vectorises every `(text, is_positive)` pair with `params`.
    pub fn new<'a>(
        params: FeatureParams,
        examples: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> Self {
        let mut scratch = Scratch::default();
        let mut corpus = Corpus {
            params,
            offsets: vec![0],
            entries: Vec::new(),
            labels: Vec::new(),
        };
        for (text, label) in examples {
            let text = crate::item::bounded(text, crate::item::MAX_TEXT_BYTES);
            features::vectorize(&params, text, &mut scratch);
            corpus.entries.extend_from_slice(&scratch.vector);
            corpus.offsets.push(corpus.entries.len());
            corpus.labels.push(label);
        }
        corpus
    }

    pub fn params(&self) -> &FeatureParams {
        &self.params
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn labels(&self) -> &[bool] {
        &self.labels
    }

    fn row(&self, i: usize) -> &[(u32, f32)] {
        &self.entries[self.offsets[i]..self.offsets[i + 1]]
    }
}

/// How [`train`] fits a model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainParams {
    /// Passes over the corpus.
    pub epochs: u32,
    /// Strength of the L2 penalty (per example).
    pub lambda: f64,
    /// The first learning rate; it falls linearly to zero over all epochs.
    pub eta0: f64,
    /// Weigh each class's loss by `n / (2 · n_class)`, so both count the
    /// same however rare one is.
    pub balanced: bool,
    /// Seed of the shuffling.
    pub seed: u64,
}

impl Default for TrainParams {
    fn default() -> Self {
        Self {
            epochs: 10,
            lambda: 1e-5,
            eta0: 0.5,
            balanced: false,
            seed: 42,
        }
    }
}

/// Fits a model for `task` to `corpus`. Its threshold is 0.5.
pub fn train(task: Task, corpus: &Corpus, params: &TrainParams) -> Model {
    let mut model = Model::zero(task, *corpus.params());
    let n = corpus.len();
    if n == 0 {
        return model;
    }
    let positives = corpus.labels.iter().filter(|&&l| l).count();
    let (weight_positive, weight_negative) = if params.balanced && positives > 0 && positives < n {
        (
            n as f64 / (2.0 * positives as f64),
            n as f64 / (2.0 * (n - positives) as f64),
        )
    } else {
        (1.0, 1.0)
    };

    let mut v = vec![0.0_f64; model.weights.len()];
    let mut scale = 1.0_f64;
    let mut bias = 0.0_f64;
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(params.seed);
    let total = (u64::from(params.epochs) * n as u64).max(1) as f64;
    let mut step = 0_u64;
    for _ in 0..params.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let eta = params.eta0 * (1.0 - step as f64 / total);
            step += 1;
            let row = corpus.row(i);
            let (y, class_weight) = if corpus.labels[i] {
                (1.0, weight_positive)
            } else {
                (-1.0, weight_negative)
            };
            let dot: f64 = row.iter().map(|&(s, x)| v[s as usize] * f64::from(x)).sum();
            let margin = scale * dot + bias;
            // d(log loss)/d(margin), weighted.
            let gradient = -y * sigmoid64(-y * margin) * class_weight;

            scale *= 1.0 - eta * params.lambda;
            let update = -eta * gradient / scale;
            for &(s, x) in row {
                v[s as usize] += update * f64::from(x);
            }
            bias -= eta * gradient;
            if scale < 1e-9 {
                for w in v.iter_mut() {
                    *w *= scale;
                }
                scale = 1.0;
            }
        }
    }
    for (weight, value) in model.weights.iter_mut().zip(&v) {
        *weight = (value * scale) as f32;
    }
    model.bias = bias as f32;
    model
}

fn sigmoid64(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The scores of every text of `corpus` (vectorised with the model's own
/// parameters, which must be the corpus's).
pub fn scores(model: &Model, corpus: &Corpus) -> Vec<f32> {
    debug_assert_eq!(model.params(), corpus.params());
    (0..corpus.len())
        .map(|i| model.score_vector(corpus.row(i)))
        .collect()
}

/// The metrics of `model`'s decisions (at its threshold) on `corpus`.
pub fn evaluate(model: &Model, corpus: &Corpus) -> Metrics {
    let mut confusion = Confusion::binary(&model.task().negative, &model.task().positive);
    for (score, &label) in scores(model, corpus).into_iter().zip(corpus.labels()) {
        confusion.add_binary(label, model.is_positive(score));
    }
    confusion.metrics()
}

/// What the search and the threshold maximise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// F1 of the positive class (spam).
    PositiveF1,
    Accuracy,
    /// F1 per class weighted by support.
    WeightedF1,
}

impl Objective {
    pub fn of(&self, metrics: &Metrics) -> f64 {
        match self {
            Objective::PositiveF1 => metrics.classes.get(1).map_or(0.0, |c| c.f1),
            Objective::Accuracy => metrics.accuracy,
            Objective::WeightedF1 => metrics.weighted_f1,
        }
    }
}

/// The threshold that maximises `objective` on these scores, and the value
/// it reaches. Candidates lie halfway between neighbouring distinct scores;
/// ties go to the candidate nearest 0.5.
pub fn best_threshold(scores: &[f32], labels: &[bool], objective: Objective) -> (f32, f64) {
    let mut pairs: Vec<(f32, bool)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = pairs.iter().filter(|p| p.1).count() as u64;
    let negatives = pairs.len() as u64 - positives;
    // Threshold below every score: everything predicted positive.
    let (mut true_neg, mut false_neg) = (0_u64, 0_u64);
    let value_at = |true_neg: u64, false_neg: u64| {
        let counts = [
            [true_neg, negatives - true_neg],
            [false_neg, positives - false_neg],
        ];
        objective.of(&Confusion::binary_from_counts(counts).metrics())
    };
    let mut best = (0.0_f32, value_at(0, 0));
    let mut at = 0;
    while at < pairs.len() {
        let score = pairs[at].0;
        while at < pairs.len() && pairs[at].0 == score {
            if pairs[at].1 {
                false_neg += 1;
            } else {
                true_neg += 1;
            }
            at += 1;
        }
        let threshold = match pairs.get(at) {
            Some(next) => score + (next.0 - score) / 2.0,
            None => f32::min(1.0, score + f32::EPSILON),
        };
        let value = value_at(true_neg, false_neg);
        let nearer = (threshold - 0.5).abs() < (best.0 - 0.5).abs();
        if value > best.1 || (value == best.1 && nearer) {
            best = (threshold, value);
        }
    }
    best
}

/// One point of a [`search`]: its parameters and how it did on the
/// development set at its best threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub features: FeatureParams,
    pub train: TrainParams,
    pub threshold: f32,
    pub dev_value: f64,
}

/// What [`search`] found.
#[derive(Clone, Debug)]
pub struct Selection {
    /// The best trial's model, its threshold set on dev.
    pub model: Model,
    pub best: Trial,
    /// Every trial, in the order tried.
    pub trials: Vec<Trial>,
}

/// Trains one model for every (feature, training) parameter pair on
/// `train_set`, sets each one's threshold on `dev_set` and keeps the best
/// (ties: the first). `progress` sees each trial as it ends. `None` when
/// either grid is empty.
pub fn search<'a>(
    task: &Task,
    train_set: &[(&'a str, bool)],
    dev_set: &[(&'a str, bool)],
    features: &[FeatureParams],
    trainings: &[TrainParams],
    objective: Objective,
    mut progress: impl FnMut(&Trial),
) -> Option<Selection> {
    let mut best: Option<(Model, Trial)> = None;
    let mut trials = Vec::new();
    for feature_params in features {
        let train_corpus = Corpus::new(*feature_params, train_set.iter().copied());
        let dev_corpus = Corpus::new(*feature_params, dev_set.iter().copied());
        for train_params in trainings {
            let mut model = train(task.clone(), &train_corpus, train_params);
            let dev_scores = scores(&model, &dev_corpus);
            let (threshold, value) = best_threshold(&dev_scores, dev_corpus.labels(), objective);
            model.set_threshold(threshold);
            let trial = Trial {
                features: *feature_params,
                train: *train_params,
                threshold,
                dev_value: value,
            };
            progress(&trial);
            if best.as_ref().is_none_or(|(_, b)| value > b.dev_value) {
                best = Some((model, trial.clone()));
            }
            trials.push(trial);
        }
    }
    best.map(|(model, best)| Selection {
        model,
        best,
        trials,
    })
}

/// Splits item indices into (train, test) with `test_share` of each class
/// in test, chosen by a [`SplitMix64`] seeded with `seed`. Both lists are
/// in rising order.
pub fn stratified_split(labels: &[bool], test_share: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SplitMix64::new(seed);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for class in [false, true] {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut members);
        let in_test = (members.len() as f64 * test_share).round() as usize;
        test.extend_from_slice(&members[..in_test]);
        train.extend_from_slice(&members[in_test..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// splitmix64 (Steele, Lea and Flood): a tiny, well-mixed generator whose
/// sequence is fixed by its seed on every platform.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (Lemire's multiply-shift; the bias is below
    /// 2^-32 for the sizes used here).
    pub fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
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

    const SPAM: [&str; 6] = [
        "WIN a FREE prize now, call 0800",
        "free entry to win cash, txt WIN",
        "claim your free prize, call now",
        "you have won cash! call to claim",
        "免费领取现金大奖 点击链接",
        "urgent: win free cash prize",
    ];
    const HAM: [&str; 6] = [
        "see you at lunch tomorrow",
        "can you pick up the kids later",
        "ok, I'll be home at six",
        "thanks for dinner, it was lovely",
        "明天下午一起吃饭吧",
        "running late, meet you there",
    ];

    fn examples() -> Vec<(&'static str, bool)> {
        SPAM.iter()
            .map(|t| (*t, true))
            .chain(HAM.iter().map(|t| (*t, false)))
            .collect()
    }

    #[test]
    fn learns_a_tiny_separable_set() {
        let params = FeatureParams {
            hash_bits: 18,
            ..FeatureParams::default()
        };
        let corpus = Corpus::new(params, examples());
        let train_params = TrainParams {
            epochs: 50,
            eta0: 1.0,
            ..TrainParams::default()
        };
        let model = train(task(), &corpus, &train_params);
        let metrics = evaluate(&model, &corpus);
        assert_eq!(metrics.accuracy, 1.0, "{metrics}");
        assert!(model.score("free cash prize, call now to claim") > 0.5);
        assert!(model.score("see you at dinner tomorrow") < 0.5);
        let top = model.explain("free cash prize", 3);
        assert_eq!(top.len(), 3);
        assert!(top[0].1 > 0.0, "{top:?}");
    }

    #[test]
    fn same_seed_same_model() {
        let corpus = Corpus::new(FeatureParams::default(), examples());
        let params = TrainParams::default();
        let a = train(task(), &corpus, &params);
        let b = train(task(), &corpus, &params);
        assert_eq!(a, b);
        let c = train(task(), &corpus, &TrainParams { seed: 7, ..params });
        assert_ne!(a, c);
    }

    #[test]
    fn best_threshold_separates_scores() {
        let scores = [0.1, 0.2, 0.35, 0.4, 0.9];
        let labels = [false, false, true, true, true];
        let (threshold, value) = best_threshold(&scores, &labels, Objective::Accuracy);
        assert_eq!(value, 1.0);
        assert!(threshold > 0.2 && threshold < 0.35, "{threshold}");
        let (_, f1) = best_threshold(&[0.5, 0.5], &[true, false], Objective::PositiveF1);
        assert!((f1 - 2.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn search_keeps_the_best_and_sets_its_threshold() {
        let all = examples();
        let trainings = [
            TrainParams {
                epochs: 0,
                ..TrainParams::default()
            },
            TrainParams {
                epochs: 30,
                eta0: 1.0,
                ..TrainParams::default()
            },
        ];
        let mut seen = 0;
        let selection = search(
            &task(),
            &all,
            &all,
            &[FeatureParams::default()],
            &trainings,
            Objective::Accuracy,
            |_| seen += 1,
        )
        .unwrap();
        assert_eq!((seen, selection.trials.len()), (2, 2));
        assert_eq!(selection.trials[1].dev_value, 1.0);
        assert_eq!(selection.best, selection.trials[1]);
        assert_eq!(selection.model.threshold(), selection.best.threshold);
    }

    #[test]
    fn stratified_split_keeps_class_shares() {
        let labels: Vec<bool> = (0..100).map(|i| i % 10 == 0).collect();
        let (train, test) = stratified_split(&labels, 0.2, 42);
        assert_eq!((train.len(), test.len()), (80, 20));
        assert_eq!(test.iter().filter(|&&i| labels[i]).count(), 2);
        assert_eq!(stratified_split(&labels, 0.2, 42), (train.clone(), test));
        assert_ne!(stratified_split(&labels, 0.2, 43).0, train);
    }

    #[test]
    fn splitmix64_known_values() {
        // First outputs for seed 0, as published with the algorithm.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }
}
