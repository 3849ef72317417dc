//! The SQLite backend: one database file in WAL mode with `synchronous=FULL`.
//!
//! Writes go to one writer thread that groups concurrent commits
//! (`writer.rs`); reads use a small pool of read-only connections on blocking
//! threads, which WAL lets run beside the writer. Migrations are SQL files
//! applied in order at open, tracked with `PRAGMA user_version`.

mod appeals;
mod audit;
mod case_port;
mod cases;
mod decision_port;
mod decisions;
mod deliveries;
mod directory;
mod groups;
mod order_port;
mod order_rows;
mod orders;
mod patrol;
mod reports;
mod search;
mod staff;
mod time;
mod writer;

use async_trait::async_trait;
use harrier_core::accounts::lockout::{LockoutPolicy, LoginFailures};
use harrier_core::accounts::session::NewSession;
use harrier_core::accounts::{Role, Staff};
use harrier_core::cases::CasePolicy;
use harrier_core::directory::Service;
use harrier_core::intake::{ReceiptCode, ValidReport};
use harrier_core::ports::{
    DirectoryImport, IdempotencyKey, PublicStatus, ReportFilter, ReportRecord, StaffCredentials,
    Store, StoreError, StoredReceipt, SubjectFilter, SubjectSummary, Totals,
};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use writer::Writer;

/// The metric that records how many writes shared one commit.
pub(crate) const METRIC_BATCH: &str = "harrier_sqlite_commit_batch_size";

const MIGRATIONS: [&str; 7] = [
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_patrol.sql"),
    include_str!("../../migrations/sqlite/0003_staff_security.sql"),
    include_str!("../../migrations/sqlite/0004_cases.sql"),
    include_str!("../../migrations/sqlite/0005_search.sql"),
    include_str!("../../migrations/sqlite/0006_groups.sql"),
    include_str!("../../migrations/sqlite/0007_decisions.sql"),
];

/// How the SQLite store is opened.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// Group concurrent writes into one commit (one fsync). Off means one
    /// commit and one fsync per write.
    pub group_commit: bool,
    /// The most writes one commit takes.
    pub max_batch: usize,
    /// Read connections kept open.
    pub readers: usize,
    /// Severity and SLA per category, for the cases the store opens.
    pub case_policy: Arc<CasePolicy>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            group_commit: true,
            max_batch: 512,
            readers: 4,
            case_policy: Arc::new(CasePolicy::default()),
        }
    }
}

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Writer,
    readers: Arc<Readers>,
    policy: Arc<CasePolicy>,
}

struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("database: {e}"))
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db_err)?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .map_err(db_err)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db_err)?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::Unavailable(format!(
            "the database is at schema version {current}, newer than this binary's {known}: upgrade Harrier"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(db_err)?;
        tx.execute_batch(sql).map_err(db_err)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))
            .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        tracing::info!(version = index + 1, "applied database migration");
    }
    Ok(())
}

/// Log frames (4 KiB pages) past which the writer makes the log start over:
/// about 64 MiB.
pub(crate) const WAL_RESTART_FRAMES: i64 = 16_384;

/// Checkpoints the log every 200 ms while the process lives, in PASSIVE
/// mode: it copies what it can into the database file and fsyncs it without
/// ever blocking the writer. It publishes the log's length in `wal_frames`;
/// the writer, which holds the write lock almost continuously under load,
/// makes the log start over when it grows past [`WAL_RESTART_FRAMES`], which
/// is cheap because this thread has already copied nearly everything.
fn start_checkpointer(path: &Path, wal_frames: Arc<AtomicI64>) -> Result<(), StoreError> {
    let conn = open_connection(path)?;
    std::thread::Builder::new()
        .name("harrier-sqlite-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_millis(200));
                // The writer thread holds the other reference: when it has
                // stopped, so does this one.
                if Arc::strong_count(&wal_frames) == 1 {
                    return;
                }
                match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
                    Ok(frames) => wal_frames.store(frames, Ordering::Relaxed),
                    Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
                }
            }
        })
        .map_err(|e| StoreError::Unavailable(format!("checkpoint thread: {e}")))?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub fn open(path: impl AsRef<Path>, options: &SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let mut conn = open_connection(&path)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(db_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "could not switch {} to WAL mode (got {mode})",
                path.display()
            )));
        }
        // FULL: in WAL mode the log is synced at every commit, so a commit
        // that returned survives power loss.
        // cache_size (64 MiB): receipt codes and idempotency keys are random,
        // so their index inserts land on random pages; a small cache turns
        // each into a read.
        // temp_store: each write runs in a savepoint (see writer.rs), whose
        // sub-journal would otherwise be a temporary file written page by page.
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536;",
        )
        .map_err(db_err)?;
        migrate(&mut conn)?;
        conn.set_prepared_statement_cache_capacity(64);
        let max_batch = if options.group_commit {
            options.max_batch
        } else {
            1
        };
        // Checkpoints move the log into the database file and fsync it; done
        // by the writer they would stall every report behind them, so a
        // checkpointer thread of its own does them (PASSIVE: never blocks
        // the writer), and the writer's automatic checkpoints are off.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;")
            .map_err(db_err)?;
        let wal_frames = Arc::new(AtomicI64::new(0));
        start_checkpointer(&path, wal_frames.clone())?;
        let writer = Writer::start(conn, max_batch, wal_frames)
            .map_err(|e| StoreError::Unavailable(format!("writer thread: {e}")))?;
        let readers = Arc::new(Readers {
            path,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(options.readers.max(1)),
        });
        Ok(Self {
            writer,
            readers,
            policy: options.case_policy.clone(),
        })
    }

    /// Write transactions committed since the store was opened: with group
    /// commit, fewer than the writes.
    pub fn commits(&self) -> u64 {
        self.writer.commits()
    }

    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _permit = self
            .readers
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("reader pool closed".into()))?;
        let idle = self.readers.idle.lock().ok().and_then(|mut v| v.pop());
        let readers = self.readers.clone();
        let (conn, result) = tokio::task::spawn_blocking(move || {
            let conn = match idle {
                Some(conn) => conn,
                None => {
                    let conn = open_connection(&readers.path)?;
                    conn.execute_batch("PRAGMA query_only = ON;")
                        .map_err(db_err)?;
                    conn
                }
            };
            let result = f(&conn);
            Ok::<_, StoreError>((conn, result))
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("reader task: {e}")))??;
        if let Ok(mut idle) = self.readers.idle.lock() {
            idle.push(conn);
        }
        result
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_report(
        &self,
        report: ValidReport,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<StoredReceipt, StoreError> {
        self.writer
            .write(move |conn| reports::insert(conn, &report, idempotency.as_ref()))
            .await
    }

    async fn report_status(
        &self,
        receipt: &ReceiptCode,
    ) -> Result<Option<PublicStatus>, StoreError> {
        let receipt = receipt.clone();
        self.read(move |conn| reports::status(conn, &receipt)).await
    }

    async fn list_reports(&self, filter: &ReportFilter) -> Result<Vec<ReportRecord>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn| reports::list(conn, &filter)).await
    }

    async fn get_report(&self, id: i64) -> Result<Option<ReportRecord>, StoreError> {
        self.read(move |conn| reports::get(conn, id)).await
    }

    async fn list_subjects(
        &self,
        filter: &SubjectFilter,
    ) -> Result<Vec<SubjectSummary>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn| reports::subjects(conn, &filter))
            .await
    }

    async fn import_directory(
        &self,
        source: &str,
        services: Vec<Service>,
        mode: DirectoryImport,
        now: ::time::OffsetDateTime,
    ) -> Result<usize, StoreError> {
        let source = source.to_owned();
        self.writer
            .write(move |conn| directory::import(conn, &source, &services, mode, now))
            .await
    }

    async fn directory(&self) -> Result<Vec<Service>, StoreError> {
        self.read(directory::all).await
    }

    async fn put_staff(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        must_change_password: bool,
        reset: bool,
        now: ::time::OffsetDateTime,
    ) -> Result<Staff, StoreError> {
        let (name, hash) = (name.to_owned(), password_hash.to_owned());
        self.writer
            .write(move |conn| {
                staff::put(conn, &name, role, &hash, must_change_password, reset, now)
            })
            .await
    }

    async fn staff_credentials(&self, name: &str) -> Result<Option<StaffCredentials>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn| staff::credentials(conn, &name)).await
    }

    async fn set_password(
        &self,
        staff_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let hash = password_hash.to_owned();
        let keep = keep_session.map(str::to_owned);
        self.writer
            .write(move |conn| staff::set_password(conn, staff_id, &hash, keep.as_deref()))
            .await
    }

    async fn record_login_failure(
        &self,
        staff_id: i64,
        policy: LockoutPolicy,
        now: ::time::OffsetDateTime,
    ) -> Result<LoginFailures, StoreError> {
        self.writer
            .write(move |conn| staff::record_failure(conn, staff_id, &policy, now))
            .await
    }

    async fn clear_login_failures(&self, staff_id: i64) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| staff::clear_failures(conn, staff_id))
            .await
    }

    async fn begin_totp(&self, staff_id: i64, sealed_secret: &str) -> Result<(), StoreError> {
        let sealed = sealed_secret.to_owned();
        self.writer
            .write(move |conn| staff::begin_totp(conn, staff_id, &sealed))
            .await
    }

    async fn accept_totp_step(
        &self,
        staff_id: i64,
        step: u64,
        confirm: bool,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(move |conn| staff::accept_totp_step(conn, staff_id, step, confirm))
            .await
    }

    async fn clear_totp(&self, staff_id: i64) -> Result<(), StoreError> {
        self.writer
            .write(move |conn| staff::clear_totp(conn, staff_id))
            .await
    }

    async fn insert_session(&self, session: &NewSession) -> Result<(), StoreError> {
        let session = session.clone();
        self.writer
            .write(move |conn| staff::insert_session(conn, &session))
            .await
    }

    async fn staff_by_token(
        &self,
        token_hash: &str,
        now: ::time::OffsetDateTime,
    ) -> Result<Option<Staff>, StoreError> {
        let hash = token_hash.to_owned();
        let found = {
            let hash = hash.clone();
            self.read(move |conn| staff::by_token(conn, &hash)).await?
        };
        let Some((staff, times)) = found.filter(|(_, times)| times.is_live(now)) else {
            return Ok(None);
        };
        // Reads stay reads: the last-seen time is written once a minute.
        if times.needs_touch(now) {
            self.writer
                .write(move |conn| staff::touch(conn, &hash, now))
                .await?;
        }
        Ok(Some(staff))
    }

    async fn delete_token(&self, token_hash: &str) -> Result<(), StoreError> {
        let hash = token_hash.to_owned();
        self.writer
            .write(move |conn| {
                conn.execute("DELETE FROM staff_tokens WHERE token_hash = ?1", [hash])
                    .map_err(db_err)?;
                Ok(())
            })
            .await
    }

    async fn end_sessions(
        &self,
        staff_id: i64,
        keep_session: Option<&str>,
    ) -> Result<u64, StoreError> {
        let keep = keep_session.map(str::to_owned);
        self.writer
            .write(move |conn| staff::end_sessions(conn, staff_id, keep.as_deref()))
            .await
    }

    async fn totals(&self) -> Result<Totals, StoreError> {
        self.read(reports::totals).await
    }
}
