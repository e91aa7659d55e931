//! The embedded viewer's server functions. They answer to a viewer token,
//! never to a session: each call opens the token again and reads with the
//! token's tenant scope and pin, whatever filter the viewer sends.

use crate::{
    error::AppError,
    model::{EmbedInfo, Event, EventFilter, EventPage, PageRequest, ViewerProblem},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// What the token allows, or why it allows nothing. Each page load calls
/// it once, and it records the use in Logbook's own log.
#[server(prefix = "/api", endpoint = "embed/open", input = Json)]
pub async fn open_viewer(token: String) -> Result<Result<EmbedInfo, ViewerProblem>, AppError> {
    use crate::auth::Entry;
    let (grant, store) = match viewer::access(&token).await? {
        Ok(opened) => opened,
        Err(problem) => return Ok(Err(problem)),
    };
    let tenant = store
        .tenant_by_id(grant.tenant_id)
        .await?
        .map_or_else(|| grant.tenant.clone(), |t| t.name);
    let entry = Entry::new(
        "viewer_token.used",
        "viewed",
        format!(
            "{} opened the embedded log",
            grant.user.as_deref().unwrap_or("An unnamed viewer")
        ),
    )
    .by_viewer(&grant.tenant, grant.user.as_deref())
    .resource("viewer_token", &grant.id, grant.user.clone())
    .metadata(serde_json::json!({ "tenant": grant.tenant, "user": grant.user, "key": grant.key }));
    entry.record_or_log(&*store).await?;
    Ok(Ok(EmbedInfo {
        tenant,
        actor: grant.actor,
        resource: grant.resource,
        export: grant.export,
        expires_at: grant.expires_at,
    }))
}

/// A page of what the token allows, narrowed by the viewer's filter. No
/// notes: tags and comments are the staff's, not the platform's users'.
#[server(prefix = "/api", endpoint = "embed/events", input = Json)]
pub async fn viewer_events(
    token: String,
    filter: EventFilter,
    page: PageRequest,
) -> Result<EventPage, AppError> {
    let (grant, store) = viewer::access(&token).await?.map_err(viewer::refused)?;
    Ok(store
        .bare_page(&grant.scope(), &grant.narrow(filter), &page)
        .await?)
}

/// One event, if the token allows it.
#[server(prefix = "/api", endpoint = "embed/event", input = Json)]
pub async fn viewer_event(token: String, id: String) -> Result<Event, AppError> {
    let (grant, store) = viewer::access(&token).await?.map_err(viewer::refused)?;
    store
        .get_event_matching(&grant.scope(), &id, &grant.narrow(EventFilter::default()))
        .await?
        .ok_or(AppError::NotFound)
}

#[cfg(feature = "ssr")]
pub(crate) mod viewer {
    use crate::{
        auth::{ViewerError, ViewerGrant},
        error::AppError,
        model::ViewerProblem,
        store::Store,
    };
    use std::sync::Arc;

    /// The token's grant and the store, or why the token opens nothing: not
    /// this server's, expired, or made by a key revoked since.
    pub(crate) async fn access(
        token: &str,
    ) -> Result<Result<(ViewerGrant, Arc<dyn Store>), ViewerProblem>, AppError> {
        let sealer = super::super::access::sealer()?;
        let store = super::super::access::store()?;
        let grant = match ViewerGrant::open(&sealer, token, chrono::Utc::now().timestamp()) {
            Ok(grant) => grant,
            Err(ViewerError::Invalid) => return Ok(Err(ViewerProblem::Invalid)),
            Err(ViewerError::Expired) => return Ok(Err(ViewerProblem::Expired)),
        };
        if !grant.key_is_live(&*store).await? {
            return Ok(Err(ViewerProblem::Revoked));
        }
        Ok(Ok((grant, store)))
    }

    pub(crate) fn refused(problem: ViewerProblem) -> AppError {
        super::super::access::fail(AppError::Forbidden(match problem {
            ViewerProblem::Invalid => ViewerError::Invalid.to_string(),
            ViewerProblem::Expired => ViewerError::Expired.to_string(),
            ViewerProblem::Revoked => {
                "this viewer link was withdrawn: ask the site that showed it".into()
            }
        }))
    }
}
