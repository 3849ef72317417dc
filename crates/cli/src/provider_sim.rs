//! `harrier provider-sim`: the reference receiver of order webhooks, as a
//! provider would write one. Tests and the demo use it.
//!
//! `POST /webhook` reads at most [`MAX_BODY`], checks the Standard Webhooks
//! signature and timestamp (401 otherwise), and looks the `webhook-id` up
//! in its state file: a delivery seen before is answered 200 and changes
//! nothing; a new one "applies the effect" (a line with the order, action,
//! target, delivery id and time, appended and fsynced) and is then
//! answered. `--fail-first N` answers the first N new deliveries 500 after
//! applying them (a lost acknowledgement: Harrier retries with the same id
//! and nothing is applied twice). After applying, it answers the order
//! through Harrier's API (`POST /api/v1/orders/{id}/response` with its
//! provider key), retrying a few times while Harrier is down.
//! `GET /effects` lists what was applied and how many duplicates came.

use crate::deliver::http_client;
use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use harrier_core::clock::{Clock, SystemClock};
use harrier_core::orders::ProviderAnswer;
use harrier_core::orders::webhook::{
    self, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, WebhookSecret,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest webhook body read.
pub const MAX_BODY: usize = 256 * 1024;
/// The largest state file read at start.
const MAX_STATE: u64 = 256 * 1024 * 1024;

/// How the sim answers orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnswerWith {
    Actioned,
    Acknowledged,
    Rejected,
    None,
}

#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Where to listen (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,
    /// The signing secret (whsec_...); give it twice during a rotation.
    #[arg(long)]
    pub secret: Vec<String>,
    /// A file holding the secret (one per line).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// The state file (JSON lines of applied effects).
    #[arg(long)]
    pub state: PathBuf,
    /// Harrier's address, for answering orders.
    #[arg(long)]
    pub harrier: Option<String>,
    /// The provider's API key (scope orders), for answering orders.
    #[arg(long)]
    pub key: Option<String>,
    #[arg(long, value_enum, default_value = "actioned")]
    pub answer: AnswerWith,
    /// Answer the first N new deliveries 500 after applying them.
    #[arg(long, default_value_t = 0)]
    pub fail_first: u32,
}

/// The sim's settings once read.
pub struct SimConfig {
    pub listen: String,
    pub secrets: Vec<WebhookSecret>,
    pub state: PathBuf,
    pub harrier: Option<String>,
    pub key: Option<String>,
    pub answer: AnswerWith,
    pub fail_first: u32,
}

/// One applied effect, as kept in the state file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Effect {
    pub delivery_id: String,
    pub order_id: i64,
    pub action: String,
    pub target: serde_json::Value,
    pub applied_at: String,
}

struct Applied {
    file: std::fs::File,
    seen: HashSet<String>,
    effects: Vec<Effect>,
    new_this_run: u32,
    duplicates: u32,
}

struct Sim {
    secrets: Vec<WebhookSecret>,
    applied: Mutex<Applied>,
    harrier: Option<String>,
    key: Option<String>,
    answer: AnswerWith,
    fail_first: u32,
    client: reqwest::Client,
}

fn load_state(path: &Path) -> anyhow::Result<Applied> {
    let effects: Vec<Effect> = if path.exists() {
        let bytes = harrier_core::bounded::read_file(path, MAX_STATE)
            .with_context(|| format!("could not read {}", path.display()))?;
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| !l.trim().is_empty())
            // A line cut by a crash mid-write was never acknowledged.
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    } else {
        Vec::new()
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("could not open {}", path.display()))?;
    Ok(Applied {
        file,
        seen: effects.iter().map(|e| e.delivery_id.clone()).collect(),
        effects,
        new_this_run: 0,
        duplicates: 0,
    })
}

fn secrets_of(args: &SimArgs) -> anyhow::Result<Vec<WebhookSecret>> {
    let mut texts = args.secret.clone();
    if let Some(file) = &args.secret_file {
        let bytes = harrier_core::bounded::read_file(file, 64 * 1024)
            .with_context(|| format!("could not read {}", file.display()))?;
        texts.extend(
            String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    anyhow::ensure!(
        !texts.is_empty(),
        "give --secret whsec_... or --secret-file"
    );
    texts
        .iter()
        .map(|t| WebhookSecret::parse(t).map_err(anyhow::Error::from))
        .collect()
}

/// `harrier provider-sim`: runs until interrupted.
pub fn run(args: &SimArgs) -> anyhow::Result<()> {
    let config = SimConfig {
        listen: args.listen.clone(),
        secrets: secrets_of(args)?,
        state: args.state.clone(),
        harrier: args.harrier.clone(),
        key: args.key.clone(),
        answer: args.answer,
        fail_first: args.fail_first,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let (address, server) = spawn(config).await?;
        println!("provider-sim listening on http://{address}/webhook");
        let _ = std::io::stdout().flush();
        server.await?
    })
}

/// Starts the sim on its own task (the demo runs it in-process); returns
/// the address it listens on and the task.
pub async fn spawn(
    config: SimConfig,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    let sim = Arc::new(Sim {
        applied: Mutex::new(load_state(&config.state)?),
        secrets: config.secrets,
        harrier: config.harrier.map(|h| h.trim_end_matches('/').to_owned()),
        key: config.key,
        answer: config.answer,
        fail_first: config.fail_first,
        client: http_client(std::time::Duration::from_secs(10))?,
    });
    let app = Router::new()
        .route("/webhook", post(receive))
        .route("/effects", get(effects))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(sim);
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("could not listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await?;
        Ok(())
    });
    Ok((address, server))
}

async fn effects(State(sim): State<Arc<Sim>>) -> axum::Json<serde_json::Value> {
    let applied = sim.applied.lock().unwrap_or_else(|p| p.into_inner());
    axum::Json(serde_json::json!({
        "effects": applied.effects,
        "duplicates": applied.duplicates,
    }))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn receive(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let id = header(&headers, HEADER_ID);
    if id.is_empty() || id.len() > 200 {
        return (StatusCode::BAD_REQUEST, "webhook-id missing");
    }
    let checked = webhook::verify(
        &sim.secrets,
        id,
        header(&headers, HEADER_TIMESTAMP),
        header(&headers, HEADER_SIGNATURE),
        &body,
        SystemClock.now(),
    );
    if let Err(error) = checked {
        tracing::warn!(delivery = id, %error, "refused a webhook");
        return (StatusCode::UNAUTHORIZED, "signature or timestamp refused");
    }
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "body is not JSON");
    };
    let order = &payload["order"];
    let Some(order_id) = order["id"].as_i64() else {
        return (StatusCode::BAD_REQUEST, "no order id");
    };
    let action = order["action"].as_str().unwrap_or("").to_owned();
    let (status, new) = {
        let mut applied = sim.applied.lock().unwrap_or_else(|p| p.into_inner());
        if applied.seen.contains(id) {
            applied.duplicates += 1;
            tracing::info!(delivery = id, order = order_id, "already applied");
            return (StatusCode::OK, "already applied");
        }
        let effect = Effect {
            delivery_id: id.to_owned(),
            order_id,
            action: action.clone(),
            target: order["target"].clone(),
            applied_at: rfc3339(SystemClock.now()),
        };
        let mut line = serde_json::to_string(&effect).unwrap_or_default();
        line.push('\n');
        let written = applied
            .file
            .write_all(line.as_bytes())
            .and_then(|()| applied.file.sync_data());
        if let Err(error) = written {
            tracing::error!(%error, "could not write the state file");
            return (StatusCode::INTERNAL_SERVER_ERROR, "state file");
        }
        applied.seen.insert(effect.delivery_id.clone());
        applied.effects.push(effect);
        applied.new_this_run += 1;
        tracing::info!(delivery = id, order = order_id, %action, "applied");
        if applied.new_this_run <= sim.fail_first {
            (StatusCode::INTERNAL_SERVER_ERROR, true)
        } else {
            (StatusCode::OK, true)
        }
    };
    if new {
        let sim = Arc::clone(&sim);
        tokio::spawn(async move { sim.answer_order(order_id, &action).await });
    }
    if status == StatusCode::OK {
        (status, "applied")
    } else {
        (status, "applied, but answering 500 (--fail-first)")
    }
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// What was done, in the words of an `actioned` answer.
fn done(action: &str) -> &'static str {
    match action {
        "remove" => "removed",
        "restrict" => "restricted",
        "suspend_account" => "account suspended",
        "preserve" => "data preserved",
        "disclose" => "subscriber data disclosed",
        "reinstate" => "reinstated",
        "amend" => "amended",
        _ => "done",
    }
}

impl Sim {
    async fn answer_order(&self, order_id: i64, action: &str) {
        let answer = match self.answer {
            AnswerWith::None => return,
            AnswerWith::Acknowledged => ProviderAnswer::Acknowledged,
            AnswerWith::Actioned => ProviderAnswer::Actioned {
                what: done(action).to_owned(),
                at: SystemClock.now(),
            },
            AnswerWith::Rejected => ProviderAnswer::Rejected {
                why: "provider-sim rejects every order (--answer rejected)".into(),
            },
        };
        let (Some(harrier), Some(key)) = (&self.harrier, &self.key) else {
            tracing::warn!(
                order = order_id,
                "no --harrier and --key: the order is not answered"
            );
            return;
        };
        let url = format!("{harrier}/api/v1/orders/{order_id}/response");
        let mut wait = std::time::Duration::from_secs(1);
        for attempt in 1..=6 {
            let sent = self
                .client
                .post(&url)
                .bearer_auth(key)
                .header("content-type", "application/json")
                .body(serde_json::to_string(&answer).unwrap_or_default())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    tracing::info!(order = order_id, "answered");
                    return;
                }
                Ok(r) if !(r.status().is_server_error() || r.status().as_u16() == 429) => {
                    tracing::warn!(order = order_id, status = %r.status(), "answer refused");
                    return;
                }
                Ok(r) => {
                    tracing::info!(order = order_id, status = %r.status(), attempt, "answer failed; retrying")
                }
                Err(error) => {
                    tracing::info!(order = order_id, %error, attempt, "answer failed; retrying")
                }
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
        tracing::warn!(order = order_id, "gave up answering");
    }
}
