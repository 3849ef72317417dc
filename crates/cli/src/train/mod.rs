//! `harrier train` and `harrier eval`: the text classifier's two commands.
//!
//! What: `train` reads a dataset ([`data`]), tries a small grid of feature
//! and training parameters on its train part, keeps the one that does best
//! on its dev part (where the decision threshold is set too), optionally
//! trains that one again on train and dev together, and writes the model
//! file. `eval` reads a model and a dataset and prints precision, recall, F1
//! per class, accuracy, weighted F1, the confusion matrix and how many items
//! a second one thread scores.
//!
//! Which part `eval` measures is `--split` (default `test`): the same
//! `--format` and `--seed` as in `train` give the same split, so test is
//! never seen in training. Datasets, splits and seeds are described in
//! EVALUATION.md.
//!
//! What not: no config, database or async runtime; `main` runs these before
//! loading any of them.

mod data;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use harrier_core::clock::{Clock, SystemClock};
use harrier_detect::classify::train::{self, Corpus, Objective, TrainParams, Trial};
use harrier_detect::classify::{Confusion, FeatureParams, Model};

pub use data::{Format, Split};

/// The largest model file read: 2^24 slots of 8 bytes, and headroom.
const MODEL_CAP: u64 = 160 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// F1 of the positive class.
    PositiveF1,
    Accuracy,
    WeightedF1,
}

/// `harrier train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The dataset file (for cold: the folder or any file in it).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, value_enum)]
    format: Format,
    /// Where to write the model.
    #[arg(long)]
    out: PathBuf,
    /// The task: davidson has offensive (default; hate or offensive vs
    /// neither) and hate (hate vs the rest); for csv, the model's task name.
    #[arg(long)]
    task: Option<String>,
    /// For csv: the label of the positive class (default 1).
    #[arg(long)]
    positive: Option<String>,
    /// Seed of the split (sms, davidson, csv) and of training.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// What the dev set picks by: default positive-f1 for sms and csv,
    /// accuracy for cold, weighted-f1 for davidson.
    #[arg(long, value_enum)]
    objective: Option<ObjectiveArg>,
    /// Hash space sizes to try, as powers of two.
    #[arg(long, value_delimiter = ',', default_value = "20")]
    hash_bits: Vec<u8>,
    /// Character n-gram ranges to try (`1-4`; `0` for none).
    #[arg(long, value_delimiter = ',', default_value = "1-4")]
    chars: Vec<String>,
    /// Word n-gram ranges to try (`1-2`; `0` for none).
    #[arg(long, value_delimiter = ',', default_value = "1-2")]
    words: Vec<String>,
    /// L2 penalties to try.
    #[arg(long, value_delimiter = ',', default_value = "1e-6,1e-5,1e-4")]
    lambda: Vec<f64>,
    /// Epoch counts to try.
    #[arg(long, value_delimiter = ',', default_value = "10")]
    epochs: Vec<u32>,
    /// First learning rates to try.
    #[arg(long, value_delimiter = ',', default_value = "0.5")]
    eta0: Vec<f64>,
    /// Class weighting to try: false (none), true (balanced).
    #[arg(long, value_delimiter = ',', default_value = "false,true")]
    balanced: Vec<bool>,
    /// Digit folding to try (every digit as 0).
    #[arg(long, value_delimiter = ',', default_value = "false")]
    fold_digits: Vec<bool>,
    /// Leave Han runs unsegmented (no jieba words, character n-grams only).
    #[arg(long)]
    no_han_words: bool,
    /// Train the chosen parameters again on train + dev (threshold kept).
    #[arg(long)]
    refit: bool,
}

/// `harrier eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The model file.
    model: PathBuf,
    /// The dataset file (for cold: the folder or any file in it).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, value_enum)]
    format: Format,
    /// Which part to measure.
    #[arg(long, value_enum, default_value = "test")]
    split: Split,
    /// Seed of the split; the one given to train.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print this many misclassified texts of each kind, with the n-grams
    /// that weighed most.
    #[arg(long, default_value_t = 0)]
    examples: usize,
}

pub fn run_train(args: &TrainArgs) -> anyhow::Result<()> {
    let clock = SystemClock;
    let started = clock.instant();
    let dataset = data::load(
        args.format,
        &args.data,
        &data::Want {
            task: args.task.as_deref(),
            positive: args.positive.as_deref(),
            seed: args.seed,
        },
    )?;
    eprintln!("{}", dataset.split_note);
    if dataset.train.is_empty() || dataset.dev.is_empty() {
        bail!("the dataset has no train or no dev items");
    }
    let objective = objective(args.objective, args.format);
    let features = feature_grid(args)?;
    let trainings = training_grid(args);
    eprintln!(
        "trying {} parameter sets, picking by dev {objective:?}",
        features.len() * trainings.len()
    );

    let train_set: Vec<(&str, bool)> = dataset
        .train
        .iter()
        .map(|e| (e.text.as_str(), e.positive))
        .collect();
    let dev_set: Vec<(&str, bool)> = dataset
        .dev
        .iter()
        .map(|e| (e.text.as_str(), e.positive))
        .collect();
    let selection = train::search(
        &dataset.task,
        &train_set,
        &dev_set,
        &features,
        &trainings,
        objective,
        |trial| eprintln!("  {}", describe(trial)),
    )
    .context("nothing to try: a parameter list is empty")?;
    let best = selection.best;
    let mut model = selection.model;
    let dev_corpus = Corpus::new(*model.params(), dev_set.iter().copied());
    let dev_metrics = train::evaluate(&model, &dev_corpus);
    println!("chosen: {}", describe(&best));
    println!("dev ({} items):\n{dev_metrics}", dataset.dev.len());

    if args.refit {
        let both = train_set.iter().chain(&dev_set).copied();
        let corpus = Corpus::new(best.features, both);
        let threshold = model.threshold();
        model = train::train(dataset.task.clone(), &corpus, &best.train);
        model.set_threshold(threshold);
        println!("trained again on train + dev ({} items)", corpus.len());
    }

    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("could not write {}", args.out.display()))?;
    let took = clock.instant().duration_since(started);
    println!(
        "wrote {} ({} bytes, {} non-zero weights, threshold {:.4}) in {}",
        args.out.display(),
        bytes.len(),
        model.nonzero_weights(),
        model.threshold(),
        seconds(took)
    );
    Ok(())
}

pub fn run_eval(args: &EvalArgs) -> anyhow::Result<()> {
    let model = read_model(&args.model)?;
    let task = model.task().clone();
    let dataset = data::load(
        args.format,
        &args.data,
        &data::Want {
            task: Some(&task.name),
            positive: Some(&task.positive),
            seed: args.seed,
        },
    )?;
    let items = dataset.part(args.split);
    println!(
        "model: task {} (positive class {}), threshold {:.4}, {} non-zero weights",
        task.name,
        task.positive,
        model.threshold(),
        model.nonzero_weights()
    );
    println!("data: {}", dataset.split_note);
    println!("split: {:?}, {} items\n", args.split, items.len());

    let mut confusion = Confusion::binary(&task.negative, &task.positive);
    let mut wrong: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for item in &items {
        let predicted = model.is_positive(model.score(&item.text));
        confusion.add_binary(item.positive, predicted);
        match (item.positive, predicted) {
            (false, true) => wrong.0.push(&item.text),
            (true, false) => wrong.1.push(&item.text),
            _ => {}
        }
    }
    println!("{}", confusion.metrics());
    if let Some(rate) = throughput(&model, &items) {
        println!(
            "scoring: {rate:.0} items/s on one thread (texts in memory, average of repeated passes)"
        );
    }
    for (kind, texts) in [("false positives", &wrong.0), ("false negatives", &wrong.1)] {
        if args.examples == 0 || texts.is_empty() {
            continue;
        }
        println!("\n{kind}:");
        for text in texts.iter().take(args.examples) {
            println!("  {:.3}  {}", model.score(text), text.replace('\n', " "));
            for (name, share) in model.explain(text, 5) {
                println!("         {share:+.3}  {name}");
            }
        }
    }
    Ok(())
}

fn read_model(path: &Path) -> anyhow::Result<Model> {
    let bytes = harrier_core::bounded::read_file(path, MODEL_CAP)
        .with_context(|| format!("could not read {}", path.display()))?;
    Model::from_bytes(&bytes)
        .with_context(|| format!("could not load the model {}", path.display()))
}

/// Items scored per second: passes over `items` until a second has gone by
/// (at most 100 passes), after one warm-up pass over a few.
fn throughput(model: &Model, items: &[&data::Example]) -> Option<f64> {
    if items.is_empty() {
        return None;
    }
    let clock = SystemClock;
    let mut sink = 0.0_f32;
    for item in items.iter().take(100) {
        sink += model.score(&item.text);
    }
    let started = clock.instant();
    let mut scored = 0_usize;
    let mut elapsed = Duration::ZERO;
    for _ in 0..100 {
        for item in items {
            sink += model.score(&item.text);
        }
        scored += items.len();
        elapsed = clock.instant().duration_since(started);
        if elapsed >= Duration::from_secs(1) {
            break;
        }
    }
    std::hint::black_box(sink);
    Some(scored as f64 / elapsed.as_secs_f64().max(1e-9))
}

fn objective(chosen: Option<ObjectiveArg>, format: Format) -> Objective {
    match chosen {
        Some(ObjectiveArg::PositiveF1) => Objective::PositiveF1,
        Some(ObjectiveArg::Accuracy) => Objective::Accuracy,
        Some(ObjectiveArg::WeightedF1) => Objective::WeightedF1,
        None => match format {
            Format::Sms | Format::Csv => Objective::PositiveF1,
            Format::Cold => Objective::Accuracy,
            Format::Davidson => Objective::WeightedF1,
        },
    }
}

fn feature_grid(args: &TrainArgs) -> anyhow::Result<Vec<FeatureParams>> {
    let mut grid = Vec::new();
    for &hash_bits in &args.hash_bits {
        for chars in &args.chars {
            for words in &args.words {
                for &fold_digits in &args.fold_digits {
                    let (char_min, char_max) = range(chars)?;
                    let (word_min, word_max) = range(words)?;
                    let params = FeatureParams {
                        hash_bits,
                        char_min,
                        char_max,
                        word_min,
                        word_max,
                        fold_digits,
                        han_words: !args.no_han_words,
                    };
                    params
                        .check()
                        .map_err(|why| anyhow::anyhow!("feature parameters: {why}"))?;
                    grid.push(params);
                }
            }
        }
    }
    Ok(grid)
}

fn training_grid(args: &TrainArgs) -> Vec<TrainParams> {
    let mut grid = Vec::new();
    for &epochs in &args.epochs {
        for &eta0 in &args.eta0 {
            for &lambda in &args.lambda {
                for &balanced in &args.balanced {
                    grid.push(TrainParams {
                        epochs,
                        lambda,
                        eta0,
                        balanced,
                        seed: args.seed,
                    });
                }
            }
        }
    }
    grid
}

/// `1-4` is (1, 4); `3` is (3, 3); `0` is off.
fn range(text: &str) -> anyhow::Result<(u8, u8)> {
    let parse = |part: &str| {
        part.trim()
            .parse::<u8>()
            .with_context(|| format!("n-gram range {text:?} is not like 1-4"))
    };
    match text.split_once('-') {
        Some((min, max)) => Ok((parse(min)?, parse(max)?)),
        None => {
            let n = parse(text)?;
            Ok((n, n))
        }
    }
}

fn describe(trial: &Trial) -> String {
    let f = &trial.features;
    let t = &trial.train;
    format!(
        "chars {}-{} words {}-{} bits {} digits {} | lambda {:e} epochs {} eta0 {} balanced {} | dev {:.4} at threshold {:.4}",
        f.char_min,
        f.char_max,
        f.word_min,
        f.word_max,
        f.hash_bits,
        if f.fold_digits { "folded" } else { "kept" },
        t.lambda,
        t.epochs,
        t.eta0,
        t.balanced,
        trial.dev_value,
        trial.threshold
    )
}

fn seconds(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
