//! The storage trait both backends implement, and choosing one from a URL.

use crate::model::{Cursor, Event, EventFilter, EventPage, PageRequest, Tenant};
use crate::store::{
    accounts::AccountStore,
    alerts::AlertStore,
    backend::{Backend, PgOptions, PgStore, SqliteStore},
    chain::{reason, ChainBreak, ChainVerifier, IntegrityStore, PublicKey},
    error::DbError,
    events::{self, ApiKeyRecord, AppendOutcome, ExportPage, NewApiKey, NewEvent, Receipt},
    leases::LeaseStore,
    notes::NoteStore,
    partitions::PartitionStore,
    scope::TenantScope,
    sql::{Scalar, Sql},
    tallies::TallyStore,
    tenants,
    views::ViewStore,
};
use async_trait::async_trait;
use std::sync::Arc;

/// Everything Logbook persists. Reads take a `TenantScope`; events are only
/// ever appended, never updated.
#[async_trait]
pub trait Store:
    AccountStore
    + AlertStore
    + IntegrityStore
    + LeaseStore
    + NoteStore
    + PartitionStore
    + TallyStore
    + ViewStore
    + Send
    + Sync
    + 'static
{
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations; an error here must stop the server.
    async fn migrate(&self) -> Result<(), DbError>;

    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<(), DbError>;

    /// Why appends are refused at the moment (a full disk, the database
    /// gone), until a commit succeeds again.
    fn write_fault(&self) -> Option<events::WriteFault>;

    /// What the database's set-up lacks for reads to be fast, each as a
    /// sentence for the operator; empty when nothing.
    async fn set_up_warnings(&self) -> Result<Vec<&'static str>, DbError>;

    /// How long one read may run before the database stops it.
    fn set_read_budget(&self, budget: std::time::Duration);

    /// Deletes idempotency receipts made at or before `before_us`; a key
    /// older than `RECEIPT_LIFETIME_US` no longer deduplicates anyway.
    async fn purge_receipts(&self, before_us: i64) -> Result<u64, DbError>;

    /// Returns the tenant with this slug, creating it if needed.
    async fn ensure_tenant(&self, slug: &str, name: &str) -> Result<Tenant, DbError>;

    async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>, DbError>;

    async fn tenant_by_id(&self, id: i64) -> Result<Option<Tenant>, DbError>;

    /// Tenants visible in the scope, by slug.
    async fn list_tenants(&self, scope: &TenantScope) -> Result<Vec<Tenant>, DbError>;

    async fn insert_api_key(&self, key: &NewApiKey) -> Result<ApiKeyRecord, DbError>;

    async fn api_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, DbError>;

    /// Records use of a key, at most once a minute per key.
    async fn touch_api_key(&self, id: i64, now_us: i64) -> Result<(), DbError>;

    /// The origins allowed to frame the tenant's embedded viewer.
    async fn embed_origins(&self, tenant_id: i64) -> Result<Vec<String>, DbError>;

    async fn set_embed_origins(&self, tenant_id: i64, origins: &[String]) -> Result<(), DbError>;

    /// Appends events to a tenant's chain in one durable transaction, together
    /// with the idempotency receipt when there is one. Returns only after commit.
    async fn append(
        &self,
        tenant_id: i64,
        events: &[NewEvent],
        receipt: Option<&Receipt>,
    ) -> Result<AppendOutcome, DbError>;

    /// Raw keyset read: up to `limit + 1` rows in the order the request implies.
    async fn fetch_events(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<Vec<Event>, DbError>;

    async fn get_event(&self, scope: &TenantScope, id: &str) -> Result<Option<Event>, DbError>;

    /// One event, if it also matches `filter` (a viewer's pinned filter).
    async fn get_event_matching(
        &self,
        scope: &TenantScope,
        id: &str,
        filter: &EventFilter,
    ) -> Result<Option<Event>, DbError>;

    /// Up to `limit` events for export, newest first, older than the cursor.
    async fn export_page(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
        older_than: Option<&Cursor>,
        limit: u32,
    ) -> Result<ExportPage, DbError>;

    /// Up to `limit` events of one tenant with `seq > after_seq`, in chain order.
    async fn chain_events(
        &self,
        tenant_id: i64,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Event>, DbError>;

    /// The tenant's recorded chain head `(seq, hash)`.
    async fn chain_head(&self, tenant_id: i64) -> Result<(i64, String), DbError>;

    /// Walks what retention left of a tenant's chain, in pages, checking every
    /// link and every signed checkpoint (which must be signed by `trusted`);
    /// `Ok(Err(..))` names the first break.
    async fn verify_chain(
        &self,
        tenant_id: i64,
        trusted: &PublicKey,
    ) -> Result<Result<ChainVerifier, ChainBreak>, DbError> {
        let (head_seq, _) = self.chain_head(tenant_id).await?;
        let (cut_seq, cut_hash) = self.retention_cut(tenant_id).await?;
        let checkpoints = self.checkpoints(tenant_id, None).await?;
        for cp in &checkpoints {
            if let Err(why) = trusted.verify(&cp.checkpoint) {
                return Ok(Err(ChainBreak::Checkpoint {
                    seq: cp.checkpoint.seq,
                    why: why.to_string(),
                }));
            }
        }
        let cut_is_signed = checkpoints.iter().any(|cp| {
            let cp = &cp.checkpoint;
            cp.reason == reason::RETENTION && cp.seq == cut_seq && cp.hash == cut_hash
        });
        if cut_seq > 0 && !cut_is_signed {
            return Ok(Err(ChainBreak::Checkpoint {
                seq: cut_seq,
                why: "the retention cut has no signed checkpoint behind it".into(),
            }));
        }
        let mut verifier = ChainVerifier::resume(tenant_id, cut_seq, cut_hash);
        verifier.expect_head(head_seq);
        verifier.expect_signed(
            checkpoints
                .into_iter()
                .map(|cp| (cp.checkpoint.seq, cp.checkpoint.hash)),
        );
        loop {
            let page = self
                .chain_events(tenant_id, verifier.last_seq(), 2_000)
                .await?;
            if page.is_empty() {
                break;
            }
            for event in &page {
                if let Err(broken) = verifier.check(event) {
                    return Ok(Err(broken));
                }
            }
        }
        Ok(verifier.finish(head_seq).map(|()| verifier))
    }

    /// The distinct actors of the newest `window` events in the scope: who is
    /// active now, for the actor filter's suggestions (bounded work, and
    /// nothing outlives retention).
    async fn recent_actors(
        &self,
        scope: &TenantScope,
        window: i64,
    ) -> Result<Vec<crate::model::Actor>, DbError>;

    /// Whether any event exists at all (used to seed demo data only once).
    async fn has_events(&self) -> Result<bool, DbError>;

    /// Brings the query planner's statistics up to date where the data has
    /// moved enough to matter (run hourly while serving).
    async fn refresh_statistics(&self) -> Result<(), DbError>;

    /// One page of events, newest first, with neighbour cursors, each with
    /// its tags and comment count.
    async fn list_events(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<EventPage, DbError> {
        let mut page = self.bare_page(scope, filter, page).await?;
        let ids: Vec<String> = page.events.iter().map(|e| e.id.clone()).collect();
        let mut notes = self.note_summaries(scope, &ids).await?;
        for event in &mut page.events {
            if let Some(summary) = notes.remove(&event.id) {
                event.tags = summary.tags;
                event.comments = summary.comments;
            }
        }
        Ok(page)
    }

    /// `list_events` without the notes.
    async fn bare_page(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<EventPage, DbError> {
        let limit = events::query::page_limit(page) as usize;
        let mut rows = self.fetch_events(scope, filter, page).await?;
        if page.older_than.is_none() && page.newer_than.is_some() {
            // Going back: if we reached the top, show a full first page instead
            // of a short one, so "previous" always lands on a whole page.
            if rows.len() <= limit {
                let first = PageRequest::first(page.limit);
                return self.bare_page(scope, filter, &first).await;
            }
            rows.truncate(limit);
            rows.reverse();
            return Ok(EventPage {
                older: rows.last().map(Cursor::of),
                newer: rows.first().map(Cursor::of),
                events: rows,
            });
        }
        let has_older = rows.len() > limit;
        rows.truncate(limit);
        Ok(EventPage {
            older: if has_older {
                rows.last().map(Cursor::of)
            } else {
                None
            },
            newer: if page.older_than.is_some() {
                rows.first().map(Cursor::of)
            } else {
                None
            },
            events: rows,
        })
    }
}

/// Opens the database named by `url` (`sqlite:…` or `postgres://…`).
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, DbError> {
    connect_with(url, PgOptions::default()).await
}

/// Opens the database named by `url`, laid out on PostgreSQL as `pg` says.
pub async fn connect_with(url: &str, pg: PgOptions) -> Result<Arc<dyn Store>, DbError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect_with(url, pg).await?))
    } else {
        Err(DbError::UnsupportedUrl(url.to_string()))
    }
}

/// Every backend is a `Store`: each method is a plain function in the
/// folder of its capability, over the backend contract.
#[async_trait]
impl<B: Backend> Store for B {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn migrate(&self) -> Result<(), DbError> {
        Backend::migrate(self).await
    }

    async fn ping(&self) -> Result<(), DbError> {
        Sql::new("SELECT 1").execute(self.read()).await?;
        Ok(())
    }

    fn write_fault(&self) -> Option<events::WriteFault> {
        self.committer().fault()
    }

    async fn set_up_warnings(&self) -> Result<Vec<&'static str>, DbError> {
        let mut warnings = Vec::new();
        for (check, warning) in B::SET_UP_CHECKS {
            let fine: bool = Scalar::new(*check).fetch_one(self.read()).await?;
            if !fine {
                warnings.push(*warning);
            }
        }
        Ok(warnings)
    }

    fn set_read_budget(&self, budget: std::time::Duration) {
        self.budget().set(budget);
    }

    async fn purge_receipts(&self, before_us: i64) -> Result<u64, DbError> {
        tenants::purge_receipts(self, before_us).await
    }

    async fn ensure_tenant(&self, slug: &str, name: &str) -> Result<Tenant, DbError> {
        tenants::ensure_tenant(self, slug, name).await
    }

    async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>, DbError> {
        tenants::tenant_by_slug(self, slug).await
    }

    async fn tenant_by_id(&self, id: i64) -> Result<Option<Tenant>, DbError> {
        tenants::tenant_by_id(self, id).await
    }

    async fn list_tenants(&self, scope: &TenantScope) -> Result<Vec<Tenant>, DbError> {
        tenants::list_tenants(self, scope).await
    }

    async fn insert_api_key(&self, key: &NewApiKey) -> Result<ApiKeyRecord, DbError> {
        tenants::insert_api_key(self, key).await
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, DbError> {
        tenants::api_key_by_prefix(self, prefix).await
    }

    async fn touch_api_key(&self, id: i64, now_us: i64) -> Result<(), DbError> {
        tenants::touch_api_key(self, id, now_us).await
    }

    async fn embed_origins(&self, tenant_id: i64) -> Result<Vec<String>, DbError> {
        tenants::embed_origins(self, tenant_id).await
    }

    async fn set_embed_origins(&self, tenant_id: i64, origins: &[String]) -> Result<(), DbError> {
        tenants::set_embed_origins(self, tenant_id, origins).await
    }

    async fn append(
        &self,
        tenant_id: i64,
        events: &[NewEvent],
        receipt: Option<&Receipt>,
    ) -> Result<AppendOutcome, DbError> {
        events::append::append(self, tenant_id, events, receipt).await
    }

    async fn fetch_events(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
    ) -> Result<Vec<Event>, DbError> {
        events::read::fetch_events(self, scope, filter, page).await
    }

    async fn get_event(&self, scope: &TenantScope, id: &str) -> Result<Option<Event>, DbError> {
        events::read::get_event(self, scope, id, &EventFilter::default()).await
    }

    async fn get_event_matching(
        &self,
        scope: &TenantScope,
        id: &str,
        filter: &EventFilter,
    ) -> Result<Option<Event>, DbError> {
        events::read::get_event(self, scope, id, filter).await
    }

    async fn export_page(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
        older_than: Option<&Cursor>,
        limit: u32,
    ) -> Result<ExportPage, DbError> {
        events::read::export_page(self, scope, filter, older_than, limit).await
    }

    async fn chain_events(
        &self,
        tenant_id: i64,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<Event>, DbError> {
        events::read::chain_events(self, tenant_id, after_seq, limit).await
    }

    async fn chain_head(&self, tenant_id: i64) -> Result<(i64, String), DbError> {
        events::read::chain_head(self, tenant_id).await
    }

    async fn recent_actors(
        &self,
        scope: &TenantScope,
        window: i64,
    ) -> Result<Vec<crate::model::Actor>, DbError> {
        events::read::recent_actors(self, scope, window).await
    }

    async fn has_events(&self) -> Result<bool, DbError> {
        events::read::has_events(self).await
    }

    async fn refresh_statistics(&self) -> Result<(), DbError> {
        Backend::refresh_statistics(self).await
    }
}
