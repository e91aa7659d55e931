//! The page's charts, drawn by charts-rs as SVG in the app's palette. Each
//! function takes the numbers and a link for every mark; charts-rs sizes
//! the SVG, and the stylesheet scales it to the column (laptop or phone).
//! Titles are the page's figure captions, not drawn twice inside the SVG.

use super::svg_links::link_marks;
use charts_rs::{
    BarChart, Box as Margin, Color, HorizontalBarChart, LineChart, PieChart, Series, YAxisConfig,
};

/// Series colours, in order: the stylesheet's accent first.
const PALETTE: [&str; 8] = [
    "#2f5bd3", "#1f7a4d", "#b42318", "#9a6200", "#6941c6", "#0e7490", "#c11574", "#5d6778",
];

/// The colour of an outcome, as the log table shows it.
pub(super) fn outcome_colour(outcome: &str) -> &'static str {
    match outcome {
        "success" => "#1f7a4d",
        "failure" => "#b42318",
        "denied" => "#9a6200",
        _ => "#5d6778",
    }
}

/// One named row of numbers.
pub(super) struct Stack {
    pub name: String,
    pub colour: String,
    pub values: Vec<i64>,
}

/// Colours for `n` series in palette order.
pub(super) fn palette(i: usize) -> String {
    PALETTE[i % PALETTE.len()].to_string()
}

/// 10 px around the plot, `right` on the right.
fn margin(right: f32) -> Margin {
    Margin {
        left: 10.0,
        top: 10.0,
        right,
        bottom: 10.0,
    }
}

fn y_axis(unit: &str) -> YAxisConfig {
    YAxisConfig {
        title: Some(unit.to_string()),
        ..Default::default()
    }
}

/// Stacked bars over time: one stack per bucket, a link per piece.
pub(super) fn stacked_bars(
    unit: &str,
    labels: Vec<String>,
    stacks: &[Stack],
    href: impl Fn(&str, usize) -> Option<String>,
) -> String {
    let series: Vec<Series> = stacks
        .iter()
        .map(|s| {
            let mut series =
                Series::new(s.name.clone(), s.values.iter().map(|v| *v as f32).collect());
            series.stack = Some("all".into());
            series
        })
        .collect();
    let mut chart = BarChart::new_with_theme(series, labels, "light");
    chart.width = 960.0;
    chart.height = 340.0;
    chart.series.colors = stacks
        .iter()
        .map(|s| Color::from(s.colour.as_str()))
        .collect();
    chart.y_axis_configs = vec![YAxisConfig {
        font: chart
            .y_axis_configs
            .first()
            .map(|c| c.font.clone())
            .unwrap_or_default(),
        ..y_axis(unit)
    }];
    chart.tooltip.show = true;
    chart.margin = margin(20.0);
    render(chart.svg(), href)
}

/// Horizontal bars, largest on top: a ranked distribution.
pub(super) fn ranked_bars(
    rows: &[(String, i64)],
    href: impl Fn(usize) -> Option<String>,
) -> String {
    // charts-rs draws the first category at the bottom.
    let labels: Vec<String> = rows.iter().rev().map(|(label, _)| label.clone()).collect();
    let values: Vec<f32> = rows.iter().rev().map(|(_, n)| *n as f32).collect();
    let count = rows.len();
    let mut chart = HorizontalBarChart::new_with_theme(
        vec![Series::new("events".into(), values)],
        labels,
        "light",
    );
    chart.width = 560.0;
    chart.height = 70.0 + 26.0 * count.max(1) as f32;
    chart.series.colors = vec![Color::from(PALETTE[0])];
    chart.legend.show = Some(false);
    chart.tooltip.show = true;
    // Room on the right for the longest bar's hover label.
    chart.margin = margin(30.0);
    render(chart.svg(), |_, k| href(count.checked_sub(k + 1)?))
}

/// A pie of shares, a link per slice.
pub(super) fn pie(rows: &[(String, i64)], href: impl Fn(usize) -> Option<String>) -> String {
    let series: Vec<Series> = rows
        .iter()
        .map(|(label, n)| Series::new(label.clone(), vec![*n as f32]))
        .collect();
    let mut chart = PieChart::new_with_theme(series, "light");
    chart.width = 560.0;
    chart.height = 360.0;
    chart.series.colors = (0..rows.len())
        .map(|i| Color::from(PALETTE[i % PALETTE.len()]))
        .collect();
    chart.rose_type = Some(false);
    chart.inner_radius = 50.0;
    chart.tooltip.show = true;
    let index = |name: &str| rows.iter().position(|(label, _)| label == name);
    render(chart.svg(), |series, _| href(index(series)?))
}

/// A small line of events per bucket, each point a link to its events.
pub(super) fn sparkline(
    labels: Vec<String>,
    values: &[i64],
    href: impl Fn(usize) -> Option<String>,
) -> String {
    let series = Series::new("events".into(), values.iter().map(|v| *v as f32).collect());
    let mut chart = LineChart::new_with_theme(vec![series], labels, "light");
    chart.width = 360.0;
    chart.height = 48.0;
    chart.y_axis_hidden = true;
    chart.legend.show = Some(false);
    chart.x_axis.height = 0.0;
    chart.x_axis.font.size = 0.0;
    chart.grid.stroke_width = 0.0;
    chart.compact = true;
    chart.series.fill = true;
    chart.series.symbol = Some(charts_rs::Symbol::None);
    chart.series.colors = vec![Color::from(PALETTE[0])];
    chart.margin = Margin {
        left: 0.0,
        top: 2.0,
        right: 0.0,
        bottom: 0.0,
    };
    chart.tooltip.show = true;
    render(chart.svg(), |_, k| href(k))
}

/// The drawn SVG with its marks linked, or a note when charts-rs failed.
fn render(svg: charts_rs::Result<String>, href: impl Fn(&str, usize) -> Option<String>) -> String {
    match svg {
        Ok(svg) => link_marks(&svg, href),
        Err(e) => {
            tracing::warn!(error = %e, "chart not drawn");
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stacked_chart_links_each_piece_to_its_series_and_bucket() {
        let stacks = [
            Stack {
                name: "success".into(),
                colour: outcome_colour("success").into(),
                values: vec![3, 5],
            },
            Stack {
                name: "failure".into(),
                colour: outcome_colour("failure").into(),
                values: vec![1, 0],
            },
        ];
        let svg = stacked_bars(
            "events",
            vec!["Mon".into(), "Tue".into()],
            &stacks,
            |s, i| Some(format!("/?outcome={s}&bucket={i}")),
        );
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains(">\nevents\n<") || svg.contains(">events<"),
            "the unit is on the axis"
        );
        assert!(svg.contains("<a href=\"/?outcome=success&amp;bucket=1\">"));
        assert!(svg.contains("<a href=\"/?outcome=failure&amp;bucket=0\">"));
        assert!(svg.contains("#1F7A4D") || svg.contains("#1f7a4d"));
    }

    #[test]
    fn ranked_bars_put_the_largest_on_top_and_keep_each_link_with_its_row() {
        let rows = [("login".to_string(), 9), ("created".to_string(), 4)];
        let svg = ranked_bars(&rows, |i| Some(format!("/?row={i}")));
        let first = svg.find("data-category=\"login\"").unwrap();
        let link = svg[..first].rfind("<a href=").unwrap();
        assert!(svg[link..first].contains("/?row=0"));
        let pie_svg = pie(&rows, |i| Some(format!("/?slice={i}")));
        let slice = pie_svg.find("data-series=\"created\"").unwrap();
        assert!(pie_svg[..slice]
            .rfind("<a href=")
            .is_some_and(|at| pie_svg[at..slice].contains("/?slice=1")));
    }
}
