//! The analytics page's numbers and charts, from the rollups.

mod auth;
mod buckets;
mod charts;
mod distribution;
mod headlines;
mod run;
mod svg_links;
mod view;

pub use buckets::{auto_bucket, Buckets};
pub use headlines::group_digits;
pub use run::{analytics, counted_filter, sparkline};
