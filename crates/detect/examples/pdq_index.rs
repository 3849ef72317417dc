//! PDQ index figures: `cargo run --release -p harrier-detect --example
//! pdq_index -- [ENTRIES]` (default 1000000).
//!
//! Builds a `HashIndex` over random hashes plus planted near-copies of the
//! query hashes (at distances 0 to 40), then prints the build time, the
//! memory, and query latency (p50, p99, max) at distance 31 for queries with
//! planted neighbours and for queries with none, next to a linear scan of
//! the same entries; every index answer is checked against the scan. Ends
//! with the time to hash the 800x600 and 1024x512 test PNGs.
//!
//! Wall times suffer when other processes share the cores, so the load
//! average is printed first, and each batch also reports this thread's CPU
//! time per query (from /proc/thread-self/schedstat, Linux only).
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock and /proc

use std::time::{Duration, Instant};

use harrier_detect::hash::{HashIndex, PdqHash, pdq_from_image_bytes};

/// Queries of each kind timed against the index.
const QUERIES: usize = 2000;
/// Queries also answered by a linear scan (it is slow).
const SCANNED: usize = 200;

fn main() {
    let entries: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = Rng(0x5eed_2026_1124);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average: {} on {} cores",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let mut hashes: Vec<PdqHash> = (0..entries).map(|_| rng.hash()).collect();
    let planted_queries: Vec<PdqHash> = (0..QUERIES).map(|_| rng.hash()).collect();
    for (i, query) in planted_queries.iter().enumerate() {
        hashes.push(rng.near(query, (i % 41) as u32));
    }
    let lonely_queries: Vec<PdqHash> = (0..QUERIES).map(|_| rng.hash()).collect();

    let started = Instant::now();
    let index = match HashIndex::build(&hashes) {
        Ok(index) => index,
        Err(error) => {
            eprintln!("cannot build: {error}");
            return;
        }
    };
    let build = started.elapsed();
    println!(
        "{} entries ({} random + {} planted at distance 0..=40)",
        index.len(),
        entries,
        QUERIES
    );
    println!(
        "build: {:.0} ms; memory: {:.1} MiB ({:.0} bytes an entry)",
        build.as_secs_f64() * 1e3,
        index.memory_bytes() as f64 / (1024.0 * 1024.0),
        index.memory_bytes() as f64 / index.len() as f64
    );

    for (name, queries) in [("planted", &planted_queries), ("no match", &lonely_queries)] {
        let mut found = 0usize;
        let mut index_times = Vec::with_capacity(queries.len());
        let cpu_before = thread_cpu();
        for query in queries {
            let started = Instant::now();
            let matches = index.within(query, 31);
            index_times.push(started.elapsed());
            found += matches.len();
        }
        let index_cpu = (thread_cpu() - cpu_before) / queries.len() as f64;
        let mut scan_times = Vec::with_capacity(SCANNED);
        let cpu_before = thread_cpu();
        for query in queries.iter().take(SCANNED) {
            let started = Instant::now();
            let scanned = index.scan_within(query, 31);
            scan_times.push(started.elapsed());
            if scanned != index.within(query, 31) {
                eprintln!("MISMATCH between index and scan for {query}");
                std::process::exit(1);
            }
        }
        // The check above ran the index once more per scanned query.
        let scan_cpu = (thread_cpu() - cpu_before) / SCANNED as f64 - index_cpu;
        println!("d=31, {name}: {found} matches in {} queries", queries.len());
        println!(
            "  index: {}, cpu mean {:7.1} us",
            percentiles(&mut index_times),
            index_cpu
        );
        println!(
            "  scan:  {}, cpu mean {:7.1} us",
            percentiles(&mut scan_times),
            scan_cpu
        );
    }
    // A wider radius: some chunk within 2 bits, 137 buckets a chunk.
    let mut times = Vec::with_capacity(SCANNED);
    for query in planted_queries.iter().take(SCANNED) {
        let started = Instant::now();
        let _ = index.within(query, 47);
        times.push(started.elapsed());
    }
    println!("d=47, planted: index {}", percentiles(&mut times));

    for (name, bytes) in [
        (
            "800x600 PNG",
            &include_bytes!("../testdata/pdq/shapes-large.png")[..],
        ),
        (
            "1024x512 PNG",
            &include_bytes!("../testdata/pdq/text-large.png")[..],
        ),
    ] {
        let rounds = 20;
        let started = Instant::now();
        for _ in 0..rounds {
            let _ = pdq_from_image_bytes(bytes);
        }
        let each = started.elapsed() / rounds;
        println!("pdq_from_image_bytes, {name}: {:.2} ms", ms(each));
    }
}

/// This thread's CPU time so far, in microseconds (0 where unknown).
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e3)
}

fn percentiles(times: &mut [Duration]) -> String {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:7.1} us, p99 {:7.1} us, max {:7.1} us",
        us(at(0.5)),
        us(at(0.99)),
        us(at(1.0))
    )
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// splitmix64, seeded: the same hashes every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn hash(&mut self) -> PdqHash {
        let mut bytes = [0u8; 32];
        for eight in bytes.chunks_exact_mut(8) {
            eight.copy_from_slice(&self.next().to_le_bytes());
        }
        PdqHash(bytes)
    }

    /// `hash` with exactly `flips` bits flipped.
    fn near(&mut self, hash: &PdqHash, flips: u32) -> PdqHash {
        let mut out = *hash;
        while out.hamming(hash) < flips {
            let bit = (self.next() % 256) as usize;
            out.0[bit / 8] ^= 1 << (bit % 8);
        }
        out
    }
}
