//! The demo's tip-offs: three SAMPLE reports, as if filed on the portal,
//! so that the console's tip-offs page and its triage have something to
//! show. Written for the demo; the handles match the demo feed's accounts,
//! so triaging one joins the case the patrol opened. Each carries a fixed
//! idempotency key: running the demo again adds nothing.

use harrier_core::clock::Clock;
use harrier_core::intake::{Channel, Location, LocationKind, ReportInput, validate};
use harrier_core::ports::{IdempotencyKey, Store};
use harrier_core::taxonomy::Taxonomy;

/// (key, category, platform, handle, text)
const TIPOFFS: [(&str, &str, &str, &str, &str); 3] = [
    (
        "demo-tipoff-1",
        "drugs",
        "demo-feed",
        "@ice_seller_01",
        "SAMPLE: 这个账号每天晚上在发卖冰毒的广告，说同城可以送货，让人加微信 bing_88。",
    ),
    (
        "demo-tipoff-2",
        "extortion_paid_deletion",
        "demo-feed",
        "@pr_fixer_04",
        "SAMPLE: 我们店铺被一批账号刷了差评，随后这个账号私信说付钱就能删帖。",
    ),
    (
        "demo-tipoff-3",
        "fraud_scams",
        "demo-feed",
        "@task_boss_05",
        "SAMPLE: This account recruits people for 'easy tasks' and then asks them to pay a deposit first.",
    ),
];

/// Files the sample tip-offs; returns how many were new and the id of
/// the last one (the one the sample decision is about).
pub async fn load(store: &impl Store, clock: &impl Clock) -> anyhow::Result<(usize, i64)> {
    let taxonomy = Taxonomy::shipped()?;
    let mut added = 0;
    let mut last = 0;
    for (key, category, platform, handle, text) in TIPOFFS {
        let input = ReportInput {
            category: category.into(),
            platform: Some(platform.into()),
            locations: vec![Location {
                kind: LocationKind::Handle,
                value: handle.into(),
            }],
            description: text.into(),
            good_faith: true,
            ..ReportInput::default()
        };
        let valid = validate(input, Channel::Web, &taxonomy, clock.now())
            .map_err(|e| anyhow::anyhow!("demo tip-off {key} is invalid: {e}"))?;
        let stored = store
            .insert_report(
                valid,
                Some(IdempotencyKey {
                    key: key.into(),
                    request_hash: key.into(),
                }),
            )
            .await?;
        if !stored.replayed {
            added += 1;
        }
        last = stored.report_id;
    }
    Ok((added, last))
}

/// The demo's SAMPLE decision: the last tip-off triaged and decided by the
/// demo moderator, with an order to the demo provider, so that the case
/// page, the appeal page and the reviewers' queue have something to show.
/// Made once: a data directory with any decision gets none. Returns the
/// appeal address.
pub async fn decide_sample(
    state: &harrier_web::AppState,
    report_id: i64,
) -> anyhow::Result<Option<String>> {
    use harrier_core::decisions::StatementInput;
    use harrier_web::decisions::{DecisionRequest, OrderRequest, case, prepare};
    let epoch = time::OffsetDateTime::UNIX_EPOCH;
    if !state
        .decisions
        .decisions_since(epoch, 0, 1)
        .await?
        .is_empty()
    {
        return Ok(None);
    }
    let Some(moderator) = state.store.staff_credentials("moderator").await? else {
        return Ok(None);
    };
    let moderator = moderator.staff;
    let now = state.clock.now();
    let triaged = state
        .cases
        .triage_report(report_id, &moderator, "SAMPLE: demo triage", now)
        .await?;
    let detail = case(state, triaged.case_id)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let orders = match state.patrol.provider("demo-provider").await? {
        Some(_) => vec![OrderRequest {
            provider: "demo-provider".into(),
            action: "suspend_account".into(),
            legal_basis: "SAMPLE: order under the demo's terms of service".into(),
            ..OrderRequest::default()
        }],
        None => Vec::new(),
    };
    let request = DecisionRequest {
        statement: StatementInput {
            ground: "incompatible_content".into(),
            terms_clause: "SAMPLE: terms of service §4 (fraud)".into(),
            explanation:
                "SAMPLE: the account recruits people for paid tasks and asks for a deposit first."
                    .into(),
            account: Some("suspended".into()),
            visibility: vec!["removed".into()],
            facts: "SAMPLE: a tip-off describes the deposit scheme; this is demo content.".into(),
            ..StatementInput::default()
        },
        notice_language: Some("en".into()),
        orders,
        ..DecisionRequest::default()
    };
    let prepared = prepare(state, &detail, &request, now)
        .await
        .map_err(|e| anyhow::anyhow!("the sample decision is invalid: {}", e.message))?;
    let url = prepared.appeal_url.clone();
    state
        .decisions
        .decide(prepared.new, &moderator, now)
        .await?;
    Ok(Some(url))
}
