//! The demo's feed: a dozen SAMPLE items from a provider named `demo-feed`,
//! queued for the patrol so that `/staff/patrol` has signals to show.
//!
//! Written for the demo, not taken from real accounts: a few drug, firearm,
//! fraud and paid-deletion offers (two of them obfuscated), a news report
//! and ordinary posts that must raise nothing, and a room with an invited
//! member. Item ids are fixed, so running the demo again adds nothing.

use harrier_core::clock::Clock;
use harrier_core::patrol::{ItemInput, PatrolStore, validate_item};
use harrier_core::ports::StoreError;

const PROVIDER: &str = "demo-feed";

/// (id, kind, account, room, inviter, text)
type Sample = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

const ITEMS: [Sample; 12] = [
    (
        "demo-1",
        "post",
        "ice_seller_01",
        None,
        None,
        "出冰 100元/克 同城到付 加微信 bing_88",
    ),
    (
        "demo-2",
        "post",
        "ice_seller_01",
        None,
        None,
        "冰*毒 現貨 私聊 v信 bing_88",
    ),
    (
        "demo-3",
        "post",
        "reader_02",
        None,
        None,
        "警方破获一起贩卖冰毒案，提醒市民远离毒品。",
    ),
    (
        "demo-4",
        "post",
        "gunshop_03",
        None,
        None,
        "ammo for sale, glock 19 $600, text me +1 (415) 555-0134",
    ),
    (
        "demo-5",
        "post",
        "pr_fixer_04",
        None,
        None,
        "专业有偿删帖 删差评 公关删帖 加QQ 123456789",
    ),
    (
        "demo-6",
        "message",
        "pr_fixer_04",
        None,
        None,
        "r-e-m-o-v-e- -n-e-g-a-t-i-v-e- -r-e-v-i-e-w-s $50, whatsapp me",
    ),
    (
        "demo-7",
        "post",
        "task_boss_05",
        None,
        None,
        "刷单兼职，日结300元，先垫付后返现，加微信 rw_8899",
    ),
    (
        "demo-8",
        "post",
        "walker_06",
        None,
        None,
        "今天去公园散步，天气很好，晚上和朋友吃饭。",
    ),
    (
        "demo-9",
        "post",
        "cook_07",
        None,
        None,
        "The new noodle place downtown is great, go before noon.",
    ),
    (
        "demo-10",
        "room_created",
        "ice_seller_01",
        Some("room-night-1"),
        None,
        "",
    ),
    (
        "demo-11",
        "room_join",
        "buyer_08",
        Some("room-night-1"),
        Some("ice_seller_01"),
        "",
    ),
    (
        "demo-12",
        "room_message",
        "ice_seller_01",
        Some("room-night-1"),
        None,
        "今晚到货 溜冰的兄弟 私聊 飞机 @ice_tg_01",
    ),
];

/// Creates the provider if needed and queues the sample items; returns how
/// many were new.
pub async fn load(store: &impl PatrolStore, clock: &impl Clock) -> Result<usize, StoreError> {
    let provider = match store.provider(PROVIDER).await? {
        Some(provider) => provider,
        None => store.add_provider(PROVIDER, clock.now()).await?,
    };
    let items = ITEMS
        .iter()
        .filter_map(|&(id, kind, account, room, inviter, text)| {
            validate_item(ItemInput {
                id: id.into(),
                kind: kind.into(),
                text: (!text.is_empty()).then(|| text.into()),
                account: Some(account.into()),
                room: room.map(Into::into),
                inviter: inviter.map(Into::into),
                lang: Some(if text.is_ascii() { "en" } else { "zh" }.into()),
                ..ItemInput::default()
            })
            .ok()
        })
        .collect();
    let accepted = store.insert_items(provider.id, items, clock.now()).await?;
    Ok(accepted.iter().filter(|a| a.created).count())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sample_item_is_valid() {
        for (id, kind, account, room, inviter, text) in super::ITEMS {
            let item = harrier_core::patrol::validate_item(harrier_core::patrol::ItemInput {
                id: id.into(),
                kind: kind.into(),
                text: Some(text.into()),
                account: Some(account.into()),
                room: room.map(Into::into),
                inviter: inviter.map(Into::into),
                ..Default::default()
            });
            assert!(item.is_ok(), "{id}: {item:?}");
        }
    }
}
