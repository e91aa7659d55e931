//! Pieces of the analytics page: headline numbers, a chart with its table,
//! a ranked list.

use super::LocalTime;
use crate::model::{ChartView, Headline, RankedRow, Sparkline, Trend};
use leptos::prelude::*;

#[component]
pub fn HeadlineCards(headlines: Vec<Headline>) -> impl IntoView {
    view! {
        <dl class="headlines">
            {headlines.into_iter().map(|h| {
                let trend = match h.trend {
                    Trend::Up => "up",
                    Trend::Down => "down",
                    Trend::Flat => "flat",
                };
                view! {
                    <div class="headline">
                        <dt>{h.label}</dt>
                        <dd class="value">{h.value}</dd>
                        {h.change.map(|c| view! { <dd class=format!("change {trend}")>{c}</dd> })}
                    </div>
                }
            }).collect_view()}
        </dl>
    }
}

/// The server-drawn SVG, and the same numbers as a table behind a toggle
/// (for screen readers, and for copying).
#[component]
pub fn Chart(chart: ChartView) -> impl IntoView {
    let empty = chart.table.rows.is_empty() || chart.svg.is_empty();
    let id = chart.id.clone();
    view! {
        <figure class="chart" id=format!("chart-{id}") data-testid=format!("chart-{id}")>
            <figcaption>{chart.title.clone()}</figcaption>
            {if empty {
                view! { <p class="notice">"No events in this range."</p> }.into_any()
            } else {
                view! {
                    <div class="svg" role="img" aria-label=format!("{} (chart; the table below has the numbers)", chart.title)
                        inner_html=chart.svg/>
                }.into_any()
            }}
            <details class="chart-table">
                <summary>"Show as table"</summary>
                <table>
                    <thead><tr>{chart.table.columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {chart.table.rows.into_iter().map(|row| {
                            let mut cells = row.cells.into_iter();
                            let first = cells.next().unwrap_or_default();
                            view! {
                                <tr>
                                    <th scope="row">{match row.href {
                                        Some(href) => view! { <a href=href>{first}</a> }.into_any(),
                                        None => view! { <span>{first}</span> }.into_any(),
                                    }}</th>
                                    {cells.map(|c| view! { <td class="num">{c}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

#[component]
pub fn RankedTable(
    id: &'static str,
    title: &'static str,
    unit: &'static str,
    rows: Vec<RankedRow>,
    with_last: bool,
) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <figure class="chart ranked" data-testid=id>
            <figcaption>{title}</figcaption>
            {if empty {
                view! { <p class="notice">"None in this range."</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr>
                            <th scope="col">"who"</th>
                            <th scope="col" class="num">{unit}</th>
                            {with_last.then(|| view! { <th scope="col">"last activity"</th> })}
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <th scope="row"><a href=r.href>{r.label}</a>
                                        {(!r.detail.is_empty()).then(|| view! { <small>{r.detail}</small> })}</th>
                                    <td class="num">{r.count}</td>
                                    {with_last.then(|| view! { <td>{r.last_at.map(|at| view! { <LocalTime at/> })}</td> })}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </figure>
    }
}

/// Activity for the log's filter at a glance, beside a link to the full analytics.
#[component]
pub fn ActivitySparkline(spark: Sparkline) -> impl IntoView {
    let label = format!(
        "{} events in range, per {}",
        spark.total,
        spark.bucket.as_str()
    );
    view! {
        <div class="sparkline-row" data-testid="sparkline">
            <div class="sparkline" role="img" aria-label=label.clone() inner_html=spark.svg/>
            <span class="sparkline-total">{label}</span>
            <a href=spark.analytics_href>"Analytics →"</a>
        </div>
    }
}
