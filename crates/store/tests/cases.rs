//! Cases, evidence and the audit log in SQLite: triage of reports into
//! cases, moves checked against the table, the patrol's cases with their
//! deadlines, and an audit chain that catches tampering done behind the
//! store's back.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{NOW, staff, store};

use harrier_core::accounts::Role;
use harrier_core::audit::{Broken, Verifier};
use harrier_core::cases::{
    AssigneeFilter, BulkAction, CaseError, CaseQuery, CaseSort, CaseState, CaseStore,
    EvidenceSource, NewEvidence,
};
use harrier_core::intake::{Channel, Location, LocationKind, ReportInput, validate};
use harrier_core::patrol::{ItemInput, NewSignal, PatrolStore, ScanResult, validate_item};
use harrier_core::ports::Store;
use harrier_core::taxonomy::Taxonomy;
use harrier_store::{SqliteOptions, SqliteStore};
use std::time::Duration;

async fn report(store: &SqliteStore, category: &str, handles: &[&str]) -> i64 {
    let input = ReportInput {
        category: category.into(),
        platform: Some("weibo".into()),
        locations: handles
            .iter()
            .map(|h| Location {
                kind: LocationKind::Handle,
                value: (*h).into(),
            })
            .collect(),
        description: "sells ice in the evenings".into(),
        good_faith: true,
        ..Default::default()
    };
    let valid = validate(input, Channel::Api, &Taxonomy::shipped().unwrap(), NOW).unwrap();
    store.insert_report(valid, None).await.unwrap().report_id
}

async fn verify(store: &SqliteStore) -> Result<i64, Broken> {
    let mut verifier = Verifier::new(None);
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, 2, None).await.unwrap();
        if page.is_empty() {
            break;
        }
        for entry in &page {
            verifier.push(entry)?;
            after = entry.seq;
        }
    }
    verifier.finish().map(|v| v.entries)
}

#[tokio::test]
async fn a_tip_off_is_triaged_into_one_case_per_subject() {
    let (_dir, store) = store();
    let intake = staff(&store, "ines", Role::Intake).await;
    let first = report(&store, "drugs", &["@dealer1"]).await;
    let triaged = store.triage_report(first, &intake, "", NOW).await.unwrap();
    assert!(triaged.opened);
    // Triaging again changes nothing.
    let again = store.triage_report(first, &intake, "", NOW).await.unwrap();
    assert_eq!((again.case_id, again.opened), (triaged.case_id, false));

    // A second report naming the same handle and another one joins the case
    // and brings its other subject along.
    let second = report(&store, "drugs", &["@helper", "dealer1"]).await;
    let joined = store
        .triage_report(second, &intake, "same seller", NOW)
        .await
        .unwrap();
    assert_eq!((joined.case_id, joined.opened), (triaged.case_id, false));

    let detail = store.get_case(triaged.case_id).await.unwrap().unwrap();
    assert_eq!(detail.case.state, CaseState::Triage);
    assert_eq!(detail.case.report_count, 2);
    assert_eq!(detail.subjects.len(), 2);
    assert_eq!(detail.reports.len(), 2);
    // Drugs: severity 4, SLA 72 h; two reports raise the priority.
    assert_eq!(detail.case.due_at, NOW + time::Duration::hours(72));
    assert_eq!(detail.case.priority, 4.0 * 3.0);
    assert_eq!(detail.transitions.len(), 1);
    assert_eq!(detail.transitions[0].by, "ines");
    let actions: Vec<_> = detail.audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "case.opened",
            "case.report_added",
            "case.transition",
            "case.report_added"
        ]
    );
    let record = store.get_report(first).await.unwrap().unwrap();
    assert_eq!(record.status.as_str(), "in_review");
    assert_eq!(verify(&store).await.unwrap(), 6);

    assert!(matches!(
        store.triage_report(9_999, &intake, "", NOW).await,
        Err(CaseError::ReportNotFound(9_999))
    ));
    // A phone tip-off may name no place at all: it has no subject.
    let input = ReportInput {
        category: "drugs".into(),
        description: "a caller describes a dealer near the station".into(),
        ..Default::default()
    };
    let valid = validate(input, Channel::Phone, &Taxonomy::shipped().unwrap(), NOW).unwrap();
    let nowhere = store.insert_report(valid, None).await.unwrap().report_id;
    let err = store
        .triage_report(nowhere, &intake, "", NOW)
        .await
        .unwrap_err();
    assert_eq!(err, CaseError::NoSubject(nowhere));
    assert_eq!(err.code(), "no_subject");
    // The auditor only reads.
    let auditor = staff(&store, "audrey", Role::Auditor).await;
    let third = report(&store, "fraud_scams", &["@other"]).await;
    assert!(matches!(
        store.triage_report(third, &auditor, "", NOW).await,
        Err(CaseError::RoleNotAllowed { .. })
    ));
    assert_eq!(verify(&store).await.unwrap(), 6, "a refusal writes nothing");
}

#[tokio::test]
async fn moves_follow_the_table_and_record_who_and_why() {
    let (_dir, store) = store();
    let intake = staff(&store, "ines", Role::Intake).await;
    let moderator = staff(&store, "mo", Role::Moderator).await;
    let analyst = staff(&store, "ana", Role::Analyst).await;
    let reviewer = staff(&store, "rev", Role::Reviewer).await;
    let id = report(&store, "child_sexual_exploitation", &["@x"]).await;
    let case = store
        .triage_report(id, &intake, "", NOW)
        .await
        .unwrap()
        .case_id;
    let summary = store.get_case(case).await.unwrap().unwrap().case;
    assert_eq!(summary.due_at, NOW + time::Duration::hours(24));

    let err = store
        .transition_case(case, CaseState::Decided, &moderator, "x", NOW)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_transition");
    assert!(err.to_string().contains("investigating, closed"), "{err}");
    let err = store
        .transition_case(case, CaseState::Investigating, &analyst, "  ", NOW)
        .await
        .unwrap_err();
    assert_eq!(err, CaseError::ReasonRequired);
    store
        .transition_case(case, CaseState::Investigating, &analyst, "looking", NOW)
        .await
        .unwrap();
    assert_eq!(
        store
            .transition_case(case, CaseState::Decided, &analyst, "x", NOW)
            .await
            .unwrap_err()
            .code(),
        "forbidden"
    );
    store
        .transition_case(case, CaseState::Decided, &moderator, "removed", NOW)
        .await
        .unwrap();
    store
        .transition_case(case, CaseState::Appealed, &intake, "appeal received", NOW)
        .await
        .unwrap();
    store
        .transition_case(case, CaseState::Reviewed, &reviewer, "upheld", NOW)
        .await
        .unwrap();
    let closed = store
        .transition_case(case, CaseState::Closed, &reviewer, "done", NOW)
        .await
        .unwrap();
    assert_eq!(closed.state, CaseState::Closed);
    let detail = store.get_case(case).await.unwrap().unwrap();
    let path: Vec<_> = detail
        .transitions
        .iter()
        .map(|t| (t.to.as_str(), t.by.as_str(), t.reason.as_str()))
        .collect();
    assert_eq!(path[1], ("investigating", "ana", "looking"));
    assert_eq!(path.last().unwrap(), &("closed", "rev", "done"));
    assert_eq!(
        store.get_report(id).await.unwrap().unwrap().status.as_str(),
        "closed"
    );
    // Closed is final; a new report on the subject opens a new case.
    let again = report(&store, "child_sexual_exploitation", &["@x"]).await;
    let next = store.triage_report(again, &intake, "", NOW).await.unwrap();
    assert!(next.opened && next.case_id != case);
    verify(&store).await.unwrap();
}

#[tokio::test]
async fn queues_filter_sort_and_assign() {
    let (_dir, store) = store();
    let intake = staff(&store, "ines", Role::Intake).await;
    let moderator = staff(&store, "mo", Role::Moderator).await;
    let mut cases = Vec::new();
    for (category, handle) in [
        ("harassment", "@a"),
        ("terrorism_violent_extremism", "@b"),
        ("drugs", "@c"),
    ] {
        let id = report(&store, category, &[handle]).await;
        cases.push(
            store
                .triage_report(id, &intake, "", NOW)
                .await
                .unwrap()
                .case_id,
        );
    }
    let list = |sort, assignee, category: Option<&str>| {
        let store = store.clone();
        let category = category.map(str::to_owned);
        async move {
            store
                .list_cases(&CaseQuery {
                    sort,
                    assignee,
                    category,
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    // Terrorism (severity 5) first by priority and by deadline (24 h).
    assert_eq!(
        list(CaseSort::Priority, AssigneeFilter::Anyone, None).await[0],
        cases[1]
    );
    assert_eq!(
        list(CaseSort::Deadline, AssigneeFilter::Anyone, None).await[0],
        cases[1]
    );
    assert_eq!(
        list(CaseSort::Newest, AssigneeFilter::Anyone, Some("drugs")).await,
        [cases[2]]
    );
    store
        .assign_case(cases[0], Some(moderator.id), &moderator, NOW)
        .await
        .unwrap();
    assert_eq!(
        list(
            CaseSort::Priority,
            AssigneeFilter::Staff(moderator.id),
            None
        )
        .await,
        [cases[0]]
    );
    assert_eq!(
        list(CaseSort::Priority, AssigneeFilter::Unassigned, None)
            .await
            .len(),
        2
    );
    assert!(matches!(
        store
            .assign_case(cases[0], Some(999), &moderator, NOW)
            .await,
        Err(CaseError::NoSuchStaff(999))
    ));
    // Bulk: each case gets its own answer; the refused one is untouched.
    let results = store
        .bulk_cases(
            vec![cases[1], cases[2], 4242],
            BulkAction::Transition {
                to: CaseState::Closed,
                reason: "duplicate reports".into(),
            },
            &moderator,
            NOW,
        )
        .await
        .unwrap();
    assert!(results[0].1.is_ok() && results[1].1.is_ok());
    assert_eq!(results[2].1, Err(CaseError::NotFound(4242)));
    assert_eq!(
        list(CaseSort::Priority, AssigneeFilter::Anyone, None).await,
        [cases[0]]
    );
    let by_states = |states: Vec<CaseState>| {
        let store = store.clone();
        async move {
            store
                .list_cases(&CaseQuery {
                    states,
                    sort: CaseSort::Newest,
                    limit: 50,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        by_states(vec![CaseState::Closed]).await,
        [cases[2], cases[1]]
    );
    assert_eq!(
        by_states(vec![CaseState::Triage, CaseState::Closed]).await,
        [cases[2], cases[1], cases[0]]
    );
    verify(&store).await.unwrap();
}

#[tokio::test]
async fn evidence_is_kept_once_with_its_origin() {
    let (_dir, store) = store();
    let analyst = staff(&store, "ana", Role::Analyst).await;
    let id = report(&store, "drugs", &["@c"]).await;
    let case = store
        .triage_report(id, &analyst, "", NOW)
        .await
        .unwrap()
        .case_id;
    let evidence = NewEvidence {
        sha256: "ab".repeat(32),
        media_type: "image/png".into(),
        size: 10,
        name: "<img src=x onerror=alert(1)>.png".into(),
        source: EvidenceSource::Upload,
        source_ref: None,
        note: Some("screenshot of the menu".into()),
    };
    let stored = store
        .add_evidence(case, evidence.clone(), &analyst, NOW)
        .await
        .unwrap();
    assert_eq!(stored.captured_by, "ana");
    assert!(matches!(
        store
            .add_evidence(case, evidence.clone(), &analyst, NOW)
            .await,
        Err(CaseError::DuplicateEvidence { .. })
    ));
    assert!(matches!(
        store.add_evidence(77, evidence, &analyst, NOW).await,
        Err(CaseError::NotFound(77))
    ));
    let detail = store.get_case(case).await.unwrap().unwrap();
    assert_eq!(detail.evidence.len(), 1);
    assert_eq!(detail.audit.last().unwrap().action, "evidence.added");
}

#[tokio::test]
async fn the_patrol_opens_cases_with_deadlines_and_audit_entries() {
    let (_dir, store) = store();
    let provider = store.add_provider("weibo", NOW).await.unwrap();
    let item = validate_item(ItemInput {
        id: "p1".into(),
        kind: "post".into(),
        text: Some("冰毒 出".into()),
        account: Some("seller".into()),
        ..ItemInput::default()
    })
    .unwrap();
    store
        .insert_items(provider.id, vec![item], NOW)
        .await
        .unwrap();
    let leased = store
        .lease_items("w", 10, Duration::from_secs(60), NOW)
        .await
        .unwrap();
    let signal = NewSignal {
        rule: "drugs.sale".into(),
        category: "terrorism_violent_extremism".into(),
        severity: "critical".into(),
        live: true,
        score: 0.5,
        ruleset_version: "v1".into(),
        explanation_json: r#"{"spans":[]}"#.into(),
    };
    let done = store
        .complete_items(
            vec![ScanResult {
                item_id: leased[0].item_id,
                signals: vec![signal],
            }],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(done.cases_opened, 1);
    let cases = store.list_cases(&CaseQuery::default()).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case.state, CaseState::New);
    assert_eq!(case.due_at, NOW + time::Duration::hours(24));
    assert_eq!(case.priority, 5.0 * 1.5);
    let detail = store.get_case(case.id).await.unwrap().unwrap();
    assert_eq!(detail.signals[0].item.text, "冰毒 出");
    assert_eq!(detail.audit[0].actor, "system:patrol");
    verify(&store).await.unwrap();
}

#[tokio::test]
async fn tampering_behind_the_stores_back_is_found() {
    let (dir, store) = store();
    let intake = staff(&store, "ines", Role::Intake).await;
    for handle in ["@a", "@b", "@c"] {
        let id = report(&store, "drugs", &[handle]).await;
        store.triage_report(id, &intake, "", NOW).await.unwrap();
    }
    let head = store.audit_head().await.unwrap().unwrap();
    assert_eq!(verify(&store).await.unwrap(), head.seq);
    drop(store);
    let path = dir.path().join("h.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    // The triggers refuse edits through SQL...
    let refused = conn.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 2", []);
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    // ...and whoever drops them is caught by the chain.
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute(
        "UPDATE audit_log SET detail = '{\"reason\":\"nothing to see\"}' WHERE seq = 5",
        [],
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path, &SqliteOptions::default()).unwrap();
    assert_eq!(verify(&store).await, Err(Broken::Edited { seq: 5 }));
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq = 5", [])
        .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path, &SqliteOptions::default()).unwrap();
    assert_eq!(
        verify(&store).await,
        Err(Broken::Sequence {
            seq: 6,
            expected: 5
        })
    );
}
