//! The writer thread: one connection, group commit.
//!
//! Every write is a job sent to one thread. The thread takes the first job,
//! then whatever else is already waiting (up to `max_batch`), runs them all in
//! one transaction and commits once: one fsync for the whole batch. Only
//! after the commit returns does any caller hear back, so an acknowledged
//! write is on disk.
//!
//! Jobs do not get a savepoint each (its sub-journal cost a sixth of the
//! writer's time). Instead a job must refuse *before* it writes: errors other
//! than [`StoreError::Unavailable`] mean "nothing written" and the batch goes
//! on. `Unavailable` (a database or disk error, possibly after a partial
//! write) rolls the whole batch back, and every job in it is told that
//! nothing was stored, so the callers can retry.
//!
//! With `max_batch = 1` every write pays its own fsync; the benchmark uses
//! that for comparison.

use harrier_core::ports::StoreError;
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

type Completion = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (Outcome, Completion) + Send>;

/// What a job left behind in the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Succeeded, or refused before writing anything.
    Clean,
    /// Failed in a way that may have left partial writes.
    Dirty,
}

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
        let (job, answer) = job(f);
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?;
        answer.await.map_err(|_| {
            StoreError::Unavailable(
                "the write was not committed (the batch failed or the writer stopped)".into(),
            )
        })?
    }
}

/// Wraps `f` as a job, with the channel its answer comes back on.
fn job<T, F>(f: F) -> (Job, oneshot::Receiver<Result<T, StoreError>>)
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move |conn| {
        let result = f(conn);
        let outcome = match &result {
            Err(StoreError::Unavailable(_)) => Outcome::Dirty,
            _ => Outcome::Clean,
        };
        let done: Completion = Box::new(move |commit| {
            let answer = match commit {
                Ok(()) => result,
                Err(e) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
            };
            let _ = tx.send(answer);
        });
        (outcome, done)
    });
    (job, rx)
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
        if let Err(e) = run_cached(&conn, "BEGIN IMMEDIATE") {
            // Dropping a job drops its answer channel: its caller hears that
            // the write did not happen.
            tracing::error!(error = %e, "could not begin a transaction");
            batch.clear();
            continue;
        }
        let mut failed = false;
        for job in batch.drain(..) {
            if failed {
                drop(job); // not run: its caller hears nothing was stored
                continue;
            }
            let (outcome, done) = job(&conn);
            failed = outcome == Outcome::Dirty;
            completions.push(done);
        }
        let commit = if failed {
            Err("another write in the same commit failed; nothing was stored".to_owned())
        } else {
            run_cached(&conn, "COMMIT").map_err(|e| e.to_string())
        };
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

/// Runs a statement from the prepared-statement cache: BEGIN and COMMIT run
/// at every batch and are not worth parsing each time.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(conn: &Connection, v: i64) -> Result<(), StoreError> {
        conn.execute("INSERT INTO t (v) VALUES (?1)", [v])
            .map(|_| ())
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Runs one batch of jobs through the writer loop on this thread.
    fn one_batch(jobs: Vec<Job>) -> Connection {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER)").unwrap();
        let (tx, rx) = mpsc::channel(16);
        for job in jobs {
            tx.try_send(job).ok().unwrap();
        }
        drop(tx);
        run(conn, rx, 16, &AtomicU64::new(0), &AtomicI64::new(0));
        Connection::open(&path).unwrap()
    }

    fn count(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_refusal_before_writing_leaves_the_batch_committed() {
        let (a, a_answer) = job(|c| insert(c, 1));
        let (b, b_answer) = job(|_| Err::<(), _>(StoreError::IdempotencyConflict));
        let (c, c_answer) = job(|c| insert(c, 3));
        let conn = one_batch(vec![a, b, c]);
        assert_eq!(count(&conn), 2);
        assert!(a_answer.blocking_recv().unwrap().is_ok());
        assert!(matches!(
            b_answer.blocking_recv().unwrap(),
            Err(StoreError::IdempotencyConflict)
        ));
        assert!(c_answer.blocking_recv().unwrap().is_ok());
    }

    #[test]
    fn a_failed_write_rolls_back_the_batch_and_acknowledges_nothing() {
        let (a, a_answer) = job(|c| insert(c, 1));
        let (b, b_answer) = job(|c| {
            insert(c, 2)?;
            Err::<(), _>(StoreError::Unavailable("disk I/O error".into()))
        });
        let (c, c_answer) = job(|c| insert(c, 3));
        let conn = one_batch(vec![a, b, c]);
        assert_eq!(count(&conn), 0, "nothing of the batch is stored");
        assert!(
            matches!(
                a_answer.blocking_recv().unwrap(),
                Err(StoreError::Unavailable(_))
            ),
            "a is not acknowledged"
        );
        assert!(b_answer.blocking_recv().unwrap().is_err());
        assert!(
            c_answer.blocking_recv().is_err(),
            "c was never run: its channel closed"
        );
    }
}
