//! Proofs that travel with a JSON or NDJSON export. After the events, the file
//! carries a checkpoint signed at export time and, for every event of the
//! chain between the oldest exported one and that checkpoint which the
//! filter left out, its digest. With the public key alone, `verify_file`
//! then recomputes every exported event's hash and every link up to the
//! signed head: a changed byte, a dropped line or a forged event shows.

use crate::{
    model::{Event, Tenant},
    store::{
        event_digest, hashed_fields, link_hash, reason, CheckpointError, DbError, NewCheckpoint,
        PublicKey, Signer, Store,
    },
};
use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeMap, HashSet},
    io::BufRead,
};

/// A line of the proof, told apart from event lines by its `proof` key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "proof", rename_all = "snake_case")]
enum ProofLine {
    /// First line of the file: whose chain the events belong to.
    Begin {
        tenant_id: i64,
        tenant: String,
    },
    Checkpoint(NewCheckpoint),
    /// An event of the chain that is not in the file, by its digest.
    Link {
        seq: i64,
        digest: String,
    },
}

/// Collects the exported events' places in the chain while the export runs.
#[derive(Debug)]
pub struct ProofBuilder {
    tenant: Tenant,
    exported: Vec<i64>,
}

impl ProofBuilder {
    pub fn new(tenant: Tenant) -> Self {
        ProofBuilder {
            tenant,
            exported: Vec::new(),
        }
    }

    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }

    pub fn saw(&mut self, seq: i64) {
        self.exported.push(seq);
    }

    /// The line that opens the file, before any event.
    pub fn begin_line(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let begin = ProofLine::Begin {
            tenant_id: self.tenant.id,
            tenant: self.tenant.slug.clone(),
        };
        push_line(&mut out, &begin);
        out
    }

    /// Signs the tenant's head now (at or after every exported event) and
    /// returns the proof, to be written a page at a time.
    pub async fn seal(mut self, store: &dyn Store, signer: &Signer) -> Result<ProofLines, DbError> {
        let head = store.chain_head(self.tenant.id).await?;
        let now = chrono::Utc::now().timestamp_micros();
        let cp = signer.sign(self.tenant.id, &self.tenant.slug, head, now, reason::EXPORT);
        store.insert_checkpoint(&cp, None).await?;
        self.exported.sort_unstable();
        let start = self.exported.first().copied().unwrap_or(cp.seq + 1);
        Ok(ProofLines {
            tenant_id: self.tenant.id,
            end: cp.seq,
            after: start - 1,
            exported: self.exported.into_iter().collect(),
            checkpoint: Some(cp),
        })
    }
}

/// The proof's lines: the checkpoint, then the digests of left-out events.
pub struct ProofLines {
    tenant_id: i64,
    exported: HashSet<i64>,
    after: i64,
    end: i64,
    checkpoint: Option<NewCheckpoint>,
}

impl ProofLines {
    /// The next chunk of lines, or `None` when the proof is complete.
    pub async fn next(&mut self, store: &dyn Store) -> Result<Option<Vec<u8>>, DbError> {
        let mut out = Vec::new();
        if let Some(cp) = self.checkpoint.take() {
            push_line(&mut out, &ProofLine::Checkpoint(cp));
            return Ok(Some(out));
        }
        if self.after >= self.end {
            return Ok(None);
        }
        let page = store
            .chain_events(self.tenant_id, self.after, 2_000)
            .await?;
        let Some(last) = page.last() else {
            return Err(DbError::Corrupt(format!(
                "the chain ends at #{} before its head #{}",
                self.after, self.end
            )));
        };
        self.after = last.seq.min(self.end);
        for event in page.iter().filter(|e| e.seq <= self.end) {
            if !self.exported.contains(&event.seq) {
                let digest = digest_of(self.tenant_id, event);
                push_line(
                    &mut out,
                    &ProofLine::Link {
                        seq: event.seq,
                        digest,
                    },
                );
            }
        }
        Ok(Some(out))
    }
}

fn push_line(out: &mut Vec<u8>, line: &ProofLine) {
    // Serialising these plain structs cannot fail.
    if let Ok(text) = serde_json::to_vec(line) {
        out.extend_from_slice(&text);
        out.push(b'\n');
    }
}

fn digest_of(tenant_id: i64, event: &Event) -> String {
    let fields = hashed_fields(event);
    event_digest(
        tenant_id,
        event.seq,
        event.received_at.timestamp_micros(),
        &fields,
    )
}

/// What an intact file proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    pub tenant: String,
    /// Events in the file, each found in the signed chain unchanged.
    pub events: usize,
    /// Events of the chain the file left out, vouched for by digest.
    pub omitted: usize,
    pub checkpoint_seq: i64,
    pub head_hash: String,
    pub signed_us: i64,
}

/// Why a file does not verify; names the line or event.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("line {line}: {why}")]
    Unreadable { line: usize, why: String },
    #[error(
        "the file carries no proof: export JSON or NDJSON with a proof (`proof=1`) for one tenant"
    )]
    NoCheckpoint,
    #[error("the file carries more than one checkpoint (lines {0} and {1})")]
    TwoCheckpoints(usize, usize),
    #[error("{0}")]
    Signature(#[from] CheckpointError),
    #[error("line {line}: event {id} belongs to tenant '{found}', the checkpoint to '{expected}'")]
    OtherTenant {
        line: usize,
        id: String,
        found: String,
        expected: String,
    },
    #[error("event #{seq} of the chain is neither in the file nor vouched for by a digest: it was removed")]
    Missing { seq: i64 },
    #[error("event #{seq} ({id}) was changed: its fields no longer match its hash")]
    Changed { seq: i64, id: String },
    #[error(
        "event #{seq} ({id}) does not follow the event before it (reordered, inserted or replaced)"
    )]
    Relinked { seq: i64, id: String },
    #[error("event #{seq} ({id}) is newer than the signed checkpoint (#{head})")]
    AfterCheckpoint { seq: i64, id: String, head: i64 },
    #[error("the chain in the file does not end at the signed head #{seq}: a digest or hash was changed")]
    HeadMismatch { seq: i64 },
}

struct Entry {
    line: usize,
    id: Option<String>,
    digest: String,
    prev_hash: Option<String>,
    hash: Option<String>,
}

/// Checks a JSON or NDJSON export with its proof, offline, against `key`.
/// Holds only hashes in memory, never the events themselves. A JSON export
/// is read as Logbook writes it: `[`, one element per line, `]`.
pub fn verify_file(input: impl BufRead, key: &PublicKey) -> Result<FileReport, ProofError> {
    let mut owner: Option<(i64, String)> = None;
    let mut checkpoint: Option<(usize, NewCheckpoint)> = None;
    let mut chain: BTreeMap<i64, Entry> = BTreeMap::new();
    let mut event_count = 0;
    let mut json_array = false;
    for (index, line) in input.lines().enumerate() {
        let (number, line) = (index + 1, line?);
        let mut line = line.trim();
        if line.is_empty() {
            continue;
        }
        if chain.is_empty() && owner.is_none() && line == "[" {
            json_array = true;
            continue;
        }
        if json_array {
            if line == "]" {
                continue;
            }
            line = line.strip_suffix(',').unwrap_or(line);
        }
        let bad = |why: String| ProofError::Unreadable { line: number, why };
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let (seq, entry) = if value.get("proof").is_none() {
            let event: Event = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            let Some((tenant_id, tenant)) = &owner else {
                return Err(ProofError::NoCheckpoint);
            };
            if &event.tenant != tenant {
                return Err(ProofError::OtherTenant {
                    line: number,
                    id: event.id,
                    found: event.tenant,
                    expected: tenant.clone(),
                });
            }
            event_count += 1;
            let entry = Entry {
                line: number,
                digest: digest_of(*tenant_id, &event),
                id: Some(event.id),
                prev_hash: Some(event.prev_hash),
                hash: Some(event.hash),
            };
            (event.seq, entry)
        } else {
            match serde_json::from_value(value).map_err(|e| bad(e.to_string()))? {
                ProofLine::Begin { tenant_id, tenant } => {
                    owner = Some((tenant_id, tenant));
                    continue;
                }
                ProofLine::Checkpoint(cp) => {
                    if let Some((first, _)) = &checkpoint {
                        return Err(ProofError::TwoCheckpoints(*first, number));
                    }
                    checkpoint = Some((number, cp));
                    continue;
                }
                ProofLine::Link { seq, digest } => {
                    let entry = Entry {
                        line: number,
                        id: None,
                        digest,
                        prev_hash: None,
                        hash: None,
                    };
                    (seq, entry)
                }
            }
        };
        if let Some(old) = chain.insert(seq, entry) {
            return Err(bad(format!(
                "#{seq} appears twice (also line {})",
                old.line
            )));
        }
    }
    let (_, cp) = checkpoint.ok_or(ProofError::NoCheckpoint)?;
    key.verify(&cp)?;
    if let Some((tenant_id, tenant)) = owner {
        if tenant_id != cp.tenant_id || tenant != cp.tenant {
            return Err(ProofError::OtherTenant {
                line: 1,
                id: "the file".into(),
                found: tenant,
                expected: cp.tenant.clone(),
            });
        }
    }
    if let Some((seq, entry)) = chain.iter().rev().find(|(_, e)| e.id.is_some()) {
        if *seq > cp.seq {
            return Err(ProofError::AfterCheckpoint {
                seq: *seq,
                id: entry.id.clone().unwrap_or_default(),
                head: cp.seq,
            });
        }
    }
    walk(&chain, &cp)?;
    Ok(FileReport {
        tenant: cp.tenant.clone(),
        events: event_count,
        omitted: chain.len() - event_count,
        checkpoint_seq: cp.seq,
        head_hash: cp.hash.clone(),
        signed_us: cp.signed_us,
    })
}

/// Recomputes the chain from the oldest event in the file up to the head.
fn walk(chain: &BTreeMap<i64, Entry>, cp: &NewCheckpoint) -> Result<(), ProofError> {
    // The walk starts from the oldest event the file holds; digests before it prove nothing.
    let Some((&first, _)) = chain.iter().find(|(_, e)| e.prev_hash.is_some()) else {
        return Ok(());
    };
    let mut running = chain[&first].prev_hash.clone().unwrap_or_default();
    for seq in first..=cp.seq {
        let entry = chain.get(&seq).ok_or(ProofError::Missing { seq })?;
        let next = link_hash(&running, &entry.digest);
        if let (Some(id), Some(prev), Some(hash)) = (&entry.id, &entry.prev_hash, &entry.hash) {
            if &next != hash {
                let id = id.clone();
                return Err(if &link_hash(prev, &entry.digest) != hash {
                    ProofError::Changed { seq, id }
                } else {
                    ProofError::Relinked { seq, id }
                });
            }
        }
        running = next;
    }
    if running != cp.hash {
        return Err(ProofError::HeadMismatch { seq: cp.seq });
    }
    Ok(())
}
