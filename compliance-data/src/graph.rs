//! The ownership/brand/OEM graph and its date-aware walk.
//!
//! A brand rarely names the covered producer: EZVIZ is a Hikvision subsidiary, PowerTrunk is a
//! trading name of Teltronic, which Sepura bought, which Hytera bought. The graph turns those
//! one-hop facts into chains, and the walk keeps every chain it finds (not just the first), so
//! that the matcher can pick the most severe reading and show the evidence for it.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use time::Date;

use crate::date::within;
use crate::record::{EntityRecord, Link, Record, StoredRecord};

/// Longest chain followed; real chains are at most four hops.
const MAX_DEPTH: usize = 8;

/// Node weight: record index. Edge weight: (record index of the child, index into its links).
#[derive(Debug, Default)]
pub(crate) struct EntityGraph {
    graph: DiGraph<usize, (usize, usize)>,
    node_of: HashMap<usize, NodeIndex>,
}

/// The state of one edge on the date asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeState {
    Active,
    Ended,
}

/// One hop of a walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hop {
    pub from: usize,
    pub to: usize,
    pub link: usize,
    pub state: EdgeState,
}

/// A chain from the start record to a record marked `covered`.
#[derive(Debug, Clone)]
pub(crate) struct Walk {
    pub hops: Vec<Hop>,
    pub end: usize,
}

impl EntityGraph {
    pub(crate) fn build(records: &[StoredRecord], entity_by_id: &HashMap<String, usize>) -> Self {
        let mut g = EntityGraph::default();
        for (i, r) in records.iter().enumerate() {
            if matches!(r.record, Record::Entity(_)) {
                let n = g.graph.add_node(i);
                g.node_of.insert(i, n);
            }
        }
        for (i, r) in records.iter().enumerate() {
            if let Record::Entity(e) = &r.record {
                for (k, link) in e.links.iter().enumerate() {
                    let target = entity_by_id
                        .get(&link.target)
                        .and_then(|t| g.node_of.get(t));
                    if let (Some(&from), Some(&to)) = (g.node_of.get(&i), target) {
                        g.graph.add_edge(from, to, (i, k));
                    }
                }
            }
        }
        g
    }

    /// Every simple chain from `start` to a covered entity that exists on `date`, counting edges
    /// that have ended (marked `Ended`) but not edges that have not started yet.
    pub(crate) fn walks(&self, records: &[StoredRecord], start: usize, date: Date) -> Vec<Walk> {
        self.walks_to(records, start, date, &|e| e.covered.is_some())
    }

    /// Every simple chain from `start` (itself included, as a chain of no hops) to an entity
    /// for which `end` holds, with the same date rules as [`EntityGraph::walks`].
    pub(crate) fn walks_to(
        &self,
        records: &[StoredRecord],
        start: usize,
        date: Date,
        end: &dyn Fn(&EntityRecord) -> bool,
    ) -> Vec<Walk> {
        let mut out = Vec::new();
        let Some(&node) = self.node_of.get(&start) else {
            return out;
        };
        let mut path = Vec::new();
        let mut on_path = vec![node];
        let mut walk = WalkState {
            records,
            date,
            end,
            path: &mut path,
            on_path: &mut on_path,
            out: &mut out,
        };
        self.dfs(node, &mut walk);
        out
    }

    fn dfs(&self, node: NodeIndex, w: &mut WalkState<'_>) {
        let (records, date) = (w.records, w.date);
        let here = self.graph[node];
        if let Some(Record::Entity(e)) = records.get(here).map(|r| &r.record)
            && (w.end)(e)
        {
            w.out.push(Walk {
                hops: w.path.clone(),
                end: here,
            });
        }
        if w.path.len() >= MAX_DEPTH {
            return;
        }
        for edge in self.graph.edges(node) {
            let next = edge.target();
            if w.on_path.contains(&next) {
                continue;
            }
            let (child, k) = *edge.weight();
            let Some(link) = link_at(records, child, k) else {
                continue;
            };
            let state = if within(date, link.from.as_ref(), link.to.as_ref()) {
                EdgeState::Active
            } else if link.from.as_ref().is_some_and(|f| date < f.earliest()) {
                continue;
            } else {
                EdgeState::Ended
            };
            w.path.push(Hop {
                from: child,
                to: self.graph[next],
                link: k,
                state,
            });
            w.on_path.push(next);
            self.dfs(next, w);
            w.on_path.pop();
            w.path.pop();
        }
    }
}

/// What a walk carries down the recursion.
struct WalkState<'a> {
    records: &'a [StoredRecord],
    date: Date,
    end: &'a dyn Fn(&EntityRecord) -> bool,
    path: &'a mut Vec<Hop>,
    on_path: &'a mut Vec<NodeIndex>,
    out: &'a mut Vec<Walk>,
}

pub(crate) fn link_at(records: &[StoredRecord], child: usize, k: usize) -> Option<&Link> {
    match records.get(child).map(|r| &r.record) {
        Some(Record::Entity(e)) => e.links.get(k),
        _ => None,
    }
}
