//! Who is calling: every server function starts here. A caller's tenant scope
//! is only ever built from the member the session resolved to.

use crate::{
    auth::{ClientInfo, Entry, RequestAuth},
    error::AppError,
    model::Permission,
    store::{Member, Store, TenantScope},
};
use leptos::prelude::*;
use std::sync::Arc;

/// The store, as handed to server functions through Leptos context.
#[derive(Clone)]
pub struct Db(pub Arc<dyn Store>);

pub(super) fn store() -> Result<Arc<dyn Store>, AppError> {
    use_context::<Db>().map(|db| db.0).ok_or_else(|| {
        tracing::error!("server function called without the store in context");
        AppError::Internal("no-store".into())
    })
}

/// The server's checkpoint signing key.
pub(super) fn keys() -> Result<crate::integrity::Keys, AppError> {
    use_context::<crate::integrity::Keys>().ok_or_else(|| {
        tracing::error!("server function called without the signing key in context");
        AppError::Internal("no-keys".into())
    })
}

/// The deployment's retention defaults, as the server was configured.
pub(super) fn retention_policy() -> Result<crate::integrity::RetentionPolicy, AppError> {
    use_context::<crate::integrity::RetentionPolicy>().ok_or_else(|| {
        tracing::error!("server function called without the retention policy in context");
        AppError::Internal("no-retention".into())
    })
}

/// Where alert destinations may point, as the server was configured; a
/// router that did not say refuses private addresses.
pub(super) fn target_policy() -> crate::guard::TargetPolicy {
    use_context::<crate::guard::TargetPolicy>().unwrap_or_default()
}

/// Seals and opens secrets stored in the database.
pub(super) fn sealer() -> Result<crate::auth::Sealer, AppError> {
    use_context::<crate::auth::Sealer>().ok_or_else(|| {
        tracing::error!("server function called without the secrets key in context");
        AppError::Internal("no-sealer".into())
    })
}

/// A stored secret, opened; one that does not open is our failure.
pub(super) fn open_secret(sealer: &crate::auth::Sealer, stored: &str) -> Result<String, AppError> {
    sealer.open(stored).map_err(|err| {
        let reference = ulid::Ulid::new().to_string();
        tracing::error!(%reference, error = %err, "stored secret does not open");
        AppError::Internal(reference)
    })
}

/// The server's shared rate limiters.
pub(super) fn limiters() -> Result<crate::guard::Limiters, AppError> {
    use_context::<crate::guard::Limiters>().ok_or_else(|| {
        tracing::error!("server function called without the limiters in context");
        AppError::Internal("no-limiters".into())
    })
}

/// The request's session as the server's middleware resolved it; anonymous
/// when there is none (a router without the middleware grants nothing).
pub(super) fn request_auth() -> RequestAuth {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
        .unwrap_or_default()
}

/// Sets the HTTP status of a server function's response to match the error,
/// then returns it. A page rendering on the server keeps its own status: the
/// page shows the error instead.
pub(super) fn fail(err: AppError) -> AppError {
    let server_fn_call = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if let (true, Some(options)) = (
        server_fn_call,
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(status) = http::StatusCode::from_u16(err.status()) {
            options.set_status(status);
        }
    }
    err
}

/// A signed-in caller allowed to do what they asked.
pub(super) struct Access {
    pub store: Arc<dyn Store>,
    pub member: Member,
    pub client: ClientInfo,
}

impl Access {
    /// The tenants this caller may read.
    pub(super) fn scope(&self) -> TenantScope {
        self.member.scope()
    }

    /// The tenant with this slug if the caller may see it; 404 otherwise,
    /// so a partner cannot learn which other tenants exist.
    pub(super) async fn visible_tenant(
        &self,
        slug: &str,
    ) -> Result<crate::model::Tenant, AppError> {
        self.store
            .list_tenants(&self.scope())
            .await?
            .into_iter()
            .find(|t| t.slug == slug)
            .ok_or_else(|| fail(AppError::NotFound))
    }

    /// Records an entry in Logbook's own log as this caller, from this
    /// client (in the server's log while the storage refuses writes).
    pub(super) async fn log(&self, entry: Entry) -> Result<(), AppError> {
        Ok(entry
            .by(&self.member)
            .from_client(&self.client)
            .record_or_log(&*self.store)
            .await?)
    }
}

/// Any signed-in member, whatever their role.
pub(super) async fn signed_in() -> Result<Access, AppError> {
    let store = store()?;
    let auth = request_auth();
    match auth.member() {
        Some(member) => Ok(Access {
            member: member.clone(),
            client: auth.client,
            store,
        }),
        None => Err(fail(AppError::Unauthorized)),
    }
}

/// A signed-in member who chose their own password: one an admin set
/// (a reset) lets its holder do nothing but replace it, on the Account page.
pub(super) async fn own_password() -> Result<Access, AppError> {
    let access = signed_in().await?;
    if access.member.password_temporary() {
        return Err(fail(AppError::Forbidden(
            "Your password was reset by an administrator: choose your own on the Account page first."
                .into(),
        )));
    }
    Ok(access)
}

/// A signed-in member holding `permission`; a refusal is logged.
pub(super) async fn require(permission: Permission, what: &str) -> Result<Access, AppError> {
    let access = own_password().await?;
    if access.member.can(permission) {
        return Ok(access);
    }
    Err(access.deny(what, permission.label()).await)
}

/// A signed-in admin; a refusal is logged.
pub(super) async fn require_admin(what: &str) -> Result<Access, AppError> {
    let access = own_password().await?;
    if access.member.role() == crate::model::Role::Admin {
        return Ok(access);
    }
    Err(access.deny(what, "admin role").await)
}

impl Access {
    /// Logs an `access.denied` entry and returns the 403 to answer with.
    pub(super) async fn deny(&self, what: &str, needed: &str) -> AppError {
        if let Err(err) = self.log(Entry::denied(what, needed)).await {
            return fail(err);
        }
        fail(AppError::Forbidden(format!(
            "Your account ({}) may not {what}.",
            self.member.role().label()
        )))
    }
}
