//! Walking a tenant's hash chain: recompute every hash, check every link.

use crate::model::Event;
use crate::store::{chain::hash::event_hash, events::records::NewEvent, GENESIS_HASH};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The first thing wrong with a chain, in the order events are checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainBreak {
    /// The stored fields no longer produce the stored hash.
    Changed { seq: i64, id: String },
    /// Sequence numbers jump: the events in between are gone.
    Missing { from_seq: i64, to_seq: i64 },
    /// The event does not point at the hash of the event before it.
    Relinked { seq: i64, id: String },
    /// The event is self-consistent but not what a signed checkpoint recorded:
    /// the chain was recomputed from here on.
    Rewritten { seq: i64, id: String },
    /// The event lies beyond the tenant's recorded head: it was added
    /// behind Logbook's back.
    Inserted { seq: i64, id: String },
    /// A checkpoint that cannot be believed (bad signature, other key, a
    /// retention cut with no signed checkpoint behind it).
    Checkpoint { seq: i64, why: String },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Changed { seq, id } => {
                write!(
                    f,
                    "event #{seq} ({id}) was changed: its fields no longer match its hash"
                )
            }
            ChainBreak::Missing { from_seq, to_seq } if from_seq == to_seq => {
                write!(f, "event #{from_seq} is missing")
            }
            ChainBreak::Missing { from_seq, to_seq } => {
                write!(f, "events #{from_seq} to #{to_seq} are missing")
            }
            ChainBreak::Relinked { seq, id } => {
                write!(f, "event #{seq} ({id}) does not follow the event before it (reordered or replaced)")
            }
            ChainBreak::Rewritten { seq, id } => write!(
                f,
                "event #{seq} ({id}) is not the event a signed checkpoint recorded: the chain was rewritten"
            ),
            ChainBreak::Inserted { seq, id } => write!(
                f,
                "event #{seq} ({id}) lies beyond the recorded head: it was inserted behind Logbook's back"
            ),
            ChainBreak::Checkpoint { seq, why } => {
                write!(f, "checkpoint at #{seq} cannot be trusted: {why}")
            }
        }
    }
}

/// Checks events fed in sequence order, remembering only the running link.
#[derive(Debug)]
pub struct ChainVerifier {
    tenant_id: i64,
    /// Where checking began: events up to here were deleted by retention.
    cut_seq: i64,
    next_seq: i64,
    prev_hash: String,
    /// Signed `(seq → hash)` still ahead of the walk.
    signed: BTreeMap<i64, String>,
    checkpoints_matched: usize,
    /// The last event a signed checkpoint vouched for (the cut, signed by
    /// retention, before any).
    last_signed_seq: i64,
    /// The head the tenant row records, when known.
    head_seq: Option<i64>,
}

impl ChainVerifier {
    pub fn new(tenant_id: i64) -> Self {
        ChainVerifier::resume(tenant_id, 0, GENESIS_HASH.to_string())
    }

    /// Starts after a retention cut: event `cut_seq + 1` must point at `cut_hash`.
    pub fn resume(tenant_id: i64, cut_seq: i64, cut_hash: String) -> Self {
        ChainVerifier {
            tenant_id,
            cut_seq,
            next_seq: cut_seq + 1,
            prev_hash: cut_hash,
            signed: BTreeMap::new(),
            checkpoints_matched: 0,
            last_signed_seq: cut_seq,
            head_seq: None,
        }
    }

    /// The head Logbook recorded: events past it were not appended by Logbook.
    pub fn expect_head(&mut self, head_seq: i64) {
        self.head_seq = Some(head_seq);
    }

    /// Signed heads `(seq, hash)` the chain must pass through.
    pub fn expect_signed(&mut self, heads: impl IntoIterator<Item = (i64, String)>) {
        self.signed
            .extend(heads.into_iter().filter(|(seq, _)| *seq > self.cut_seq));
    }

    /// The sequence number the next event must have.
    pub fn next_seq(&self) -> i64 {
        self.next_seq
    }

    /// Events checked so far.
    pub fn count(&self) -> i64 {
        self.next_seq - 1 - self.cut_seq
    }

    /// The last sequence number checked (or the cut, before any).
    pub fn last_seq(&self) -> i64 {
        self.next_seq - 1
    }

    /// Events removed by retention before the walk began.
    pub fn cut_seq(&self) -> i64 {
        self.cut_seq
    }

    /// Signed checkpoints the walk passed through and found matching.
    pub fn checkpoints_matched(&self) -> usize {
        self.checkpoints_matched
    }

    /// Events after the last signed checkpoint: intact as far as their
    /// hashes go, but someone able to rewrite the database could have
    /// dropped or replaced them without a signature showing it.
    pub fn unsigned_tail(&self) -> i64 {
        self.last_seq() - self.last_signed_seq
    }

    pub fn head_hash(&self) -> &str {
        &self.prev_hash
    }

    pub fn check(&mut self, event: &Event) -> Result<(), ChainBreak> {
        if event.seq != self.next_seq {
            return Err(ChainBreak::Missing {
                from_seq: self.next_seq,
                to_seq: event.seq - 1,
            });
        }
        if self.head_seq.is_some_and(|head| event.seq > head) {
            return Err(ChainBreak::Inserted {
                seq: event.seq,
                id: event.id.clone(),
            });
        }
        // The link first: an event moved to another place still hashes
        // consistently with its own fields, but points at the wrong predecessor.
        if event.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked {
                seq: event.seq,
                id: event.id.clone(),
            });
        }
        let fields = hashed_fields(event);
        let recomputed = event_hash(
            &event.prev_hash,
            self.tenant_id,
            event.seq,
            event.received_at.timestamp_micros(),
            &fields,
        );
        if recomputed != event.hash {
            return Err(ChainBreak::Changed {
                seq: event.seq,
                id: event.id.clone(),
            });
        }
        if let Some(signed) = self.signed.remove(&event.seq) {
            if signed != event.hash {
                return Err(ChainBreak::Rewritten {
                    seq: event.seq,
                    id: event.id.clone(),
                });
            }
            self.checkpoints_matched += 1;
            self.last_signed_seq = event.seq;
        }
        self.prev_hash = event.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    /// After the last event: the tenant's recorded head, and every signed
    /// checkpoint, must be within what we walked, or events were removed
    /// from the end.
    pub fn finish(&self, head_seq: i64) -> Result<(), ChainBreak> {
        let furthest = self
            .signed
            .keys()
            .next_back()
            .copied()
            .unwrap_or(0)
            .max(head_seq);
        if furthest > self.last_seq() {
            return Err(ChainBreak::Missing {
                from_seq: self.next_seq,
                to_seq: furthest,
            });
        }
        Ok(())
    }
}

/// The hashed fields of a stored event, as they were appended.
pub fn hashed_fields(event: &Event) -> NewEvent {
    NewEvent {
        id: event.id.clone(),
        occurred_at: event.occurred_at,
        actor: event.actor.clone(),
        action: event.action.clone(),
        category: event.category.clone(),
        event_type: event.event_type.clone(),
        outcome: event.outcome,
        severity: event.severity,
        resource: event.resource.clone(),
        targets: event.targets.clone(),
        ip: event.ip.clone(),
        user_agent: event.user_agent.clone(),
        request_id: event.request_id.clone(),
        before: event.before.clone(),
        after: event.after.clone(),
        description: event.description.clone(),
        metadata: event.metadata.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, ActorType, Outcome, Severity};
    use chrono::{TimeZone, Utc};

    /// A stored-looking event whose hash is consistent with `prev_hash`.
    fn sealed(seq: i64, prev_hash: &str) -> Event {
        let mut event = Event {
            id: format!("01EVENT{seq}"),
            tenant: "acme".into(),
            tenant_id: 1,
            seq,
            occurred_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, seq as u32).unwrap(),
            received_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 0).unwrap(),
            actor: Actor {
                id: "u1".into(),
                name: None,
                email: None,
                kind: ActorType::Staff,
            },
            action: "a.b".into(),
            category: "a".into(),
            event_type: "b".into(),
            outcome: Outcome::Success,
            severity: Severity::Info,
            resource: None,
            targets: vec![],
            ip: None,
            user_agent: None,
            request_id: None,
            before: None,
            after: None,
            description: format!("event {seq}"),
            metadata: None,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
            tags: vec![],
            comments: 0,
        };
        event.hash = recompute(&event);
        event
    }

    fn recompute(event: &Event) -> String {
        let fields = hashed_fields(event);
        event_hash(
            &event.prev_hash,
            1,
            event.seq,
            event.received_at.timestamp_micros(),
            &fields,
        )
    }

    #[test]
    fn a_consistent_event_pointing_at_the_wrong_predecessor_is_relinked() {
        let first = sealed(1, GENESIS_HASH);
        let forged = sealed(2, &"f".repeat(64));
        let mut verifier = ChainVerifier::new(1);
        verifier.check(&first).unwrap();
        assert_eq!(
            verifier.check(&forged),
            Err(ChainBreak::Relinked {
                seq: 2,
                id: "01EVENT2".into()
            })
        );
    }

    #[test]
    fn a_truncated_tail_is_missing_against_the_recorded_head() {
        let first = sealed(1, GENESIS_HASH);
        let mut verifier = ChainVerifier::new(1);
        verifier.check(&first).unwrap();
        assert_eq!(
            verifier.finish(3),
            Err(ChainBreak::Missing {
                from_seq: 2,
                to_seq: 3
            })
        );
        assert_eq!(verifier.finish(1), Ok(()));
    }

    #[test]
    fn a_chain_recomputed_after_a_signed_checkpoint_is_rewritten() {
        let first = sealed(1, GENESIS_HASH);
        let mut verifier = ChainVerifier::new(1);
        verifier.expect_signed([(1, "e".repeat(64))]);
        assert_eq!(
            verifier.check(&first),
            Err(ChainBreak::Rewritten {
                seq: 1,
                id: "01EVENT1".into()
            })
        );
    }

    #[test]
    fn a_walk_resumed_after_a_cut_counts_only_what_remains() {
        let first = sealed(1, GENESIS_HASH);
        let second = sealed(2, &first.hash);
        let mut verifier = ChainVerifier::resume(1, 1, first.hash.clone());
        verifier.expect_signed([(1, first.hash.clone()), (2, second.hash.clone())]);
        verifier.check(&second).unwrap();
        assert_eq!(verifier.count(), 1);
        assert_eq!(verifier.checkpoints_matched(), 1);
        assert_eq!(verifier.unsigned_tail(), 0);
    }

    #[test]
    fn the_events_after_the_last_signed_checkpoint_are_reported_as_the_unsigned_tail() {
        let first = sealed(1, GENESIS_HASH);
        let second = sealed(2, &first.hash);
        let third = sealed(3, &second.hash);
        let mut verifier = ChainVerifier::new(1);
        verifier.expect_signed([(1, first.hash.clone())]);
        for event in [&first, &second, &third] {
            verifier.check(event).unwrap();
        }
        assert_eq!(verifier.unsigned_tail(), 2);
        let mut unsigned = ChainVerifier::new(1);
        unsigned.check(&first).unwrap();
        assert_eq!(unsigned.unsigned_tail(), 1);
        assert_eq!(verifier.finish(2), Ok(()));
    }

    #[test]
    fn a_signed_checkpoint_beyond_the_last_event_means_the_tail_is_missing() {
        let first = sealed(1, GENESIS_HASH);
        let mut verifier = ChainVerifier::new(1);
        verifier.expect_signed([(3, "e".repeat(64))]);
        verifier.check(&first).unwrap();
        assert_eq!(
            verifier.finish(1),
            Err(ChainBreak::Missing {
                from_seq: 2,
                to_seq: 3
            })
        );
    }
}
