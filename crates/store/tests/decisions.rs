//! Decisions, appeals and their orders in SQLite: a decision is stored with
//! its orders and the case's move or not at all; appeals keep their window
//! and their one-open rule; a reviewer never reviews their own decision; a
//! reversal sends reversal orders to the providers the decision reached.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

mod common;

use common::{NOW, staff, store, tip_off_case as case};

use harrier_core::accounts::Role;
use harrier_core::cases::{CaseState, CaseStore};
use harrier_core::decisions::{
    AppealOutcome, AppealReview, CaseDefaults, DecisionError, DecisionState, DecisionStore,
    NewAppeal, NewDecision, Source, StatementInput, validate as validate_statement,
};
use harrier_core::orders::{NewOrder, OrderAction, OrderTarget};
use harrier_core::patrol::PatrolStore;
use harrier_core::taxonomy::Taxonomy;
use time::Duration;
use time::macros::date;

fn statement() -> harrier_core::decisions::Statement {
    let input = StatementInput {
        ground: "illegal_content".into(),
        legal_ground: "Art. 347 Criminal Law".into(),
        explanation: "offers methamphetamine for sale".into(),
        visibility: vec!["removed".into()],
        account: Some("suspended".into()),
        facts: "Three posts offer ice with prices and delivery.".into(),
        ..Default::default()
    };
    let defaults = CaseDefaults {
        category: "drugs".into(),
        source: Source::Article16,
        automated_detection: false,
        content_date: date!(2026 - 11 - 20),
        today: date!(2026 - 11 - 24),
    };
    validate_statement(&input, &Taxonomy::shipped().unwrap(), &defaults).unwrap()
}

fn new_decision(case_id: i64, subject_id: i64, provider_id: i64, code: &str) -> NewDecision {
    NewDecision {
        case_id,
        subject_id,
        statement: statement(),
        appeal_code: code.into(),
        appeal_until: NOW + Duration::days(183),
        notice_language: "en".into(),
        notice: "Your post was removed.".into(),
        email: None,
        orders: vec![NewOrder {
            case_id,
            decision_id: None,
            provider_id,
            action: OrderAction::Remove,
            preserve_days: None,
            legal_basis: "Art. 9 DSA order".into(),
            deadline: NOW + Duration::hours(24),
            target: OrderTarget {
                kind: "account".into(),
                platform: "weibo".into(),
                key: "ice_seller".into(),
                item_ids: vec![],
            },
            evidence_excerpt: "冰 300/克".into(),
            notice: None,
            reverses: None,
        }],
    }
}

fn review(outcome: AppealOutcome) -> AppealReview {
    AppealReview {
        outcome,
        reasons: "The posts were satire of a news story.".into(),
        notice: "Your appeal succeeded.".into(),
        appeal_url: "https://harrier.example/appeal/X".into(),
        order_deadline: Duration::hours(24),
        new_appeal_code: "NEWCODE".into(),
        new_appeal_until: NOW + Duration::days(200),
    }
}

#[tokio::test]
async fn a_decision_is_stored_with_its_order_and_moves_the_case() {
    let (_dir, store) = store();
    let moderator = staff(&store, "mo", Role::Moderator).await;
    let (case_id, subject, receipt) = case(&store, &moderator).await;
    let provider = store.add_provider("weibo", NOW).await.unwrap();

    let detail = store
        .decide(
            new_decision(case_id, subject, provider.id, "CODE1"),
            &moderator,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        detail.decision.puid,
        format!("harrier-decision-{}", detail.decision.id)
    );
    assert_eq!(detail.decision.state, DecisionState::InForce);
    assert_eq!(detail.decision.decided_by, "mo");
    assert_eq!(detail.orders.len(), 1);
    assert!(detail.orders[0].reference.starts_with("HO-2026-"));
    assert_eq!(detail.orders[0].decision_id, Some(detail.decision.id));
    assert_eq!(detail.notices.len(), 1, "the provider notice");
    let case = store.get_case(case_id).await.unwrap().unwrap();
    assert_eq!(case.case.state, CaseState::Decided);
    let exported = store
        .decisions_since(NOW - Duration::days(1), 0, 10)
        .await
        .unwrap();
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].statement, statement());
    let outcome = store.report_outcome(&receipt).await.unwrap().unwrap();
    assert_eq!(
        outcome.decisions[0].restrictions,
        vec!["visibility:removed", "account:suspended"]
    );
    let audit = store.audit_entries(0, 100, None).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "decision.taken" && e.object == format!("case:{case_id}"))
    );
}

#[tokio::test]
async fn a_refused_decision_writes_nothing() {
    let (_dir, store) = store();
    let moderator = staff(&store, "mo", Role::Moderator).await;
    let analyst = staff(&store, "an", Role::Analyst).await;
    let (case_id, subject, _) = case(&store, &moderator).await;
    let provider = store.add_provider("weibo", NOW).await.unwrap();

    let err = store
        .decide(
            new_decision(case_id, subject, provider.id, "C1"),
            &analyst,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DecisionError::Forbidden { .. }), "{err:?}");
    let err = store
        .decide(
            new_decision(case_id, subject, provider.id + 99, "C2"),
            &moderator,
            NOW,
        )
        .await
        .unwrap_err();
    assert_eq!(err, DecisionError::ProviderNotFound(provider.id + 99));
    let err = store
        .decide(
            new_decision(case_id, subject + 99, provider.id, "C3"),
            &moderator,
            NOW,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DecisionError::SubjectNotInCase { .. }));
    assert!(
        store
            .decisions_since(NOW - Duration::days(1), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let case = store.get_case(case_id).await.unwrap().unwrap();
    assert_eq!(case.case.state, CaseState::Triage, "no move was made");
}

#[tokio::test]
async fn an_appeal_is_reviewed_by_someone_else_and_a_reversal_orders_the_undo() {
    let (_dir, store) = store();
    let moderator = staff(&store, "mo", Role::Moderator).await;
    let reviewer = staff(&store, "re", Role::Reviewer).await;
    let admin = staff(&store, "ad", Role::Admin).await;
    let (case_id, subject, receipt) = case(&store, &moderator).await;
    let provider = store.add_provider("weibo", NOW).await.unwrap();
    let decided = store
        .decide(
            new_decision(case_id, subject, provider.id, "CODE9"),
            &moderator,
            NOW,
        )
        .await
        .unwrap();

    let appeal = |code: &str| NewAppeal {
        code: code.into(),
        explanation: "It was a news quote.".into(),
        contact_email: Some("me@example.org".into()),
        language: "en".into(),
        files: vec![],
    };
    assert_eq!(
        store.file_appeal(appeal("NOPE"), NOW).await.unwrap_err(),
        DecisionError::UnknownCode
    );
    let late = NOW + Duration::days(184);
    assert!(matches!(
        store.file_appeal(appeal("CODE9"), late).await.unwrap_err(),
        DecisionError::AppealWindowClosed(_)
    ));
    let filed = store
        .file_appeal(appeal("CODE9"), NOW + Duration::days(10))
        .await
        .unwrap();
    assert_eq!(
        store.file_appeal(appeal("CODE9"), NOW).await.unwrap_err(),
        DecisionError::AppealAlreadyOpen
    );
    assert_eq!(
        store.get_case(case_id).await.unwrap().unwrap().case.state,
        CaseState::Appealed
    );
    let public = store.public_decision("CODE9").await.unwrap().unwrap();
    assert_eq!(
        public.appeals[0].contact_email, None,
        "the code does not show the address"
    );

    // Who decided may not review, even as an admin would; a moderator may not review at all.
    let err = store
        .review_appeal(filed.id, review(AppealOutcome::Reverse), &moderator, NOW)
        .await
        .unwrap_err();
    assert!(matches!(err, DecisionError::Forbidden { .. }), "{err:?}");
    let admin_decision = store
        .decide(
            new_decision(case_id, subject, provider.id, "CODE10"),
            &admin,
            NOW,
        )
        .await;
    assert!(
        admin_decision.is_err(),
        "an appealed case takes no new decision"
    );

    let reviewed = store
        .review_appeal(
            filed.id,
            review(AppealOutcome::Reverse),
            &reviewer,
            NOW + Duration::days(11),
        )
        .await
        .unwrap();
    assert_eq!(reviewed.reviewer.as_deref(), Some("re"));
    let after = store.decision(decided.decision.id).await.unwrap().unwrap();
    assert_eq!(after.decision.state, DecisionState::Reversed);
    assert_eq!(after.orders.len(), 2);
    let reversal = &after.orders[1];
    assert_eq!(reversal.action, OrderAction::Reinstate);
    assert_eq!(reversal.reverses, Some(after.orders[0].id));
    assert_eq!(reversal.provider_id, provider.id);
    assert!(
        after
            .notices
            .iter()
            .any(|n| n.channel == "email" && n.kind == "appeal_reversed")
    );
    assert_eq!(
        store.pending_emails(10).await.unwrap()[0].address,
        "me@example.org"
    );
    assert_eq!(
        store.get_case(case_id).await.unwrap().unwrap().case.state,
        CaseState::Reviewed
    );
    assert_eq!(
        store
            .report_outcome(&receipt)
            .await
            .unwrap()
            .unwrap()
            .decisions[0]
            .state,
        "reversed"
    );
    assert_eq!(
        store
            .review_appeal(filed.id, review(AppealOutcome::Uphold), &reviewer, NOW)
            .await
            .unwrap_err(),
        DecisionError::AppealDecided(filed.id)
    );
}

#[tokio::test]
async fn the_decider_cannot_review_and_a_modification_replaces_the_decision() {
    let (_dir, store) = store();
    let admin = staff(&store, "ad", Role::Admin).await;
    let reviewer = staff(&store, "re", Role::Reviewer).await;
    let (case_id, subject, _) = case(&store, &admin).await;
    let provider = store.add_provider("weibo", NOW).await.unwrap();
    let decided = store
        .decide(
            new_decision(case_id, subject, provider.id, "CODE1"),
            &admin,
            NOW,
        )
        .await
        .unwrap();
    let filed = store
        .file_appeal(
            NewAppeal {
                code: "CODE1".into(),
                explanation: "too harsh".into(),
                contact_email: None,
                language: "zh".into(),
                files: vec![],
            },
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .review_appeal(filed.id, review(AppealOutcome::Uphold), &admin, NOW)
            .await
            .unwrap_err(),
        DecisionError::ReviewerTookDecision("ad".into())
    );
    let mut milder = statement();
    milder.restrictions.account = None;
    store
        .review_appeal(
            filed.id,
            review(AppealOutcome::Modify(Box::new(milder.clone()))),
            &reviewer,
            NOW,
        )
        .await
        .unwrap();
    let old = store.decision(decided.decision.id).await.unwrap().unwrap();
    assert_eq!(old.decision.state, DecisionState::Modified);
    let new_id = old.decision.superseded_by.unwrap();
    let new = store.decision(new_id).await.unwrap().unwrap();
    assert_eq!(new.decision.statement, milder);
    assert_eq!(new.decision.supersedes, Some(decided.decision.id));
    assert_eq!(new.decision.appeal_code, "NEWCODE");
    assert_eq!(new.orders.len(), 1);
    assert_eq!(new.orders[0].action, OrderAction::Amend);
    assert_eq!(new.orders[0].reverses, Some(old.orders[0].id));
    assert!(new.orders[0].notice.is_some());
    let page = store.public_decision("NEWCODE").await.unwrap().unwrap();
    assert_eq!(
        page.notice.map(|n| n.body),
        Some("Your appeal succeeded.".to_owned()),
        "the new decision's page shows the text that announced it"
    );
}
