//! Analytics counts: rollups kept exact on every append and purge, the
//! grouped reads over them, and the failing-addresses shortcut.

pub(crate) mod api;
pub(crate) mod exact;
pub(crate) mod failing_ips;
pub(crate) mod pick;
pub(crate) mod rollups;
pub(crate) mod select;
pub(crate) mod sql;

pub use api::{
    ActorCount, HourCount, KeyCount, MixCount, Tallies, TallySource, TallyStore, Totals,
    AUTH_CATEGORY,
};
pub use rollups::{column_value, rollup_statements, Period, Rollup, DAY_US, HOUR_US, ROLLUPS};
