//! PostgreSQL, for scale: several stateless app servers may share one database.

use super::{
    backend::{sql_store, TenantRow},
    error::DbError,
    query,
    records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt},
    row::EventRow,
    scope::TenantScope,
};
use crate::model::{Event, EventFilter, PageRequest, Tenant};
use sqlx::{postgres::PgPoolOptions, PgPool};

#[derive(Clone, Debug)]
pub struct PgStore {
    read: PgPool,
    write: PgPool,
}

impl PgStore {
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        Ok(PgStore {
            read: pool.clone(),
            write: pool,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.write
    }
}

// Several servers may append for one tenant at once: lock its chain head row.
sql_store!(
    PgStore,
    sqlx::Postgres,
    "postgres",
    "../migrations/postgres",
    " FOR UPDATE"
);
