//! The commands behind `harrier`'s subcommands.

use crate::config::Config;
use crate::wiring;
use anyhow::{Context, bail};
use harrier_core::accounts::{Role, check_name, hash_password, one_time_password};
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::directory::parse_file;
use harrier_core::evidence::{clean_file_name, sniff};
use harrier_core::intake::mail::{MailReport, parse_message, split_mbox};
use harrier_core::intake::report::{MAX_DESCRIPTION_CHARS, MAX_FILE_BYTES, MAX_LOCATIONS};
use harrier_core::intake::{Channel, EvidenceFile, ReportInput, ReporterContact, validate};
use harrier_core::patrol::RulesControl;
use harrier_core::ports::{BlobStore, DirectoryImport, IdempotencyKey, Store, StoreError};
use harrier_core::taxonomy::Taxonomy;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest import file read (directory or mailbox).
const IMPORT_CAP: u64 = 512 * 1024 * 1024;

pub async fn serve(config: &Config, demo: bool) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let sample_report = if demo {
        let report = load_demo(config, &store).await?;
        crate::demo_provider::start(config, &store).await?;
        Some(report)
    } else {
        None
    };
    let rules_dir = crate::patrol::rules_dir(config)?;
    let rules = Arc::new(crate::patrol::LiveRules::load(&rules_dir)?);
    crate::patrol::reload_on_sighup(Arc::clone(&rules));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = crate::patrol::start_workers(
        config.patrol.workers,
        "serve",
        Arc::new(store.clone()),
        Arc::clone(&rules),
        Arc::new(SystemClock),
        &crate::patrol::options(config),
        &stopped,
    );
    tracing::info!(
        workers = workers.len(),
        ruleset = %rules.version(),
        rules = %rules_dir.display(),
        "patrol running"
    );
    if config.ring.enabled {
        start_ring(store.clone(), config.ring.clone(), stopped.clone());
    }
    if config.orders.enabled {
        crate::deliver::start(
            crate::deliver::Sender {
                store: Arc::new(store.clone()),
                clock: Arc::new(SystemClock),
                server_key: wiring::secret(&config.storage.data_dir)?,
                settings: config.orders.clone(),
            },
            stopped.clone(),
        )?;
    }
    let state = wiring::state(config, store, Some(rules as Arc<dyn RulesControl>))?;
    if let Some(report) = sample_report
        && let Some(url) = crate::demo_tipoffs::decide_sample(&state, report).await?
    {
        println!(
            "Demo: a SAMPLE decision was taken on the fraud tip-off; the affected person's page: {url}"
        );
    }
    start_indexer(state.clone(), stopped.clone());
    start_mail_outbox(config, state.clone(), stopped.clone());
    let app = harrier_web::app(state);
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .with_context(|| format!("could not listen on {}", config.server.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, data = %config.storage.data_dir.display(), "harrier is serving");
    println!("Harrier is running at http://{address}/  (API: http://{address}/api/openapi.json)");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    let _ = stop.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    Ok(())
}

/// Keeps the search index behind the writes: every 3 seconds, index what
/// was stored since (searches also catch up before they answer).
fn start_indexer(state: harrier_web::AppState, mut stopped: tokio::sync::watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            match harrier_web::search::catch_up(&state, 100_000).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(records = n, "search index caught up"),
                Err(error) => tracing::warn!(%error, "search indexing failed; retrying"),
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(3)) => {}
                _ = stopped.changed() => return,
            }
        }
    });
}

/// Writes e-mailed notices into the mail outbox every 10 seconds.
fn start_mail_outbox(
    config: &Config,
    state: harrier_web::AppState,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let dir = crate::mail_outbox::folder(config);
    let from = config.decisions.mail_from.clone();
    tokio::spawn(async move {
        loop {
            let now = state.clock.now();
            match crate::mail_outbox::flush(state.decisions.as_ref(), &dir, &from, now).await {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(notices = n, outbox = %dir.display(), "notices written to the mail outbox")
                }
                Err(error) => tracing::warn!(%error, "mail outbox failed; retrying"),
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(10)) => {}
                _ = stopped.changed() => return,
            }
        }
    });
}

/// The ring analysis every `ring.interval_minutes` over the last
/// `ring.window_hours` of feed items (the first run a minute after start).
fn start_ring(
    store: harrier_store::SqliteStore,
    settings: crate::config::RingConfig,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        let mut wait = std::time::Duration::from_secs(60);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped.changed() => return,
            }
            match crate::ring_job::run_once(&store, &settings, SystemClock.now()).await {
                Ok(report) => tracing::info!(
                    posts = report.posts,
                    groups = report.groups,
                    new = report.stored.new,
                    cases_opened = report.stored.cases_opened,
                    "ring analysis"
                ),
                Err(error) => tracing::warn!(%error, "ring analysis failed; next run as planned"),
            }
            wait = std::time::Duration::from_secs(u64::from(settings.interval_minutes.max(1)) * 60);
        }
    });
}

/// `harrier analyze coordination --window` on the stored feed: one run of
/// the ring analysis, printed as JSON.
pub async fn analyze_stored(config: &Config, window_hours: u32) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let settings = crate::config::RingConfig {
        window_hours,
        ..config.ring.clone()
    };
    let report = crate::ring_job::run_once(&store, &settings, SystemClock.now()).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

/// `harrier patrol`: workers only, against the same data directory.
pub async fn patrol(config: &Config) -> anyhow::Result<()> {
    let store = wiring::open_store(config)?;
    let rules_dir = crate::patrol::rules_dir(config)?;
    let rules = Arc::new(crate::patrol::LiveRules::load(&rules_dir)?);
    crate::patrol::reload_on_sighup(Arc::clone(&rules));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let count = config.patrol.patrol_workers.max(1);
    let workers = crate::patrol::start_workers(
        count,
        "patrol",
        Arc::new(store),
        Arc::clone(&rules),
        Arc::new(SystemClock),
        &crate::patrol::options(config),
        &stopped,
    );
    println!(
        "Harrier patrol: {count} workers, ruleset {} from {} (SIGHUP reloads it)",
        rules.version(),
        rules_dir.display()
    );
    shutdown().await;
    let _ = stop.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

/// Loads the demo content; returns the tip-off the sample decision is on.
async fn load_demo(config: &Config, store: &harrier_store::SqliteStore) -> anyhow::Result<i64> {
    let clock = SystemClock;
    let sample = harrier_web::content::sample_directory()
        .context("the sample directory is missing from the build")?;
    let outcome = parse_file("sample.csv", &sample)?;
    let count = store
        .import_directory(
            "sample",
            outcome.services,
            DirectoryImport::ReplaceSource,
            clock.now(),
        )
        .await?;
    println!("Demo: loaded {count} SAMPLE help services (not real services).");
    println!("Demo: staff accounts (one-time passwords; set your own at first sign-in):");
    // Existing accounts are left alone: `demo` may be pointed at a data
    // directory that is in use, and must not reset anybody's password.
    for (name, role) in [
        ("admin", Role::Admin),
        ("intake", Role::Intake),
        ("analyst", Role::Analyst),
        ("moderator", Role::Moderator),
        ("reviewer", Role::Reviewer),
    ] {
        let password = one_time_password();
        let hash = hash_password(&password)?;
        match store
            .put_staff(name, role, &hash, true, false, clock.now())
            .await
        {
            Ok(_) => println!("  {name:<9} role {:<9} password {password}", role.as_str()),
            Err(StoreError::AlreadyExists(_)) => println!(
                "  {name:<9} exists already (new one-time password: harrier staff add {name} --role {} --reset)",
                role.as_str()
            ),
            Err(e) => return Err(e.into()),
        }
    }
    let queued = crate::demo_feed::load(store, &clock).await?;
    println!(
        "Demo: {queued} new SAMPLE feed items from provider demo-feed queued for the patrol (see /staff/patrol)."
    );
    let (tipoffs, last_tipoff) = crate::demo_tipoffs::load(store, &clock).await?;
    println!(
        "Demo: {tipoffs} new SAMPLE tip-offs waiting for triage (see /staff/reports; the patrol's cases at /staff/cases)."
    );
    println!(
        "Demo: sign in at /staff/login (admin then sets up an authenticator app, TOTP), or with POST /api/v1/auth/login {{\"name\":\"intake\",\"password\":\"…\",\"new_password\":\"…\"}}; data in {}",
        config.storage.data_dir.display()
    );
    Ok(last_tipoff)
}

pub async fn directory_import(config: &Config, file: &Path, replace: bool) -> anyhow::Result<()> {
    let bytes = harrier_core::bounded::read_file(file, IMPORT_CAP)
        .with_context(|| format!("could not read {}", file.display()))?;
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("import");
    let outcome =
        parse_file(name, &bytes).with_context(|| format!("{} was not imported", file.display()))?;
    for error in &outcome.errors {
        eprintln!("{}: row {}: {}", file.display(), error.row, error.message);
    }
    let store = wiring::open_store(config)?;
    let mode = if replace {
        DirectoryImport::ReplaceSource
    } else {
        DirectoryImport::Append
    };
    let imported = store
        .import_directory(name, outcome.services, mode, SystemClock.now())
        .await?;
    println!(
        "{}: imported {imported} services, rejected {} rows",
        file.display(),
        outcome.errors.len()
    );
    Ok(())
}

pub async fn staff_add(config: &Config, name: &str, role: &str, reset: bool) -> anyhow::Result<()> {
    check_name(name)?;
    let Some(role) = Role::parse(role) else {
        bail!("role {role:?} is not one of admin, intake, analyst, moderator, reviewer, auditor");
    };
    let store = wiring::open_store(config)?;
    let password = one_time_password();
    let hash = hash_password(&password)?;
    let staff = store
        .put_staff(name, role, &hash, true, reset, SystemClock.now())
        .await?;
    let action = if reset {
        "staff.reset"
    } else {
        "staff.created"
    };
    crate::audit_cmd::record(
        &store,
        action,
        format!("staff:{}", staff.id),
        serde_json::json!({"name": name, "role": role.as_str()}),
    )
    .await?;
    println!(
        "staff account {name} ({}) one-time password: {password}",
        role.as_str()
    );
    println!(
        "it must be changed at first sign-in (at /staff/login, or POST /api/v1/auth/login with new_password)"
    );
    if role.requires_totp() {
        println!("admins set up an authenticator app (TOTP) at their first sign-in in the console");
    }
    Ok(())
}

pub async fn staff_reset_totp(config: &Config, name: &str) -> anyhow::Result<()> {
    check_name(name)?;
    let store = wiring::open_store(config)?;
    let Some(credentials) = store.staff_credentials(name).await? else {
        bail!("there is no staff account {name:?}");
    };
    store.clear_totp(credentials.staff.id).await?;
    crate::audit_cmd::record(
        &store,
        "staff.totp_reset",
        format!("staff:{}", credentials.staff.id),
        serde_json::json!({"name": name}),
    )
    .await?;
    println!("staff account {name}: authenticator app removed, every session ended");
    if credentials.staff.role.requires_totp() {
        println!("as an admin, {name} sets up a new one at the next sign-in at /staff/login");
    }
    Ok(())
}

/// One message found under the path, with where it came from.
struct Message {
    origin: String,
    raw: Vec<u8>,
}

fn collect_messages(path: &Path) -> anyhow::Result<Vec<Message>> {
    let mut out = Vec::new();
    if path.is_dir() {
        let maildir = path.join("cur").is_dir() || path.join("new").is_dir();
        let folders: Vec<PathBuf> = if maildir {
            vec![path.join("new"), path.join("cur")]
        } else {
            vec![path.to_path_buf()]
        };
        for folder in folders.into_iter().filter(|f| f.is_dir()) {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&folder)
                .with_context(|| format!("could not list {}", folder.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .filter(|p| maildir || p.extension().is_some_and(|e| e == "eml"))
                .collect();
            entries.sort();
            for file in entries {
                out.extend(messages_in_file(&file)?);
            }
        }
    } else {
        out.extend(messages_in_file(path)?);
    }
    Ok(out)
}

fn messages_in_file(file: &Path) -> anyhow::Result<Vec<Message>> {
    let raw = harrier_core::bounded::read_file(file, IMPORT_CAP)
        .with_context(|| format!("could not read {}", file.display()))?;
    if raw.starts_with(b"From ") {
        return Ok(split_mbox(&raw)
            .into_iter()
            .enumerate()
            .map(|(i, m)| Message {
                origin: format!("{} (message {})", file.display(), i + 1),
                raw: m.to_vec(),
            })
            .collect());
    }
    Ok(vec![Message {
        origin: file.display().to_string(),
        raw,
    }])
}

/// `[drugs] Selling ice` → `drugs`, when the tag is a known category.
fn category_tag<'a>(subject: &'a str, taxonomy: &Taxonomy) -> Option<&'a str> {
    let tag = subject
        .trim_start()
        .strip_prefix('[')?
        .split_once(']')?
        .0
        .trim();
    taxonomy.get(tag).map(|_| tag)
}

/// An attachment that passed the type check, not yet stored.
struct Accepted {
    name: Option<String>,
    media_type: &'static str,
    bytes: Vec<u8>,
}

/// The report an e-mail makes, and its acceptable attachments. Nothing is
/// written here: blobs are stored only once the report has validated.
fn mail_input(
    mail: MailReport,
    category: &str,
    taxonomy: &Taxonomy,
    origin: &str,
) -> (ReportInput, Vec<Accepted>) {
    let mut accepted = Vec::new();
    for skipped in &mail.skipped_attachments {
        eprintln!("{origin}: attachment skipped: {skipped}");
    }
    if mail.body_truncated {
        eprintln!("{origin}: body longer than 64 KiB: the rest was not kept");
    }
    for attachment in mail.attachments {
        let name = attachment
            .name
            .clone()
            .unwrap_or_else(|| "attachment".into());
        match sniff(&name, &attachment.bytes, MAX_FILE_BYTES) {
            Ok(media_type) if accepted.len() < harrier_core::intake::report::MAX_FILES => {
                accepted.push(Accepted {
                    name: clean_file_name(&name),
                    media_type,
                    bytes: attachment.bytes,
                });
            }
            Ok(_) => eprintln!("{origin}: attachment {name:?} skipped: more than 5 files"),
            Err(e) => eprintln!("{origin}: attachment skipped: {e}"),
        }
    }
    let description: String = format!("{}\n\n{}", mail.subject, mail.body_text)
        .trim()
        .chars()
        .take(MAX_DESCRIPTION_CHARS)
        .collect();
    let category = category_tag(&mail.subject, taxonomy)
        .unwrap_or(category)
        .to_owned();
    let input = ReportInput {
        category,
        locations: mail.locations.into_iter().take(MAX_LOCATIONS).collect(),
        platform: None,
        occurred_on: None,
        description,
        contact: ReporterContact {
            name: mail.from_name,
            email: mail.from_address,
            phone: None,
        },
        good_faith: false,
        files: Vec::new(),
    };
    (input, accepted)
}

async fn store_attachments(
    blobs: &dyn BlobStore,
    accepted: Vec<Accepted>,
) -> anyhow::Result<Vec<EvidenceFile>> {
    let mut files = Vec::with_capacity(accepted.len());
    for file in accepted {
        let size = file.bytes.len() as u64;
        files.push(EvidenceFile {
            sha256: blobs.put(file.bytes).await?,
            media_type: file.media_type.to_owned(),
            size,
            name: file.name,
        });
    }
    Ok(files)
}

pub async fn intake_mail(config: &Config, path: &Path, category: &str) -> anyhow::Result<()> {
    let taxonomy = Taxonomy::shipped()?;
    if taxonomy.get(category).is_none() {
        bail!("--category {category:?} is not a category of the taxonomy");
    }
    let messages = collect_messages(path)?;
    let store = wiring::open_store(config)?;
    let blobs = harrier_store::FsBlobStore::open(config.storage.data_dir.join("blobs"))?;
    let (mut stored, mut repeated, mut failed) = (0usize, 0usize, 0usize);
    for message in messages {
        let mail = match parse_message(&message.raw) {
            Ok(mail) => mail,
            Err(e) => {
                eprintln!("{}: not imported: {e}", message.origin);
                failed += 1;
                continue;
            }
        };
        // The Message-ID (or the bytes) make re-importing a mailbox harmless.
        let request_hash = hex::encode(Sha256::digest(&message.raw));
        let key = format!(
            "email:{}",
            mail.message_id
                .clone()
                .unwrap_or_else(|| request_hash.clone())
        );
        let (input, accepted) = mail_input(mail, category, &taxonomy, &message.origin);
        let mut report = match validate(input, Channel::Email, &taxonomy, SystemClock.now()) {
            Ok(report) => report,
            Err(e) => {
                eprintln!("{}: not imported: {e}", message.origin);
                failed += 1;
                continue;
            }
        };
        report.files = store_attachments(&blobs, accepted).await?;
        match store
            .insert_report(report, Some(IdempotencyKey { key, request_hash }))
            .await
        {
            Ok(receipt) if receipt.replayed => repeated += 1,
            Ok(_) => stored += 1,
            Err(e) => {
                eprintln!("{}: not imported: {e}", message.origin);
                failed += 1;
            }
        }
    }
    println!(
        "{}: {stored} reports stored, {repeated} already imported, {failed} not imported",
        path.display()
    );
    Ok(())
}
