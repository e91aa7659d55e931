//! The `Store` implementation both backends share. Their SQL is identical
//! (`$N` placeholders work in SQLite too); only the pool type, the migrations
//! folder and the tenant-row lock differ, so one macro writes both impls.

/// `sql_store!(Type, Database, "name", "migrations dir", "lock clause", ExportSelect, reader)`:
/// an export page is the `ExportSelect` query's text and row count, which
/// `reader` turns into the page in the same transaction (see `export_row`).
macro_rules! sql_store {
    ($store:ty, $db:ty, $name:literal, $migrations:literal, $lock:literal, $select:expr, $reader:path) => {
        impl $store {
            /// Every tenant's id when a page across tenants reads each one's
            /// indexes in turn (see `branches`), else none.
            async fn page_tenants(
                tx: &mut sqlx::Transaction<'static, $db>,
                scope: &TenantScope,
                filter: &EventFilter,
            ) -> Result<Vec<i64>, DbError> {
                if !$crate::store::branches::splits_tenants(scope, filter) {
                    return Ok(Vec::new());
                }
                Ok(sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
                    .fetch_all(&mut **tx)
                    .await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn migrate(&self) -> Result<(), DbError> {
                self.run_migrations(sqlx::migrate!($migrations)).await
            }

            async fn ping(&self) -> Result<(), DbError> {
                sqlx::query("SELECT 1").execute(&self.read).await?;
                Ok(())
            }

            fn set_read_budget(&self, budget: std::time::Duration) {
                self.budget.set(budget);
            }

            async fn purge_receipts(&self, before_us: i64) -> Result<u64, DbError> {
                let done = sqlx::query("DELETE FROM ingest_receipts WHERE created_at <= $1")
                    .bind(before_us)
                    .execute(&self.write)
                    .await?;
                Ok(done.rows_affected())
            }

            #[tracing::instrument(skip(self))]
            async fn ensure_tenant(&self, slug: &str, name: &str) -> Result<Tenant, DbError> {
                sqlx::query(
                    "INSERT INTO tenants (slug, name, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (slug) DO NOTHING",
                )
                .bind(slug)
                .bind(name)
                .bind(chrono::Utc::now().timestamp_micros())
                .execute(&self.write)
                .await?;
                self.tenant_by_slug(slug)
                    .await?
                    .ok_or_else(|| DbError::UnknownTenant(slug.to_string()))
            }

            async fn tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>, DbError> {
                Ok(sqlx::query_as::<_, TenantRow>("SELECT id, slug, name FROM tenants WHERE slug = $1")
                    .bind(slug)
                    .fetch_optional(&self.read)
                    .await?
                    .map(Tenant::from))
            }

            async fn tenant_by_id(&self, id: i64) -> Result<Option<Tenant>, DbError> {
                Ok(sqlx::query_as::<_, TenantRow>("SELECT id, slug, name FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.read)
                    .await?
                    .map(Tenant::from))
            }

            async fn list_tenants(&self, scope: &TenantScope) -> Result<Vec<Tenant>, DbError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT id, slug, name FROM tenants WHERE 1 = 1");
                scope.push_sql(&mut qb, "id");
                qb.push(" ORDER BY slug");
                let rows: Vec<TenantRow> = qb.build_query_as().fetch_all(&self.read).await?;
                Ok(rows.into_iter().map(Tenant::from).collect())
            }

            #[tracing::instrument(skip(self, key), fields(prefix = %key.prefix))]
            async fn insert_api_key(&self, key: &NewApiKey) -> Result<ApiKeyRecord, DbError> {
                Ok(sqlx::query_as(
                    "INSERT INTO api_keys (tenant_id, prefix, secret_hash, name, created_at, created_by, \
                     scopes) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, tenant_id, prefix, \
                     secret_hash, name, created_at, last_used_at, revoked_at, scopes",
                )
                .bind(key.tenant_id)
                .bind(&key.prefix)
                .bind(&key.secret_hash)
                .bind(&key.name)
                .bind(chrono::Utc::now().timestamp_micros())
                .bind(key.created_by)
                .bind(key.scopes.to_string())
                .fetch_one(&self.write)
                .await?)
            }

            async fn api_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, DbError> {
                Ok(sqlx::query_as(
                    "SELECT id, tenant_id, prefix, secret_hash, name, created_at, last_used_at, \
                     revoked_at, scopes FROM api_keys WHERE prefix = $1",
                )
                .bind(prefix)
                .fetch_optional(&self.read)
                .await?)
            }

            async fn touch_api_key(&self, id: i64, now_us: i64) -> Result<(), DbError> {
                sqlx::query(
                    "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 \
                     AND (last_used_at IS NULL OR last_used_at < $3)",
                )
                .bind(now_us)
                .bind(id)
                .bind(now_us - 60_000_000)
                .execute(&self.write)
                .await?;
                Ok(())
            }

            #[tracing::instrument(skip(self, events, receipt), fields(count = events.len()))]
            async fn append(
                &self,
                tenant_id: i64,
                events: &[NewEvent],
                receipt: Option<&Receipt>,
            ) -> Result<AppendOutcome, DbError> {
                // Scoped, so that on PostgreSQL the rollups below may read back
                // the events this transaction wrote.
                let mut tx = self.scoped_write(&TenantScope::tenant(tenant_id)).await?;
                // Lock the tenant's chain head first: concurrent appends for one
                // tenant queue here, so the chain never forks and a retried
                // idempotency key always sees the first request's receipt.
                let head: (i64, String) = sqlx::query_as(concat!(
                    "SELECT head_seq, head_hash FROM tenants WHERE id = $1",
                    $lock
                ))
                .bind(tenant_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))?;
                if let Some(r) = receipt {
                    let seen: Option<(String, String)> = sqlx::query_as(
                        "SELECT request_hash, response FROM ingest_receipts \
                         WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at > $3",
                    )
                    .bind(tenant_id)
                    .bind(&r.key)
                    .bind(chrono::Utc::now().timestamp_micros() - $crate::store::RECEIPT_LIFETIME_US)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some((hash, response)) = seen {
                        return Ok(if hash == r.request_hash {
                            AppendOutcome::Replayed(response)
                        } else {
                            AppendOutcome::KeyReused
                        });
                    }
                }
                let now = chrono::Utc::now().timestamp_micros();
                let first_seq = head.0;
                let (stamped, (seq, hash)) = query::stamp(tenant_id, head, now, events);
                for chunk in stamped.chunks(query::INSERT_CHUNK) {
                    query::insert_events::<$db>(chunk).build().execute(&mut *tx).await?;
                }
                $crate::store::rollups::count_rollups!(tx, tenant_id, first_seq, seq, 1);
                $crate::store::alerts_sql::fire_alert_rules!(tx, $db, tenant_id, first_seq, seq, now);
                sqlx::query("UPDATE tenants SET head_seq = $1, head_hash = $2 WHERE id = $3")
                    .bind(seq)
                    .bind(&hash)
                    .bind(tenant_id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(r) = receipt {
                    sqlx::query(
                        "INSERT INTO ingest_receipts (tenant_id, idempotency_key, request_hash, \
                         response, created_at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET \
                         request_hash = excluded.request_hash, response = excluded.response, \
                         created_at = excluded.created_at",
                    )
                    .bind(tenant_id)
                    .bind(&r.key)
                    .bind(&r.request_hash)
                    .bind(&r.response)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(AppendOutcome::Committed)
            }

            #[tracing::instrument(skip(self))]
            async fn fetch_events(
                &self,
                scope: &TenantScope,
                filter: &EventFilter,
                page: &PageRequest,
            ) -> Result<Vec<Event>, DbError> {
                let mut tx = self.scoped_read(scope).await?;
                let tenants = Self::page_tenants(&mut tx, scope, filter).await?;
                let rows: Vec<EventRow> = match self.text_page(&mut tx, scope, filter, page, &tenants).await? {
                    Some(rows) => rows,
                    None => query::select_events::<$db>(scope, filter, page, &tenants)
                        .build_query_as()
                        .fetch_all(&mut *tx)
                        .await?,
                };
                tx.commit().await?;
                rows.into_iter().map(Event::try_from).collect()
            }

            #[tracing::instrument(skip(self))]
            async fn get_event(&self, scope: &TenantScope, id: &str) -> Result<Option<Event>, DbError> {
                let mut tx = self.scoped_read(scope).await?;
                let row: Option<EventRow> = query::select_event::<$db>(scope, id)
                    .build_query_as()
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                row.map(Event::try_from).transpose()
            }

            #[tracing::instrument(skip(self))]
            async fn export_page(
                &self,
                scope: &TenantScope,
                filter: &EventFilter,
                older_than: Option<&Cursor>,
                limit: u32,
            ) -> Result<ExportPage, DbError> {
                let page = PageRequest {
                    older_than: older_than.cloned(),
                    newer_than: None,
                    limit,
                };
                let mut tx = self.scoped_read(scope).await?;
                let tenants = Self::page_tenants(&mut tx, scope, filter).await?;
                let (text, rows): (Option<String>, i64) =
                    query::select_export_page::<$db>($select, scope, filter, &page, i64::from(limit), &tenants)
                        .build_query_as()
                        .fetch_one(&mut *tx)
                        .await?;
                let page = $reader(&mut tx, text, rows, page.older_than).await?;
                tx.commit().await?;
                Ok(page)
            }

            async fn chain_events(
                &self,
                tenant_id: i64,
                after_seq: i64,
                limit: i64,
            ) -> Result<Vec<Event>, DbError> {
                let mut tx = self.scoped_read(&TenantScope::tenant(tenant_id)).await?;
                let rows: Vec<EventRow> = query::select_chain::<$db>(tenant_id, after_seq, limit)
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                rows.into_iter().map(Event::try_from).collect()
            }

            async fn chain_head(&self, tenant_id: i64) -> Result<(i64, String), DbError> {
                sqlx::query_as("SELECT head_seq, head_hash FROM tenants WHERE id = $1")
                    .bind(tenant_id)
                    .fetch_optional(&self.read)
                    .await?
                    .ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))
            }

            async fn recent_actors(
                &self,
                scope: &TenantScope,
                window: i64,
            ) -> Result<Vec<$crate::model::Actor>, DbError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT DISTINCT actor_id, actor_name, actor_email, actor_type FROM \
                     (SELECT e.actor_id, e.actor_name, e.actor_email, e.actor_type FROM events e \
                     WHERE 1 = 1",
                );
                scope.push_sql(&mut qb, "e.tenant_id");
                qb.push(" ORDER BY e.occurred_at DESC LIMIT ").push_bind(window);
                qb.push(") AS recent");
                let mut tx = self.scoped_read(scope).await?;
                let rows: Vec<(String, Option<String>, Option<String>, String)> =
                    qb.build_query_as().fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(id, name, email, kind)| {
                        Ok($crate::model::Actor {
                            id,
                            name,
                            email,
                            kind: kind.parse().map_err(|e: $crate::model::ParseEnumError| {
                                DbError::Corrupt(e.to_string())
                            })?,
                        })
                    })
                    .collect()
            }

            async fn has_events(&self) -> Result<bool, DbError> {
                let mut tx = self.scoped_read(&TenantScope::all_tenants()).await?;
                let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM events LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(found.is_some())
            }

            async fn refresh_statistics(&self) -> Result<(), DbError> {
                self.optimize().await
            }
        }
    };
}

pub(crate) use sql_store;

/// `tenants` as selected by the shared impl.
#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    id: i64,
    slug: String,
    name: String,
}

impl From<TenantRow> for crate::model::Tenant {
    fn from(row: TenantRow) -> Self {
        crate::model::Tenant {
            id: row.id,
            slug: row.slug,
            name: row.name,
        }
    }
}
