//! Communities on Zachary's karate club, against published figures: the
//! best partition's modularity is 0.4198 (Brandes et al. 2008, proved
//! optimal); Louvain and Leiden usually find 0.41–0.42. The modularity of
//! the club's real split (networkx's `club` attribute) is 0.3582 as
//! networkx computes it, which checks our own modularity function.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use harrier_detect::ring::community::{Communities, modularity};

fn karate() -> (Vec<(u32, u32, f64)>, Vec<u32>) {
    let text = include_str!("../testdata/karate.txt");
    let mut edges = Vec::new();
    let mut club = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("club:") {
            club = rest
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            continue;
        }
        let mut parts = line.split_whitespace();
        let a: u32 = parts.next().unwrap().parse().unwrap();
        let b: u32 = parts.next().unwrap().parse().unwrap();
        edges.push((a, b, 1.0));
    }
    (edges, club)
}

#[test]
fn karate_club_has_78_edges() {
    assert_eq!(karate().0.len(), 78);
}

#[test]
fn modularity_of_the_real_split_matches_networkx() {
    let (edges, club) = karate();
    let membership: Vec<u32> = (0..34).map(|n| u32::from(club.contains(&n))).collect();
    let q = modularity(34, &edges, &membership);
    assert!((q - 0.358_234_714).abs() < 1e-6, "modularity {q}");
}

#[test]
fn leiden_finds_a_near_optimal_partition() {
    let (edges, _) = karate();
    for seed in [1, 2, 3, 42] {
        let found = Communities::detect(34, &edges, 1.0, seed);
        assert!(
            found.modularity >= 0.41 && found.modularity <= 0.4198 + 1e-4,
            "seed {seed}: modularity {}",
            found.modularity
        );
        let communities: std::collections::BTreeSet<u32> =
            found.community.iter().copied().collect();
        assert!((3..=5).contains(&communities.len()), "{communities:?}");
        // One component: every member is connected.
        assert!(found.component.iter().all(|&c| c == found.component[0]));
    }
}
