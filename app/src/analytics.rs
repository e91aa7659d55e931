//! The analytics page's numbers and charts, from the rollups.

mod buckets;
mod charts;
mod run;
mod svg_links;
mod view;

pub use buckets::{auto_bucket, Buckets};
pub use run::{analytics, sparkline};
pub use view::group_digits;
