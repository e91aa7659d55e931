//! Saved views: each member's own named filters.

use crate::{
    error::AppError,
    model::{EventFilter, SavedView},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// The caller's saved views, by name.
#[server(prefix = "/api", endpoint = "views/list", input = Json)]
pub async fn list_views() -> Result<Vec<SavedView>, AppError> {
    let access = super::access::require(crate::model::Permission::ViewLogs, "read the log").await?;
    Ok(access.store.saved_views(access.member.account_id()).await?)
}

/// Saves the filter under a name (replacing a view of that name).
#[server(prefix = "/api", endpoint = "views/save", input = Json)]
pub async fn save_view(name: String, filter: EventFilter) -> Result<SavedView, AppError> {
    let access = super::access::require(crate::model::Permission::ViewLogs, "read the log").await?;
    let name = crate::model::check_view_name(&name)
        .map_err(|why| super::access::fail(AppError::BadRequest(why)))?;
    // Saved views one member may keep.
    const MAX_VIEWS: usize = 100;
    let existing = access.store.saved_views(access.member.account_id()).await?;
    if existing.len() >= MAX_VIEWS && !existing.iter().any(|v| v.name == name) {
        return Err(super::access::fail(AppError::BadRequest(format!(
            "A member keeps at most {MAX_VIEWS} saved views; delete one first."
        ))));
    }
    let params = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in filter.to_params() {
            query.append_pair(&key, &value);
        }
        query.finish()
    };
    Ok(access
        .store
        .save_view(access.member.account_id(), &name, &params)
        .await?)
}

/// Deletes one of the caller's views.
#[server(prefix = "/api", endpoint = "views/delete", input = Json)]
pub async fn delete_view(id: i64) -> Result<(), AppError> {
    let access = super::access::require(crate::model::Permission::ViewLogs, "read the log").await?;
    if access
        .store
        .delete_view(access.member.account_id(), id)
        .await?
    {
        Ok(())
    } else {
        Err(super::access::fail(AppError::NotFound))
    }
}
