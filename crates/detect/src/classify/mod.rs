//! classify: a hashed n-gram linear text classifier.
//!
//! What: one small logistic-regression [`Model`] per task (spam, offensive,
//! hate), over hashed character n-grams and word n-grams (jieba for
//! Chinese), trained by SGD in [`train`], stored in a small versioned file
//! ([`format`]), measured with [`metrics`]. [`Model::score`] gives the
//! probability of the task's positive class and [`Model::explain`] the
//! n-grams of the text that weighed most, for the signal's explanation.
//!
//! Why: a linear model over hashed n-grams scores hundreds of thousands of
//! short texts a second on one core, trains in seconds, needs no
//! vocabulary file, and its weights can be read back as reasons.
//!
//! What not: no file or dataset I/O (the CLI's `harrier train` and
//! `harrier eval` do that), no neural models, no multi-class models.
//!
//! ```
//! use harrier_detect::classify::{Corpus, FeatureParams, Task, TrainParams, train};
//!
//! let examples = [("win a free prize now", true), ("see you at lunch", false)];
//! let corpus = Corpus::new(FeatureParams::default(), examples);
//! let task = Task { name: "spam".into(), positive: "spam".into(), negative: "ham".into() };
//! let model = train::train(task, &corpus, &TrainParams { epochs: 20, ..TrainParams::default() });
//! assert!(model.score("free prize") > model.score("lunch"));
//! ```

pub mod features;
pub mod format;
pub mod metrics;
pub mod model;
pub mod train;

pub use features::{FeatureParams, Scratch};
pub use format::FormatError;
pub use metrics::{ClassMetrics, Confusion, Metrics};
pub use model::{Model, Task};
pub use train::{Corpus, Objective, Selection, SplitMix64, TrainParams, Trial};
