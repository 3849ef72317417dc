//! The real known-bad domain lists from ../shared/data, loaded and used on
//! sentences: a blacklisted domain in a sentence is found and listed, a
//! whitelisted look-alike is not. Skips, saying so, when the data folder is
//! missing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failure

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use harrier_detect::extract::{DomainList, EntityKind, Extractors};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is missing", dir.display());
        None
    }
}

/// A whole text file, line by line (`fs::read_to_string` is banned: lists
/// here are small and trusted, but the lint holds everywhere).
fn read(path: &Path) -> String {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    for line in BufReader::new(file).lines() {
        text.push_str(&line.unwrap());
        text.push('\n');
    }
    text
}

fn load(dir: &Path) -> (DomainList, DomainList) {
    let eth = DomainList::from_eth_phishing_json(&read(
        &dir.join("phishing-domains/eth-phishing-detect-config.json"),
    ))
    .unwrap();
    let illegal = DomainList::from_lines(
        "illegal-site-domains",
        &read(&dir.join("lexicon-zh/illegal-site-domains.txt")),
    );
    (eth, illegal)
}

#[test]
fn blacklisted_is_listed_and_whitelisted_is_not() {
    let Some(dir) = data_dir() else {
        return;
    };
    let (eth, illegal) = load(&dir);
    assert!(eth.len() > 10_000, "eth blacklist has {}", eth.len());
    assert!(
        illegal.len() > 10_000,
        "illegal-site-domains has {}",
        illegal.len()
    );
    let extractors = Extractors::new()
        .with_domain_list(eth.clone())
        .with_domain_list(illegal);

    let text = "恭喜中奖！请登录 azukishop.live 领取空投，过期作废。";
    assert!(eth.contains("azukishop.live"));
    let found = extractors.extract(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, EntityKind::Domain);
    assert_eq!(found[0].text(text), "azukishop.live");
    let hit = found[0].listed.as_ref().unwrap();
    assert_eq!(
        (&*hit.list, hit.entry.as_str()),
        (DomainList::ETH_PHISHING, "azukishop.live")
    );

    let text = "最新电影在 http://www.0000-qq.cn/play 免费看";
    let found = extractors.extract(text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].listed.as_ref().map(|hit| &*hit.list),
        Some("illegal-site-domains")
    );

    // Every whitelisted look-alike, in a sentence, is not listed; in a
    // Chinese sentence it is found as a domain (in English prose some bare
    // hosts such as "crypto.me" are doubted, see extract::url).
    let mut allowed: Vec<&str> = eth.allowed().collect();
    allowed.sort_unstable();
    let mut not_found = Vec::new();
    for domain in allowed {
        for text in [
            format!("Visit {domain} for details."),
            format!("请访问 {domain} 了解详情。"),
        ] {
            let found = extractors.extract(&text);
            assert!(
                found.iter().all(|entity| entity.listed.is_none()),
                "{domain} listed: {found:?}"
            );
            if text.starts_with('请') && !found.iter().any(|e| e.host() == Some(domain)) {
                not_found.push(domain);
            }
        }
    }
    // Not on the public-suffix list: uniswap.eth, metamate.crypto.
    assert!(
        not_found.len() <= 2,
        "whitelisted domains not found: {not_found:?}"
    );
}

#[test]
fn a_sample_of_each_list_is_found_obfuscated() {
    let Some(dir) = data_dir() else {
        return;
    };
    let (eth, illegal) = load(&dir);
    for list in [eth, illegal] {
        let mut domains: Vec<&str> = list.blocked().collect();
        domains.sort_unstable();
        let extractors = Extractors::new().with_domain_list(list.clone());
        let sample: Vec<&str> = domains.iter().step_by(97).copied().collect();
        let mut missed = Vec::new();
        for domain in &sample {
            let text = format!("快来 {} 领取", domain.replace('.', "[.]"));
            let found = extractors.extract(&text);
            if !found.iter().any(|entity| entity.listed.is_some()) {
                missed.push(*domain);
            }
        }
        let recall = 1.0 - missed.len() as f64 / sample.len() as f64;
        assert!(
            recall > 0.95,
            "{}: recall {recall:.3}, missed {missed:?}",
            list.name()
        );
    }
}
