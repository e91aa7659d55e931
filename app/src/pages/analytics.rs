//! The analytics page: the log's own filter (same URL parameters), counted
//! into charts. Every bar, slice and row opens the log narrowed to it.

use crate::{
    api::{list_tenants, load_analytics},
    error::AppError,
    model::{AnalyticsRequest, AnalyticsView, Bucket, StackBy},
    ui::{Chart, ErrorNotice, FilterBar, HeadlineCards, RankedTable},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        let params = query.get();
        let mut request =
            AnalyticsRequest::from_params(|name| params.get(name)).map_err(AppError::BadRequest)?;
        request.filter = request.filter.or_default_range();
        Ok::<_, AppError>(request)
    });
    let data = Resource::new(
        move || request.get(),
        |request| async move { load_analytics(request?).await },
    );
    let tenants = Resource::new(|| (), |_| list_tenants());
    #[cfg(feature = "hydrate")]
    follow_browser_zone(request);

    view! {
        <section class="analytics">
            <h1>"Analytics"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let tenants = tenants.await.unwrap_or_default();
                    let filter = request.get().map(|r| r.filter).unwrap_or_default();
                    view! { <FilterBar filter tenants base="/analytics"/> }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="notice">"Counting…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <Analytics view/> }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Analytics(view: AnalyticsView) -> impl IntoView {
    // Longer ranges are counted from UTC midnight to UTC midnight.
    let by_day =
        view.from.time() == chrono::NaiveTime::MIN && view.to.time() == chrono::NaiveTime::MIN;
    let range = if by_day {
        format!(
            "Counted in whole UTC days: {} – {} (charts in {})",
            view.from.format("%Y-%m-%d"),
            (view.to - chrono::Duration::days(1)).format("%Y-%m-%d"),
            view.tz
        )
    } else {
        format!(
            "Counted in whole hours: {} – {} UTC (charts in {})",
            view.from.format("%Y-%m-%d %H:%M"),
            view.to.format("%Y-%m-%d %H:%M"),
            view.tz
        )
    };
    let choices = Choices {
        request: view.request.clone(),
    };
    let mut charts = view.charts.into_iter();
    let activity = charts.next();
    let auth = charts.next();
    let rest: Vec<_> = charts.collect();
    view! {
        <p class="range" data-testid="analytics-range">{range}</p>
        {view.source_note.map(|note| view! { <p class="notice source-note" role="status">{note}</p> })}
        <HeadlineCards headlines=view.headlines/>
        {choices.render()}
        {activity.map(|chart| view! { <Chart chart/> })}
        <div class="chart-grid">
            {rest.into_iter().map(|chart| view! { <Chart chart/> }).collect_view()}
        </div>
        <div class="chart-grid">
            <RankedTable id="top-actors" title="Most active actors" unit="events"
                rows=view.top_actors with_last=true/>
            <div class="auth-block">
                {auth.map(|chart| view! { <Chart chart/> })}
            </div>
        </div>
        <div class="chart-grid">
            <RankedTable id="failing-ips" title="Top failing IP addresses (sign-ins and codes)"
                unit="failures" rows=view.failing_ips with_last=false/>
            <RankedTable id="failing-accounts" title="Top failing accounts (sign-ins and codes)"
                unit="failures" rows=view.failing_accounts with_last=true/>
        </div>
    }
    .into_any()
}

/// Links that redraw the activity chart by another bucket or split.
struct Choices {
    request: AnalyticsRequest,
}

impl Choices {
    fn render(self) -> impl IntoView {
        let current = (self.request.bucket, self.request.stack);
        let bucket_links = Bucket::ALL
            .iter()
            .map(|b| {
                let href = AnalyticsRequest {
                    bucket: Some(*b),
                    ..self.request.clone()
                }
                .href();
                let here = current.0 == Some(*b);
                view! { <a href=href class:current=here aria-current=here.then_some("true")>{b.as_str()}</a> }
            })
            .collect_view();
        let stack_links = StackBy::ALL
            .iter()
            .map(|s| {
                let href = AnalyticsRequest {
                    stack: Some(*s),
                    ..self.request.clone()
                }
                .href();
                let here = current.1 == Some(*s);
                view! { <a href=href class:current=here aria-current=here.then_some("true")>{s.as_str()}</a> }
            })
            .collect_view();
        view! {
            <nav class="chart-choices" aria-label="Activity chart">
                <span>"Per "</span>{bucket_links}
                <span>" · split by "</span>{stack_links}
            </nav>
        }
    }
}

/// Server-rendered pages know the browser's zone only from a cookie: keep
/// it current, and redraw once if this page was counted in another zone.
#[cfg(feature = "hydrate")]
fn follow_browser_zone(request: Memo<Result<AnalyticsRequest, AppError>>) {
    use wasm_bindgen::JsCast;
    let Some(zone) = browser_zone() else {
        return;
    };
    let cookie = format!(
        "{}={}; path=/; max-age=31536000; SameSite=Lax",
        crate::api::TZ_COOKIE,
        zone.replace('/', "%2F")
    );
    if let Some(doc) = document().dyn_ref::<web_sys::HtmlDocument>() {
        let _ = doc.set_cookie(&cookie);
    }
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Ok(r) = request.get() {
            if r.tz.is_none() {
                let href = AnalyticsRequest {
                    tz: Some(zone.clone()),
                    ..r
                }
                .href();
                navigate(
                    &href,
                    leptos_router::NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        }
    });
}

#[cfg(feature = "hydrate")]
fn browser_zone() -> Option<String> {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
}
