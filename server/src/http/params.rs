//! Query parameters for the REST routes.

use super::ApiError;
use axum::{extract::FromRequestParts, http::request::Parts};
use std::collections::HashMap;

/// The query's parameters, each named at most once: a filter given twice
/// (`ip=a&ip=b`) is refused rather than one of the two silently dropped.
pub(super) struct Params(pub(super) HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let mut params = HashMap::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if params.contains_key(name.as_ref()) {
                return Err(ApiError::bad_request(format!(
                    "parameter '{name}' is given twice: name each once \
                     (several actions go in one, comma-separated)"
                )));
            }
            params.insert(name.into_owned(), value.into_owned());
        }
        Ok(Params(params))
    }
}
