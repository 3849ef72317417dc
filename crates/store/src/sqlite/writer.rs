//! The writer thread: one connection, group commit.
//!
//! Every write is a job sent to one thread. The thread takes the first job,
//! then whatever else is already waiting (up to `max_batch`), runs each job in
//! its own savepoint inside one transaction and commits once: one fsync for
//! the whole batch. Only after the commit returns does any caller hear back,
//! so an acknowledged write is on disk. A job that fails rolls back to its
//! savepoint and leaves the others in the batch untouched.
//!
//! With `max_batch = 1` every write pays its own fsync; the benchmark uses
//! that for comparison.

use harrier_core::ports::StoreError;
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

/// A handle to the writer thread.
#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    commits: Arc<AtomicU64>,
}

impl Writer {
    /// Starts the writer thread on an open, migrated connection.
    pub(crate) fn start(
        conn: Connection,
        max_batch: usize,
        wal_frames: Arc<AtomicI64>,
    ) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel::<Job>(8192);
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        std::thread::Builder::new()
            .name("harrier-sqlite-writer".into())
            .spawn(move || run(conn, rx, max_batch.max(1), &counter, &wal_frames))?;
        Ok(Self { jobs, commits })
    }

    /// Transactions committed since start.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `f` in the next transaction and answers once it has committed.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let done: Completion = Box::new(move |commit| {
                let answer = match commit {
                    Ok(()) => result,
                    Err(e) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
                };
                let _ = tx.send(answer);
            });
            (ok, done)
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?
    }
}

fn run(
    conn: Connection,
    mut rx: mpsc::Receiver<Job>,
    max_batch: usize,
    commits: &AtomicU64,
    wal_frames: &AtomicI64,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    let mut completions: Vec<Completion> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        metrics::histogram!(crate::sqlite::METRIC_BATCH).record(batch.len() as f64);
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            // Dropping a job drops its answer channel: its caller hears that
            // the write did not happen.
            tracing::error!(error = %e, "could not begin a transaction");
            batch.clear();
            continue;
        }
        for job in batch.drain(..) {
            let savepoint = run_cached(&conn, "SAVEPOINT job");
            let (ok, done) = job(&conn);
            let closed = if ok && savepoint.is_ok() {
                run_cached(&conn, "RELEASE job")
            } else {
                run_cached(&conn, "ROLLBACK TO job").and_then(|()| run_cached(&conn, "RELEASE job"))
            };
            if let Err(e) = closed {
                tracing::error!(error = %e, "savepoint could not be closed");
            }
            completions.push(done);
        }
        let commit = conn.execute_batch("COMMIT").map_err(|e| e.to_string());
        if commit.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        } else {
            commits.fetch_add(1, Ordering::Relaxed);
        }
        for done in completions.drain(..) {
            done(commit.clone());
        }
        // After the answers, so no caller waits for it (see mod.rs).
        if wal_frames.load(Ordering::Relaxed) > super::WAL_RESTART_FRAMES {
            wal_frames.store(0, Ordering::Relaxed);
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "log restart failed");
            }
        }
    }
}

/// Runs a statement from the prepared-statement cache: the savepoint
/// statements run twice per write and are not worth parsing each time.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}
