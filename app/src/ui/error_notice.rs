//! How a failed load looks.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn ErrorNotice(err: AppError) -> impl IntoView {
    let text = match &err {
        AppError::NotFound => "No such event, or it is not yours to see.".to_string(),
        other => other.to_string(),
    };
    view! { <p class="notice error" role="alert">{text}</p> }
}
