//! The ingest handler: authenticate, parse, validate per event, append, answer.

use super::{
    validate, validate::without_values, IncomingEvent, IngestError, IngestResponse, ItemResult,
    Rules,
};
use crate::{http::AppState, keys};
use app::{
    model::{KeyScope, TenantSettings},
    store::{ApiKeyRecord, AppendOutcome, DbError, Receipt, Store, TenantScope},
};
use axum::{
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub async fn ingest_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, IngestError> {
    // The key first: without one, not a byte of the body is read.
    let (settings, _) = authenticate(state.store.as_ref(), &headers, KeyScope::Ingest).await?;
    // The tenant's own words are read with the tenant on every request, so a
    // change applies to the very next ingest.
    let rules = Rules {
        redactor: match settings.redaction_words.as_slice() {
            [] => state.redactor.as_ref().clone(),
            words => state.redactor.extended(words),
        },
        earliest: state.limits.earliest_event,
    };
    let tenant = settings.tenant;
    let limit = state.limits.max_body_bytes;
    let body = axum::body::to_bytes(body, limit).await.map_err(|err| {
        let too_large = std::error::Error::source(&err)
            .is_some_and(|cause| cause.is::<http_body_util::LengthLimitError>());
        if too_large {
            IngestError::BodyTooLarge(limit)
        } else {
            IngestError::BadJson(format!("the request body could not be read: {err}"))
        }
    })?;
    let idempotency_key = idempotency_key(&headers)?;
    let items = parse_items(&body, state.limits.max_batch)?;

    let now = Utc::now();
    let mut ids = ulid::Generator::new();
    let mut results = Vec::with_capacity(items.len());
    let mut events = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let id = ids
            .generate()
            .map_err(|_| IngestError::Internal("ulid overflow".into()))?
            .to_string();
        let checked = serde_json::from_value::<IncomingEvent>(item)
            .map_err(|e| e.to_string())
            .and_then(|incoming| validate(incoming, &tenant.slug, id, now, &rules));
        match checked {
            Ok(event) => {
                results.push(ItemResult::Accepted {
                    index,
                    id: event.id.clone(),
                });
                events.push(event);
            }
            Err(error) => results.push(ItemResult::Rejected {
                index,
                error: without_values(&error),
            }),
        }
    }
    let response = IngestResponse {
        accepted: events.len(),
        rejected: results.len() - events.len(),
        results,
    };
    let response_json =
        serde_json::to_string(&response).map_err(|e| IngestError::Internal(e.to_string()))?;
    let receipt = idempotency_key.map(|key| Receipt {
        key,
        request_hash: hex::encode(Sha256::digest(&body)),
        response: response_json.clone(),
    });

    match state
        .store
        .append(tenant.id, &events, receipt.as_ref())
        .await?
    {
        AppendOutcome::Committed => Ok(json_response(response.accepted, response_json, false)),
        AppendOutcome::Replayed(stored) => {
            // The receipt is our own JSON; if it no longer parses, say so rather than guess.
            let accepted = serde_json::from_str::<IngestResponse>(&stored)
                .map_err(|e| DbError::Corrupt(format!("idempotency receipt: {e}")))?
                .accepted;
            Ok(json_response(accepted, stored, true))
        }
        AppendOutcome::KeyReused => Err(IngestError::IdempotencyKeyReused),
    }
}

/// 200 when anything was stored; 422 when every event was rejected.
fn json_response(accepted: usize, body: String, replayed: bool) -> Response {
    let status = if accepted > 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The tenant (with its settings) and key a bearer API key stands for, if
/// the key may do `scope`; revoked keys are refused.
pub(crate) async fn authenticate(
    store: &dyn Store,
    headers: &HeaderMap,
    scope: KeyScope,
) -> Result<(TenantSettings, ApiKeyRecord), IngestError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or(IngestError::MissingKey)?;
    let header = header.to_str().map_err(|_| IngestError::InvalidKey)?;
    let (scheme, token) = header.split_once(' ').ok_or(IngestError::MissingKey)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(IngestError::MissingKey);
    }
    let token = token.trim();
    let prefix = keys::prefix_of(token).ok_or(IngestError::InvalidKey)?;
    let key = store
        .api_key_by_prefix(prefix)
        .await?
        .ok_or(IngestError::InvalidKey)?;
    if !keys::matches(token, &key.secret_hash) {
        return Err(IngestError::InvalidKey);
    }
    if key.revoked_at.is_some() {
        return Err(IngestError::RevokedKey);
    }
    if !key.allows(scope) {
        return Err(IngestError::KeyScope(scope));
    }
    let now_us = Utc::now().timestamp_micros();
    if key
        .last_used_at
        .is_none_or(|used| used < now_us - 60_000_000)
    {
        store.touch_api_key(key.id, now_us).await?;
    }
    let settings = store
        .tenant_settings(&TenantScope::tenant(key.tenant_id))
        .await?
        .into_iter()
        .next()
        .ok_or(IngestError::InvalidKey)?;
    Ok((settings, key))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, IngestError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| IngestError::BadIdempotencyKey)?;
    let valid =
        !value.is_empty() && value.len() <= 255 && value.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(IngestError::BadIdempotencyKey);
    }
    Ok(Some(value.to_string()))
}

/// A JSON array of events, or a single event object.
fn parse_items(body: &[u8], max_batch: usize) -> Result<Vec<Value>, IngestError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| IngestError::BadJson(e.to_string()))?;
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err(IngestError::NotEvents),
    };
    if items.is_empty() {
        return Err(IngestError::EmptyBatch);
    }
    if items.len() > max_batch {
        return Err(IngestError::TooManyEvents {
            max: max_batch,
            got: items.len(),
        });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_object_is_a_batch_of_one() {
        let items = parse_items(br#"{"action":"a.b"}"#, 10).unwrap();
        assert_eq!(items.len(), 1);
    }

    #[test]
    fn a_batch_over_the_limit_is_refused_with_both_numbers() {
        let err = parse_items(b"[{},{},{}]", 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a request may hold at most 2 events; this one holds 3"
        );
    }

    #[test]
    fn a_bare_string_is_not_a_batch() {
        assert!(matches!(
            parse_items(b"\"hi\"", 2),
            Err(IngestError::NotEvents)
        ));
        assert!(matches!(
            parse_items(b"[]", 2),
            Err(IngestError::EmptyBatch)
        ));
        assert!(matches!(
            parse_items(b"[{", 2),
            Err(IngestError::BadJson(_))
        ));
    }

    #[test]
    fn idempotency_keys_must_be_visible_ascii() {
        let mut headers = HeaderMap::new();
        headers.insert("idempotency-key", HeaderValue::from_static("batch 1"));
        assert!(idempotency_key(&headers).is_err());
        headers.insert("idempotency-key", HeaderValue::from_static("batch-1"));
        assert_eq!(
            idempotency_key(&headers).unwrap().as_deref(),
            Some("batch-1")
        );
    }
}
