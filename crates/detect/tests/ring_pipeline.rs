//! The whole ring analysis on a small batch: a crew of four accounts
//! posting near-copies of a negative review of one restaurant within
//! minutes, sharing a link; an account that later offers to delete
//! negative posts with a WeChat contact; and twenty ordinary accounts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_detect::extract::Extractors;
use harrier_detect::ring::{CoAction, Config, Post, analyze};

fn post(id: usize, account: &str, time: i64, text: &str, urls: &[&str]) -> Post {
    Post {
        id: format!("p{id}"),
        account: account.into(),
        time,
        text: text.into(),
        urls: urls.iter().map(|u| (*u).to_string()).collect(),
        ..Post::default()
    }
}

const ORDINARY: &[&str] = &[
    "just finished a long run along the river, legs are done",
    "anyone know a good place to fix a bike chain near the station",
    "the new library opening hours are great for students",
    "watching the match tonight with friends, should be close",
    "my cat knocked the plant off the shelf again this morning",
    "trying a new bread recipe, the dough is rising slowly",
    "traffic on the ring road is terrible after the rain",
    "finally finished reading that novel, what an ending",
    "the museum has a free exhibition about old maps this week",
    "planted tomatoes and basil on the balcony today",
    "our team won the quiz night at the pub on friday",
    "looking for recommendations for a quiet cafe to work from",
    "the sunset over the harbour was beautiful this evening",
    "learning to play the guitar, my fingers hurt already",
    "school concert tonight, the kids have practised for weeks",
    "the farmers market had amazing peaches this morning",
    "repainting the kitchen walls a pale green colour",
    "walked the dog in the park and met three other huskies",
    "my phone battery dies so fast since the last update",
    "the train was twenty minutes late again today",
];

fn batch() -> Vec<Post> {
    let mut posts = Vec::new();
    let review = [
        "Avoid Golden Dragon Restaurant, food poisoning after dinner there, total scam, tell everyone",
        "Avoid Golden Dragon Restaurant, food poisoning after dinner last night, total scam, tell everyone",
        "avoid Golden Dragon Restaurant food poisoning after dinner there total scam tell everyone!!",
        "Avoid Golden Dragon Restaurant, got food poisoning after dinner there, total scam, tell everyone",
    ];
    let crew = ["crew_a", "crew_b", "crew_c", "crew_d"];
    // Two waves, an hour apart in the day, each within minutes.
    for wave in 0..2i64 {
        for (i, account) in crew.iter().enumerate() {
            let id = posts.len();
            posts.push(post(
                id,
                account,
                1_000_000 + wave * 7200 + i as i64 * 90,
                review[(i + wave as usize) % review.len()],
                &["https://bad-reviews.example/golden-dragon"],
            ));
        }
    }
    let id = posts.len();
    posts.push(post(
        id,
        "fixer",
        1_000_000 + 20_000,
        "Golden Dragon Restaurant: we remove negative reviews and do PR services, 加微信 fixer_pr88",
        &[],
    ));
    for (i, text) in ORDINARY.iter().enumerate() {
        let id = posts.len();
        // Ordinary accounts post at ordinary times, some close to the crew.
        posts.push(post(
            id,
            &format!("user{i}"),
            1_000_000 + i as i64 * 400,
            text,
            &[],
        ));
    }
    posts
}

#[test]
fn the_crew_is_one_group_with_its_evidence() {
    let analysis = analyze(&batch(), &Config::default(), &Extractors::new()).unwrap();
    assert_eq!(analysis.groups.len(), 1, "{:#?}", analysis.groups);
    let group = &analysis.groups[0];
    assert_eq!(group.members, vec!["crew_a", "crew_b", "crew_c", "crew_d"]);
    assert!(group.scores.density > 0.99);
    assert!(group.scores.synchrony > 0.9, "{:?}", group.scores);
    assert!(group.scores.similarity > 0.99);
    assert!(
        group
            .co_actions
            .iter()
            .any(|(k, _, _)| *k == CoAction::Post)
    );
    assert!(
        group
            .co_actions
            .iter()
            .any(|(k, _, _)| *k == CoAction::Link)
    );
    assert_eq!(group.targets[0].0, "Golden Dragon Restaurant");
    assert!(!group.paid_deletion.is_empty());
    let link = &group.paid_deletion[0];
    assert_eq!(link.offer_account, "fixer");
    assert!(!link.offer_in_group);
    assert_eq!(link.contacts, vec!["wechat:fixer_pr88".to_string()]);
    assert_eq!(link.target.as_deref(), Some("Golden Dragon Restaurant"));
    assert!(
        group
            .explanation
            .iter()
            .any(|l| l.contains("offer to delete"))
    );
}

#[test]
fn exact_duplicates_alone_do_not_tie_different_wordings() {
    let config = Config {
        near_dup: None,
        kinds: vec![CoAction::Post],
        ..Config::default()
    };
    let analysis = analyze(&batch(), &config, &Extractors::new()).unwrap();
    // Without near-duplicates the four wordings are four texts: each
    // account shares no text with another twice.
    assert!(analysis.groups.is_empty(), "{:#?}", analysis.groups);
}

#[test]
fn a_window_shorter_than_the_gaps_finds_nothing() {
    let config = Config {
        window: 30,
        ..Config::default()
    };
    let analysis = analyze(&batch(), &config, &Extractors::new()).unwrap();
    assert!(analysis.groups.is_empty());
}
