//! Datasets for `harrier train` and `harrier eval`: reading and splitting.
//!
//! What: the four formats (`sms`: the UCI SMS Spam Collection; `cold`: the
//! COLDataset folder; `davidson`: Davidson et al.'s `labeled_data.csv`;
//! `csv`: any file with `text,label` columns), each read under a size cap
//! into texts labelled positive or not for one task, and split into train,
//! dev and test.
//!
//! The splits: COLD comes with its own `train.csv`, `dev.csv` and
//! `test.csv`, used as they are. The other formats have none, so the file is
//! split with [`stratified_split`] and a seed (default 42): 20% of each
//! class is test, and 12.5% of the rest (10% of the file) is dev. The same
//! seed gives the same split in `train` and `eval`.
//!
//! What not: no downloading, no caching, no cleaning of the texts beyond
//! what the formats need (the SMS file's first line has two spaces where
//! the tab belongs).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use harrier_detect::classify::Task;
use harrier_detect::classify::train::stratified_split;

/// The largest dataset file read.
const DATA_CAP: u64 = 512 * 1024 * 1024;
/// Share of each class held out as test when a dataset has no split.
pub const TEST_SHARE: f64 = 0.2;
/// Share of the rest held out as dev (10% of the whole).
pub const DEV_SHARE: f64 = 0.125;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// UCI SMS Spam Collection: `label<TAB>text`, label ham or spam.
    Sms,
    /// COLDataset: a folder with train.csv, dev.csv, test.csv (label 1 =
    /// offensive); a file names its folder.
    Cold,
    /// Davidson et al. labeled_data.csv: class 0 hate, 1 offensive, 2 neither.
    Davidson,
    /// A CSV file with `text` and `label` columns.
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    Train,
    Dev,
    Test,
    /// Every row of the file (or of the three COLD files).
    All,
}

/// One labelled text.
#[derive(Clone, Debug)]
pub struct Example {
    pub text: String,
    pub positive: bool,
}

/// A dataset read for one task, split three ways.
#[derive(Debug)]
pub struct Dataset {
    pub task: Task,
    pub train: Vec<Example>,
    pub dev: Vec<Example>,
    pub test: Vec<Example>,
    /// How the split was made, for the printed report.
    pub split_note: String,
}

impl Dataset {
    pub fn part(&self, split: Split) -> Vec<&Example> {
        match split {
            Split::Train => self.train.iter().collect(),
            Split::Dev => self.dev.iter().collect(),
            Split::Test => self.test.iter().collect(),
            Split::All => self
                .train
                .iter()
                .chain(&self.dev)
                .chain(&self.test)
                .collect(),
        }
    }
}

/// Which task to read a dataset for: `task` is the task name (Davidson:
/// `offensive` or `hate`; csv: any name), `positive` the csv label that
/// means the positive class.
#[derive(Clone, Debug)]
pub struct Want<'a> {
    pub task: Option<&'a str>,
    pub positive: Option<&'a str>,
    pub seed: u64,
}

/// Reads `path` in `format` for the task `want` names.
pub fn load(format: Format, path: &Path, want: &Want<'_>) -> anyhow::Result<Dataset> {
    match format {
        Format::Cold => load_cold(path, want),
        Format::Sms => {
            let task = fixed_task(want, "spam", "spam", "ham")?;
            let rows = read_sms(path)?;
            let rows = rows.into_iter().map(|(label, text)| Example {
                positive: label == "spam",
                text,
            });
            Ok(split(task, rows.collect(), want.seed))
        }
        Format::Davidson => {
            let (task, hate_only) = match want.task.unwrap_or("offensive") {
                "offensive" => (named("offensive", "hate_or_offensive", "neither"), false),
                "hate" => (named("hate", "hate", "not_hate"), true),
                other => bail!("davidson has the tasks offensive and hate, not {other:?}"),
            };
            let rows = read_csv(path, &["class", "tweet"])?;
            let mut examples = Vec::with_capacity(rows.len());
            for (line, row) in rows {
                let positive = match row[0].as_str() {
                    "0" => true,
                    "1" => !hate_only,
                    "2" => false,
                    other => bail!(
                        "{}: line {line}: class {other:?} is not 0, 1 or 2",
                        path.display()
                    ),
                };
                examples.push(Example {
                    text: row[1].clone(),
                    positive,
                });
            }
            Ok(split(task, examples, want.seed))
        }
        Format::Csv => {
            let positive = want.positive.unwrap_or("1");
            let rows = read_csv(path, &["text", "label"])?;
            let mut labels: Vec<&str> = rows.iter().map(|(_, r)| r[1].as_str()).collect();
            labels.sort_unstable();
            labels.dedup();
            let negative = match labels.as_slice() {
                [a, b] if *a == positive => b.to_string(),
                [a, b] if *b == positive => a.to_string(),
                _ => format!("not_{positive}"),
            };
            let task = named(want.task.unwrap_or(positive), positive, &negative);
            let examples = rows
                .into_iter()
                .map(|(_, row)| Example {
                    positive: row[1] == positive,
                    text: row[0].clone(),
                })
                .collect();
            Ok(split(task, examples, want.seed))
        }
    }
}

fn named(name: &str, positive: &str, negative: &str) -> Task {
    Task {
        name: name.to_owned(),
        positive: positive.to_owned(),
        negative: negative.to_owned(),
    }
}

/// The one task a format has; another name is an error.
fn fixed_task(want: &Want<'_>, name: &str, positive: &str, negative: &str) -> anyhow::Result<Task> {
    match want.task {
        Some(other) if other != name => {
            bail!("this format has only the task {name:?}, not {other:?}")
        }
        _ => Ok(named(name, positive, negative)),
    }
}

/// Test 20% of each class, dev 12.5% of the rest, both stratified.
fn split(task: Task, examples: Vec<Example>, seed: u64) -> Dataset {
    let labels: Vec<bool> = examples.iter().map(|e| e.positive).collect();
    let (rest, test) = stratified_split(&labels, TEST_SHARE, seed);
    let rest_labels: Vec<bool> = rest.iter().map(|&i| labels[i]).collect();
    let (train, dev) = stratified_split(&rest_labels, DEV_SHARE, seed);
    let pick = |indices: &[usize]| -> Vec<Example> {
        indices.iter().map(|&i| examples[i].clone()).collect()
    };
    let train_rows: Vec<usize> = train.iter().map(|&i| rest[i]).collect();
    let dev_rows: Vec<usize> = dev.iter().map(|&i| rest[i]).collect();
    Dataset {
        split_note: format!(
            "stratified split, seed {seed}: test 20% of each class, dev 12.5% of the rest; \
             {} train, {} dev, {} test",
            train_rows.len(),
            dev_rows.len(),
            test.len()
        ),
        train: pick(&train_rows),
        dev: pick(&dev_rows),
        test: pick(&test),
        task,
    }
}

fn load_cold(path: &Path, want: &Want<'_>) -> anyhow::Result<Dataset> {
    let task = fixed_task(want, "offensive", "offensive", "non_offensive")?;
    let folder: PathBuf = if path.is_dir() {
        path.to_owned()
    } else {
        path.parent().map(Path::to_owned).unwrap_or_default()
    };
    let mut parts = Vec::new();
    for name in ["train.csv", "dev.csv", "test.csv"] {
        let file = folder.join(name);
        let rows = read_csv(&file, &["label", "TEXT"])?;
        let mut examples = Vec::with_capacity(rows.len());
        for (line, row) in rows {
            let positive = match row[0].as_str() {
                "1" => true,
                "0" => false,
                other => bail!(
                    "{}: line {line}: label {other:?} is not 0 or 1",
                    file.display()
                ),
            };
            examples.push(Example {
                text: row[1].clone(),
                positive,
            });
        }
        parts.push(examples);
    }
    let (test, dev, train) = match (parts.pop(), parts.pop(), parts.pop()) {
        (Some(test), Some(dev), Some(train)) => (test, dev, train),
        _ => bail!("COLD folder {} is incomplete", folder.display()),
    };
    Ok(Dataset {
        split_note: format!(
            "COLD's own split ({}): {} train, {} dev, {} test",
            folder.display(),
            train.len(),
            dev.len(),
            test.len()
        ),
        task,
        train,
        dev,
        test,
    })
}

/// `label<TAB>text` lines; a line without a tab splits at its first run of
/// spaces (line 1 of the UCI file).
fn read_sms(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let bytes = read(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut rows = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (label, rest) = match line.split_once('\t') {
            Some(pair) => pair,
            None => line
                .split_once(' ')
                .with_context(|| format!("{}: line {}: no label", path.display(), at + 1))?,
        };
        let label = label.trim();
        if label != "ham" && label != "spam" {
            bail!(
                "{}: line {}: label {label:?} is not ham or spam",
                path.display(),
                at + 1
            );
        }
        rows.push((label.to_owned(), rest.trim_start().to_owned()));
    }
    Ok(rows)
}

/// The named columns of every record, with its line number. Header names
/// are matched after trimming a byte-order mark and spaces.
fn read_csv(path: &Path, columns: &[&str]) -> anyhow::Result<Vec<(u64, Vec<String>)>> {
    let bytes = read(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .with_context(|| format!("{}: no header row", path.display()))?
        .clone();
    let mut at = Vec::with_capacity(columns.len());
    for column in columns {
        let found = headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == *column)
            .with_context(|| format!("{}: no column {column:?} in the header", path.display()))?;
        at.push(found);
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: bad CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let row = at
            .iter()
            .map(|&i| record.get(i).unwrap_or_default().to_owned())
            .collect();
        rows.push((line, row));
    }
    Ok(rows)
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    harrier_core::bounded::read_file(path, DATA_CAP)
        .with_context(|| format!("could not read {}", path.display()))
}
