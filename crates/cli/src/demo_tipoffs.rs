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

/// Files the sample tip-offs; returns how many were new.
pub async fn load(store: &impl Store, clock: &impl Clock) -> anyhow::Result<usize> {
    let taxonomy = Taxonomy::shipped()?;
    let mut added = 0;
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
    }
    Ok(added)
}
