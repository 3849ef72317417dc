//! `harrier bench cases`: the case queues with many reports and cases.
//!
//! Fills a database (kept in `--data`, so a second run measures at once)
//! through the store's own methods: `--reports` tip-offs over `--cases`
//! subjects, one case per subject by triage (half of them get a second
//! report), a tenth closed and a fifth assigned. Then it calls the real
//! router in-process (no socket: what is measured is routing, the session
//! check, the query and the rendering) for each queue a moderator uses and
//! prints latency percentiles as JSON lines.

use crate::config::Config;
use crate::wiring;
use anyhow::Context;
use axum::body::Body;
use axum::http::Request;
use harrier_core::accounts::{Role, Staff, new_token};
use harrier_core::cases::{BulkAction, CaseState, CaseStore};
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::intake::{Channel, Location, LocationKind, ReportInput, validate};
use harrier_core::ports::Store;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::SqliteStore;
use http_body_util::BodyExt;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// Concurrent writers while filling (the writer groups their commits).
const FILLERS: usize = 64;

pub struct Args<'a> {
    pub data: &'a Path,
    pub reports: usize,
    pub cases: usize,
    pub requests: usize,
}

fn report(
    k: usize,
    cases: usize,
    taxonomy: &Taxonomy,
) -> anyhow::Result<harrier_core::intake::ValidReport> {
    let categories = taxonomy.categories();
    let category = &categories[k % categories.len()];
    let input = ReportInput {
        category: category.id.clone(),
        platform: Some("examplenet".into()),
        locations: vec![Location {
            kind: LocationKind::Handle,
            value: format!("@acct_{}", k % cases),
        }],
        description: format!(
            "report {k}: this account offers {} in a private group, 加微信 seller{k}",
            category.name_en
        ),
        good_faith: true,
        ..ReportInput::default()
    };
    validate(input, Channel::Api, taxonomy, SystemClock.now())
        .map_err(|e| anyhow::anyhow!("generated report {k} is invalid: {e}"))
}

async fn fill(store: &SqliteStore, args: &Args<'_>, admin: &Staff) -> anyhow::Result<()> {
    let taxonomy = Arc::new(Taxonomy::shipped()?);
    let clock = SystemClock;
    let started = clock.instant();
    // Report k names subject k % cases; the first report of each of the
    // first 1.5 × cases k's is triaged (so half the cases get two reports).
    let triage_below = args.cases + args.cases / 2;
    let mut tasks = Vec::new();
    for t in 0..FILLERS {
        let (store, taxonomy) = (store.clone(), taxonomy.clone());
        let (n, cases) = (args.reports, args.cases);
        tasks.push(tokio::spawn(async move {
            let mut to_triage = Vec::new();
            for k in (t..n).step_by(FILLERS) {
                let stored = store
                    .insert_report(report(k, cases, &taxonomy)?, None)
                    .await?;
                if k < triage_below {
                    to_triage.push((k, stored.report_id));
                }
            }
            anyhow::Ok(to_triage)
        }));
    }
    let mut to_triage = Vec::new();
    for task in tasks {
        to_triage.extend(task.await??);
    }
    let filled = clock.instant() - started;
    println!(
        "{}",
        serde_json::json!({"phase": "reports", "reports": args.reports, "seconds": filled.as_secs_f64(),
            "per_second": args.reports as f64 / filled.as_secs_f64()})
    );
    // Case openings first, then the second reports that join them.
    to_triage.sort_unstable();
    let started = clock.instant();
    for batch in [
        &to_triage[..args.cases.min(to_triage.len())],
        &to_triage[args.cases.min(to_triage.len())..],
    ] {
        let chunk = batch.len().div_ceil(FILLERS).max(1);
        let mut tasks = Vec::new();
        for part in batch.chunks(chunk) {
            let (store, admin, part) = (store.clone(), admin.clone(), part.to_vec());
            tasks.push(tokio::spawn(async move {
                for (_, id) in part {
                    store
                        .triage_report(id, &admin, "", SystemClock.now())
                        .await?;
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
    }
    let triaged = clock.instant() - started;
    // A tenth closed, a fifth assigned to the admin.
    let ids: Vec<i64> = (1..=args.cases as i64).collect();
    for chunk in ids.chunks(500) {
        let closing: Vec<i64> = chunk.iter().copied().filter(|id| id % 10 == 0).collect();
        let assigning: Vec<i64> = chunk.iter().copied().filter(|id| id % 5 == 1).collect();
        let now = SystemClock.now();
        store
            .bulk_cases(
                closing,
                BulkAction::Transition {
                    to: CaseState::Closed,
                    reason: "no violation found".into(),
                },
                admin,
                now,
            )
            .await?;
        store
            .bulk_cases(
                assigning,
                BulkAction::Assign {
                    staff: Some(admin.id),
                },
                admin,
                now,
            )
            .await?;
    }
    println!(
        "{}",
        serde_json::json!({"phase": "cases", "cases": args.cases, "triaged": to_triage.len(),
            "seconds": triaged.as_secs_f64()})
    );
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub async fn run(args: Args<'_>) -> anyhow::Result<()> {
    std::fs::create_dir_all(args.data)
        .with_context(|| format!("could not create {}", args.data.display()))?;
    let mut config = Config::default();
    config.storage.data_dir = args.data.to_path_buf();
    let store = wiring::open_store(&config)?;
    let now = SystemClock.now();
    let admin = match store.staff_credentials("bench-admin").await? {
        Some(c) => c.staff,
        None => {
            store
                .put_staff(
                    "bench-admin",
                    Role::Admin,
                    "$argon2id$unused",
                    false,
                    false,
                    now,
                )
                .await?
        }
    };
    let have = store.totals().await?.reports as usize;
    if have < args.reports {
        anyhow::ensure!(
            have == 0,
            "{} holds {have} reports, fewer than --reports {}: use an empty folder",
            args.data.display(),
            args.reports
        );
        fill(&store, &args, &admin).await?;
    } else {
        println!("{}", serde_json::json!({"phase": "reuse", "reports": have}));
    }
    let state = wiring::state(&config, store.clone(), None)?;
    let (token, hash) = new_token();
    let session = state.config.session_policy().open(admin.id, hash, now);
    store.insert_session(&session).await?;
    let app = harrier_web::app(state);
    let scenarios = [
        ("api: active by priority", "/api/v1/cases", false),
        ("api: by deadline", "/api/v1/cases?sort=deadline", false),
        ("api: one category", "/api/v1/cases?category=drugs", false),
        ("api: assigned to me", "/api/v1/cases?assignee=me", false),
        ("api: unassigned", "/api/v1/cases?assignee=none", false),
        (
            "api: closed, newest",
            "/api/v1/cases?state=closed&sort=newest",
            false,
        ),
        ("api: page 100", "/api/v1/cases?offset=5000", false),
        ("console: case list", "/staff/cases", true),
        ("console: by deadline", "/staff/cases?sort=deadline", true),
    ];
    let clock = SystemClock;
    for (name, uri, console) in scenarios {
        let mut times = Vec::with_capacity(args.requests);
        let mut rows = 0;
        for _ in 0..args.requests {
            let mut request = Request::get(uri);
            request = if console {
                request.header("cookie", format!("harrier_staff={token}"))
            } else {
                request.header("authorization", format!("Bearer {token}"))
            };
            let started = clock.instant();
            let response = app.clone().oneshot(request.body(Body::empty())?).await?;
            let status = response.status();
            #[allow(clippy::disallowed_methods)] // our own answer, in a benchmark
            let body = response.into_body().collect().await?.to_bytes();
            times.push((clock.instant() - started).as_secs_f64() * 1000.0);
            anyhow::ensure!(status.is_success(), "{uri}: {status}");
            rows = if console {
                body.windows(10).filter(|w| w == b"data-case=").count()
            } else {
                serde_json::from_slice::<serde_json::Value>(&body)?["cases"]
                    .as_array()
                    .map_or(0, Vec::len)
            };
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{}",
            serde_json::json!({"scenario": name, "uri": uri, "requests": args.requests, "rows": rows,
                "p50_ms": percentile(&times, 50.0), "p99_ms": percentile(&times, 99.0),
                "max_ms": times.last().copied().unwrap_or(0.0)})
        );
    }
    Ok(())
}
