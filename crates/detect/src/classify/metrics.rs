//! Metrics: how well a classifier's decisions match the labels.
//!
//! What: a [`Confusion`] matrix (rows: truth, columns: prediction) and the
//! [`Metrics`] read from it: precision, recall and F1 per class, accuracy,
//! macro and weighted F1 (weighted by each class's support, as in the
//! Davidson paper and scikit-learn). `Display` prints a table a person can
//! read, the matrix included.
//!
//! Why: `harrier eval`, the hyper-parameter search and EVALUATION.md use
//! the same numbers, computed once, here.
//!
//! What not: no curves or confidence intervals; a class with no prediction
//! (or no item) gets precision (or recall) 0, as scikit-learn's
//! `zero_division=0` does.

use std::fmt;

/// Counts of (true class, predicted class) pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confusion {
    labels: Vec<String>,
    /// `counts[truth][predicted]`.
    counts: Vec<Vec<u64>>,
}

impl Confusion {
    /// An empty matrix over these class labels.
    pub fn new(labels: Vec<String>) -> Self {
        let n = labels.len();
        Self {
            labels,
            counts: vec![vec![0; n]; n],
        }
    }

    /// The two-class matrix: class 0 is `negative`, class 1 `positive`.
    pub fn binary(negative: &str, positive: &str) -> Self {
        Self::new(vec![negative.to_owned(), positive.to_owned()])
    }

    /// A two-class matrix from its counts, `[[tn, fp], [fn, tp]]`, labelled
    /// `negative` and `positive`.
    pub(crate) fn binary_from_counts(counts: [[u64; 2]; 2]) -> Self {
        Self {
            labels: vec!["negative".to_owned(), "positive".to_owned()],
            counts: counts.iter().map(|row| row.to_vec()).collect(),
        }
    }

    /// Counts one item. Classes are indices into the labels; an index out
    /// of range is ignored (and caught by a debug assertion).
    pub fn add(&mut self, truth: usize, predicted: usize) {
        debug_assert!(truth < self.labels.len() && predicted < self.labels.len());
        if let Some(cell) = self
            .counts
            .get_mut(truth)
            .and_then(|row| row.get_mut(predicted))
        {
            *cell += 1;
        }
    }

    /// [`Confusion::add`] for a two-class matrix.
    pub fn add_binary(&mut self, truth: bool, predicted: bool) {
        self.add(usize::from(truth), usize::from(predicted));
    }

    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// How many items of class `truth` were predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> u64 {
        self.counts
            .get(truth)
            .and_then(|row| row.get(predicted))
            .copied()
            .unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// The metrics this matrix gives.
    pub fn metrics(&self) -> Metrics {
        let n = self.labels.len();
        let total = self.total();
        let mut classes = Vec::with_capacity(n);
        for class in 0..n {
            let hits = self.count(class, class);
            let support: u64 = self.counts[class].iter().sum();
            let predicted: u64 = (0..n).map(|truth| self.count(truth, class)).sum();
            let precision = ratio(hits, predicted);
            let recall = ratio(hits, support);
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            classes.push(ClassMetrics {
                label: self.labels[class].clone(),
                precision,
                recall,
                f1,
                support,
            });
        }
        let hits: u64 = (0..n).map(|class| self.count(class, class)).sum();
        let macro_f1 = if n > 0 {
            classes.iter().map(|c| c.f1).sum::<f64>() / n as f64
        } else {
            0.0
        };
        let weighted_f1 = if total > 0 {
            classes.iter().map(|c| c.f1 * c.support as f64).sum::<f64>() / total as f64
        } else {
            0.0
        };
        Metrics {
            classes,
            accuracy: ratio(hits, total),
            macro_f1,
            weighted_f1,
            confusion: self.clone(),
        }
    }
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One class's precision, recall, F1 and support (items of that class).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

/// Everything `harrier eval` reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    /// In the order of the confusion matrix's labels.
    pub classes: Vec<ClassMetrics>,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// F1 per class weighted by support.
    pub weighted_f1: f64,
    pub confusion: Confusion,
}

impl Metrics {
    /// The metrics of the class with this label.
    pub fn class(&self, label: &str) -> Option<&ClassMetrics> {
        self.classes.iter().find(|c| c.label == label)
    }
}

impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .classes
            .iter()
            .map(|c| c.label.chars().count())
            .chain([5])
            .max()
            .unwrap_or(5);
        writeln!(f, "{:<width$}  precision  recall      f1  support", "class")?;
        for c in &self.classes {
            writeln!(
                f,
                "{:<width$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
                c.label, c.precision, c.recall, c.f1, c.support
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "accuracy {:.4}  macro F1 {:.4}  weighted F1 {:.4}  items {}",
            self.accuracy,
            self.macro_f1,
            self.weighted_f1,
            self.confusion.total()
        )?;
        writeln!(f)?;
        write!(f, "{}", self.confusion)
    }
}

impl fmt::Display for Confusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .labels
            .iter()
            .map(|l| l.chars().count())
            .chain(self.counts.iter().flatten().map(|c| c.to_string().len()))
            .chain([5])
            .max()
            .unwrap_or(5);
        writeln!(f, "confusion matrix (rows: truth, columns: predicted)")?;
        write!(f, "{:<width$}", "")?;
        for label in &self.labels {
            write!(f, "  {label:>width$}")?;
        }
        writeln!(f)?;
        for (label, row) in self.labels.iter().zip(&self.counts) {
            write!(f, "{label:<width$}")?;
            for count in row {
                write!(f, "  {count:>width$}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_computed_binary_matrix() {
        // truth ham: 90 ham, 10 spam; truth spam: 5 ham, 45 spam.
        let mut confusion = Confusion::binary("ham", "spam");
        for _ in 0..90 {
            confusion.add_binary(false, false);
        }
        for _ in 0..10 {
            confusion.add_binary(false, true);
        }
        for _ in 0..5 {
            confusion.add_binary(true, false);
        }
        for _ in 0..45 {
            confusion.add_binary(true, true);
        }
        let m = confusion.metrics();
        let spam = m.class("spam").unwrap();
        assert!(close(spam.precision, 45.0 / 55.0));
        assert!(close(spam.recall, 45.0 / 50.0));
        assert!(close(spam.f1, 2.0 * 45.0 / (2.0 * 45.0 + 10.0 + 5.0)));
        let ham = m.class("ham").unwrap();
        assert!(close(ham.precision, 90.0 / 95.0));
        assert!(close(ham.recall, 0.9));
        assert_eq!((ham.support, spam.support), (100, 50));
        assert!(close(m.accuracy, 135.0 / 150.0));
        assert!(close(m.macro_f1, (ham.f1 + spam.f1) / 2.0));
        assert!(close(
            m.weighted_f1,
            (ham.f1 * 100.0 + spam.f1 * 50.0) / 150.0
        ));

        let table = m.to_string();
        assert!(
            table.contains("spam      0.8182  0.9000  0.8571       50"),
            "{table}"
        );
        assert!(table.contains("ham       90     10"), "{table}");
    }

    #[test]
    fn three_classes_and_empty_classes() {
        let mut confusion = Confusion::new(vec!["a".into(), "b".into(), "c".into()]);
        confusion.add(0, 0);
        confusion.add(1, 0);
        let m = confusion.metrics();
        assert!(close(m.classes[0].precision, 0.5));
        assert!(close(m.classes[1].recall, 0.0));
        assert_eq!(m.classes[2].support, 0);
        assert!(close(m.classes[2].f1, 0.0));
        assert!(close(m.accuracy, 0.5));
        let empty = Confusion::binary("n", "p").metrics();
        assert!(close(empty.accuracy, 0.0) && close(empty.weighted_f1, 0.0));
    }
}
