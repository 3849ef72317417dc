//! Normalisation throughput on real text: `cargo run --release -p
//! harrier-detect --example normalize_speed -- FILE...` (one text per
//! line). Prints items/s and MB/s per file.
#![allow(clippy::disallowed_methods)] // a benchmark reads files and the clock

use harrier_detect::normalize::{Steps, normalize};

fn main() {
    for path in std::env::args().skip(1) {
        let content = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = content.lines().take(200_000).collect();
        let bytes: usize = lines.iter().map(|l| l.len()).sum();
        if std::env::var_os("PATHS").is_some() {
            paths(&lines);
        }
        let steps = Steps::all();
        harrier_detect::normalize::warm(&steps);
        let mut total = 0usize;
        let started = std::time::Instant::now();
        for _ in 0..10 {
            for line in &lines {
                total += normalize(line, &steps).text.len();
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let items = lines.len() as f64 * 10.0;
        println!(
            "{path}: {:.0} items/s, {:.1} MB/s, {:.2} us/item ({total})",
            items / seconds,
            bytes as f64 * 10.0 / seconds / 1e6,
            seconds / items * 1e6
        );
    }
}

#[allow(dead_code)]
fn paths(lines: &[&str]) {
    let steps = Steps::all();
    let mut slow = 0;
    let mut identity = 0;
    for line in lines {
        let fast = normalize(line, &steps);
        if fast.is_identity() {
            identity += 1;
        }
        if fast == harrier_detect::normalize::slow(line, &steps) {
            slow += 1;
        }
    }
    println!(
        "identity {identity}, equal to slow {slow} of {}",
        lines.len()
    );
}
