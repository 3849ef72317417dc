//! Communities of the co-action network: components, then Leiden.
//!
//! What: [`Communities::detect`] takes an undirected weighted graph (edges
//! between account numbers), finds its connected components (union-find)
//! and splits them into communities with the Leiden algorithm (Traag,
//! Waltman & van Eck 2019) maximising modularity, through the `leiden-rs`
//! crate (without default features: it then needs only rand, rustc-hash
//! and thiserror, which the tree already has). [`modularity`] is computed
//! here, independently of the crate, so the tests check the crate's answer
//! rather than repeat it.
//!
//! Why no petgraph: leiden-rs has its own compressed graph builder, and the
//! components are a dozen lines of union-find over the edge list; petgraph
//! would add a graph type to convert through and nothing else.
//!
//! Why Leiden and components both: a component is what an analyst can
//! defend ("these accounts are all connected"), a community is the ring
//! inside a component that a few bridging accounts tie to another ring.
//! Every community lies inside one component, and a group carries both.
//!
//! What not: no overlapping communities, no directed modularity (the
//! co-action weights are made symmetric by the caller).

use super::neardup::{find, union};
use leiden_rs::{GraphDataBuilder, Leiden, LeidenConfig};

/// Component and community of every node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Communities {
    /// `component[node]`: a number shared by the nodes of one component;
    /// `u32::MAX` for a node without edges.
    pub component: Vec<u32>,
    /// `community[node]`: a number shared by the nodes of one community;
    /// `u32::MAX` for a node without edges.
    pub community: Vec<u32>,
    /// Modularity of the community partition over the graph.
    pub modularity: f64,
}

impl Communities {
    /// `edges` are `(a, b, weight)` with `a, b < nodes`, each undirected
    /// edge once. `seed` makes Leiden's random order reproducible.
    pub fn detect(nodes: usize, edges: &[(u32, u32, f64)], resolution: f64, seed: u64) -> Self {
        let mut parent: Vec<u32> = (0..nodes as u32).collect();
        let mut size = vec![1u32; nodes];
        let mut touched = vec![false; nodes];
        for &(a, b, _) in edges {
            union(&mut parent, &mut size, a, b);
            touched[a as usize] = true;
            touched[b as usize] = true;
        }
        // Leiden on the nodes with edges only, renumbered densely.
        let mut dense = vec![u32::MAX; nodes];
        let mut sparse = Vec::new();
        for node in 0..nodes {
            if touched[node] {
                dense[node] = sparse.len() as u32;
                sparse.push(node as u32);
            }
        }
        let mut component = vec![u32::MAX; nodes];
        for node in 0..nodes {
            if touched[node] {
                component[node] = find(&mut parent, node as u32);
            }
        }
        let membership = leiden(&sparse, &dense, edges, resolution, seed)
            // Leiden refused the graph (it should not): one community per
            // component is a correct, coarser answer.
            .unwrap_or_else(|| sparse.iter().map(|&n| component[n as usize]).collect());
        let mut community = vec![u32::MAX; nodes];
        for (index, &node) in sparse.iter().enumerate() {
            community[node as usize] = membership[index];
        }
        let modularity = modularity(nodes, edges, &community);
        Self {
            component,
            community,
            modularity,
        }
    }
}

fn leiden(
    sparse: &[u32],
    dense: &[u32],
    edges: &[(u32, u32, f64)],
    resolution: f64,
    seed: u64,
) -> Option<Vec<u32>> {
    if sparse.is_empty() {
        return Some(Vec::new());
    }
    let mut builder = GraphDataBuilder::new(sparse.len());
    for &(a, b, weight) in edges {
        builder
            .add_edge(
                dense[a as usize] as usize,
                dense[b as usize] as usize,
                weight,
            )
            .ok()?;
    }
    let graph = builder.build().ok()?;
    let config = LeidenConfig {
        seed: Some(seed),
        resolution,
        ..LeidenConfig::default()
    };
    let output = Leiden::new(config).run(&graph).ok()?;
    Some(
        (0..sparse.len())
            .map(|node| output.partition.community_of(node) as u32)
            .collect(),
    )
}

/// Newman–Girvan modularity of `community` (one number per node; nodes
/// with `u32::MAX` have no edges and do not count) over the undirected
/// weighted `edges`:
/// `Q = Σ_c [ L_c / m - (d_c / 2m)² ]`, with `L_c` the weight inside `c`,
/// `d_c` the total degree of `c` and `m` the total weight.
pub fn modularity(nodes: usize, edges: &[(u32, u32, f64)], community: &[u32]) -> f64 {
    let m: f64 = edges.iter().map(|e| e.2).sum();
    if m == 0.0 {
        return 0.0;
    }
    let mut inside = rustc_hash::FxHashMap::<u32, f64>::default();
    let mut degree = rustc_hash::FxHashMap::<u32, f64>::default();
    debug_assert!(community.len() >= nodes);
    for &(a, b, w) in edges {
        let (ca, cb) = (community[a as usize], community[b as usize]);
        if ca == cb {
            *inside.entry(ca).or_default() += w;
        }
        *degree.entry(ca).or_default() += w;
        *degree.entry(cb).or_default() += w;
    }
    degree
        .iter()
        .map(|(c, d)| inside.get(c).copied().unwrap_or(0.0) / m - (d / (2.0 * m)).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_triangles_and_a_pair() {
        let edges = [
            (0, 1, 1.0),
            (1, 2, 1.0),
            (0, 2, 1.0),
            (3, 4, 1.0),
            (4, 5, 1.0),
            (3, 5, 1.0),
            (2, 3, 0.1),
            (7, 8, 1.0),
        ];
        let found = Communities::detect(10, &edges, 1.0, 1);
        let c = &found.community;
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_eq!(c[3], c[4]);
        assert_ne!(c[0], c[3]);
        assert_eq!(found.component[0], found.component[5]);
        assert_ne!(found.component[0], found.component[7]);
        assert_eq!(c[6], u32::MAX);
        assert_eq!(c[9], u32::MAX);
        assert!(found.modularity > 0.4);
    }
}
