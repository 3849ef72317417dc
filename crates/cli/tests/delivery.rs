//! Order webhooks end to end with real processes: `harrier serve` sends
//! orders to a `harrier provider-sim`; the sim is killed so attempts fail,
//! `harrier serve` is killed (SIGKILL) and started again while deliveries
//! are pending, and the sim comes back answering its first two new
//! deliveries 500 after applying them (a lost acknowledgement). In the end
//! every order is applied at the receiver exactly once, under the delivery
//! id Harrier stored for it, and the retries carried that same id.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{free_port, request};
use harrier_core::accounts::Role;
use harrier_core::cases::CaseStore;
use harrier_core::intake::{Channel, Location, LocationKind, ReportInput, validate};
use harrier_core::orders::{NewOrder, OrderAction, OrderTarget};
use harrier_core::ports::Store;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{SqliteOptions, SqliteStore};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn harrier(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_harrier"));
    command
        .env_remove("HARRIER_CONFIG")
        .env("HARRIER_STORAGE__DATA_DIR", data)
        .env("HARRIER_LIMITS__ENABLED", "false")
        .env("HARRIER_PATROL__WORKERS", "0")
        .env("HARRIER_RING__ENABLED", "false")
        .env("HARRIER_ORDERS__INTERVAL_SECONDS", "1")
        .env("HARRIER_ORDERS__RETRY_BASE_SECONDS", "1")
        .env("HARRIER_ORDERS__RETRY_CAP_SECONDS", "2")
        .env("HARRIER_ORDERS__TIMEOUT_SECONDS", "2")
        .env("HARRIER_LOG", "warn");
    command
}

fn start_server(data: &Path, port: u16) -> Child {
    let child = harrier(data)
        .arg("serve")
        .env("HARRIER_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::wait_ready(child, port)
}

/// What the sim says it applied: (effects, duplicates), or None while it
/// does not answer.
fn effects(port: u16) -> Option<(Vec<serde_json::Value>, u64)> {
    let answer = request(
        port,
        b"GET /effects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )?;
    let body = answer.split_once("\r\n\r\n")?.1;
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    Some((
        value["effects"].as_array()?.clone(),
        value["duplicates"].as_u64()?,
    ))
}

fn start_sim(data: &Path, sim_port: u16, port: u16, secret: &str, key: &str, fail: u32) -> Child {
    let child = harrier(data)
        .args(["provider-sim", "--listen"])
        .arg(format!("127.0.0.1:{sim_port}"))
        .args(["--secret", secret, "--key", key, "--answer", "actioned"])
        .arg("--harrier")
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--state")
        .arg(data.join("sim-state.jsonl"))
        .args(["--fail-first", &fail.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the provider-sim to answer", || effects(sim_port).is_some());
    child
}

/// Polls `done` every 100 ms, for at most three minutes.
fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1800 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gave up waiting for {what}");
}

fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// (order id → (state, attempts, delivery id)) as stored.
fn deliveries(data: &Path) -> BTreeMap<i64, (String, i64, String)> {
    let db = rusqlite::Connection::open_with_flags(
        data.join("harrier.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let mut stmt = db
        .prepare("SELECT order_id, state, attempts, delivery_id FROM order_deliveries")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Makes `count` orders to provider 1 (until the orders API can), on a case
/// of a triaged tip-off, through the store's public API.
fn make_orders(data: &Path, count: usize) -> Vec<i64> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::open(data.join("harrier.db"), &SqliteOptions::default()).unwrap();
        let taxonomy = Taxonomy::shipped().unwrap();
        let now = harrier_core::clock::Clock::now(&harrier_core::clock::SystemClock);
        let input = ReportInput {
            category: "drugs".into(),
            platform: Some("acme".into()),
            locations: vec![Location {
                kind: LocationKind::Handle,
                value: "@ice_seller".into(),
            }],
            description: "sells ice".into(),
            good_faith: true,
            ..Default::default()
        };
        let report = store
            .insert_report(validate(input, Channel::Api, &taxonomy, now).unwrap(), None)
            .await
            .unwrap()
            .report_id;
        let staff = match store.staff_credentials("intake").await.unwrap() {
            Some(c) => c.staff,
            None => store
                .put_staff("intake", Role::Intake, "x", false, false, now)
                .await
                .unwrap(),
        };
        let case_id = store
            .triage_report(report, &staff, "", now)
            .await
            .unwrap()
            .case_id;
        let mut ids = Vec::new();
        for i in 0..count {
            let order = NewOrder {
                case_id,
                decision_id: None,
                provider_id: 1,
                action: OrderAction::Remove,
                preserve_days: None,
                legal_basis: "test".into(),
                deadline: now + time::Duration::days(1),
                target: OrderTarget {
                    kind: "item".into(),
                    platform: "acme".into(),
                    key: format!("post-{i}"),
                    item_ids: vec![format!("post-{i}")],
                },
                evidence_excerpt: "出冰".into(),
                notice: None,
                reverses: None,
            };
            let stored = store
                .insert_order_unaudited(order, "staff:test", now)
                .await
                .unwrap()
                .unwrap();
            ids.push(stored.id);
        }
        ids
    })
}

fn word_after(output: &std::process::Output, prefix: &str) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .find(|w| w.starts_with(prefix))
        .unwrap()
        .to_owned()
}

#[test]
fn orders_survive_a_receiver_down_and_a_killed_server_applied_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (port, sim_port) = (free_port(), free_port());

    let added = harrier(&data)
        .args(["provider", "add", "acme", "--scopes", "orders"])
        .output()
        .unwrap();
    let key = word_after(&added, "hk_");
    let hook = harrier(&data)
        .args(["provider", "webhook", "acme", "--url"])
        .arg(format!("http://127.0.0.1:{sim_port}/webhook"))
        .output()
        .unwrap();
    let secret = word_after(&hook, "whsec_");
    let refused = harrier(&data)
        .args([
            "provider",
            "webhook",
            "acme",
            "--url",
            "http://10.1.2.3/hook",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "plain http off loopback");

    // The receiver is up: the first orders are delivered at once.
    let first = make_orders(&data, 3);
    let sim = start_sim(&data, sim_port, port, &secret, &key, 0);
    let mut server = start_server(&data, port);
    wait_for("the first orders to be applied", || {
        effects(sim_port).is_some_and(|(e, _)| e.len() == 3)
    });

    // The receiver goes down; more orders fail and wait.
    kill(sim);
    let later = make_orders(&data, 4);
    wait_for("failed attempts", || {
        let stored = deliveries(&data);
        later.iter().all(|id| stored[id].1 >= 2)
    });
    // Harrier dies while they are pending, and starts again.
    kill(server);
    let before_restart: BTreeMap<i64, i64> = later
        .iter()
        .map(|id| (*id, deliveries(&data)[id].1))
        .collect();
    server = start_server(&data, port);
    wait_for("the restarted server to retry", || {
        let stored = deliveries(&data);
        later.iter().all(|id| stored[id].1 > before_restart[id])
    });
    for id in &later {
        assert_eq!(deliveries(&data)[id].0, "pending");
    }

    // The receiver is back, losing its first two acknowledgements.
    let sim = start_sim(&data, sim_port, port, &secret, &key, 2);
    wait_for("every order to be delivered", || {
        let stored = deliveries(&data);
        stored.len() == 7 && stored.values().all(|(state, ..)| state == "delivered")
    });
    let (applied, duplicates) = effects(sim_port).unwrap();
    kill(server);
    kill(sim);

    let stored = deliveries(&data);
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for effect in &applied {
        let order = effect["order_id"].as_i64().unwrap();
        *seen.entry(order).or_default() += 1;
        assert_eq!(
            effect["delivery_id"].as_str().unwrap(),
            stored[&order].2,
            "applied under the stored delivery id"
        );
        assert_eq!(effect["action"], "remove");
    }
    let all: Vec<i64> = first.iter().chain(&later).copied().collect();
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        all,
        "no order lost"
    );
    assert!(
        seen.values().all(|n| *n == 1),
        "none applied twice: {seen:?}"
    );
    assert!(
        duplicates >= 2,
        "the two unacknowledged deliveries came back with their ids ({duplicates})"
    );
    for id in &later {
        assert!(stored[id].1 >= 3, "order {id}: {:?}", stored[id]);
    }
    let db = rusqlite::Connection::open(data.join("harrier.db")).unwrap();
    let delivered: i64 = db
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'order.delivered'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(delivered, 7);
}
