//! Walking a tenant's hash chain: recompute every hash, check every link.

use super::{chain::event_hash, records::NewEvent, GENESIS_HASH};
use crate::model::Event;
use serde::{Deserialize, Serialize};

/// The first thing wrong with a chain, in the order events are checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainBreak {
    /// The stored fields no longer produce the stored hash.
    Changed { seq: i64, id: String },
    /// Sequence numbers jump: the events in between are gone.
    Missing { from_seq: i64, to_seq: i64 },
    /// The event does not point at the hash of the event before it.
    Relinked { seq: i64, id: String },
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
        }
    }
}

/// Checks events fed in sequence order, remembering only the running link.
#[derive(Debug)]
pub struct ChainVerifier {
    tenant_id: i64,
    next_seq: i64,
    prev_hash: String,
}

impl ChainVerifier {
    pub fn new(tenant_id: i64) -> Self {
        ChainVerifier {
            tenant_id,
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }

    /// Events checked so far.
    pub fn count(&self) -> i64 {
        self.next_seq - 1
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
        let fields = fields_of(event);
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
        if event.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked {
                seq: event.seq,
                id: event.id.clone(),
            });
        }
        self.prev_hash = event.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    /// After the last event: the tenant's recorded head must be where we stopped,
    /// or events were removed from the end.
    pub fn finish(&self, head_seq: i64) -> Result<(), ChainBreak> {
        if head_seq > self.count() {
            return Err(ChainBreak::Missing {
                from_seq: self.next_seq,
                to_seq: head_seq,
            });
        }
        Ok(())
    }
}

/// The hashed fields of a stored event, as they were appended.
fn fields_of(event: &Event) -> NewEvent {
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
        };
        event.hash = recompute(&event);
        event
    }

    fn recompute(event: &Event) -> String {
        let fields = fields_of(event);
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
}
