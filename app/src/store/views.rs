//! Saved views: a member's named filters, kept as the log URL's parameters.

use crate::model::SavedView;
use crate::store::{
    backend::Backend,
    error::DbError,
    sql::{Scalar, Sql},
};
use async_trait::async_trait;

#[async_trait]
pub trait ViewStore {
    /// The member's views, by name.
    async fn saved_views(&self, account_id: i64) -> Result<Vec<SavedView>, DbError>;

    /// Saves `params` under `name`, replacing a view of that name.
    async fn save_view(
        &self,
        account_id: i64,
        name: &str,
        params: &str,
    ) -> Result<SavedView, DbError>;

    /// Deletes one of the member's views; false if they have none with that id.
    async fn delete_view(&self, account_id: i64, id: i64) -> Result<bool, DbError>;
}

#[async_trait]
impl<B: Backend> ViewStore for B {
    async fn saved_views(&self, account_id: i64) -> Result<Vec<crate::model::SavedView>, DbError> {
        let rows: Vec<(i64, String, String)> = Sql::new(
            "SELECT id, name, params FROM saved_views WHERE account_id = $1 ORDER BY name",
        )
        .bind(account_id)
        .fetch_all(self.read())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, params)| crate::model::SavedView { id, name, params })
            .collect())
    }

    async fn save_view(
        &self,
        account_id: i64,
        name: &str,
        params: &str,
    ) -> Result<crate::model::SavedView, DbError> {
        let id: i64 = Scalar::new(
            "INSERT INTO saved_views (account_id, name, params, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, name) \
                     DO UPDATE SET params = excluded.params RETURNING id",
        )
        .bind(account_id)
        .bind(name)
        .bind(params)
        .bind(chrono::Utc::now().timestamp_micros())
        .fetch_one(self.write())
        .await?;
        Ok(crate::model::SavedView {
            id,
            name: name.to_string(),
            params: params.to_string(),
        })
    }

    async fn delete_view(&self, account_id: i64, id: i64) -> Result<bool, DbError> {
        let done = Sql::new("DELETE FROM saved_views WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .execute(self.write())
            .await?;
        Ok(done > 0)
    }
}
