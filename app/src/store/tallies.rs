//! Analytics counts: rollups kept exact on every append and purge, the
//! grouped reads over them, and the failing-addresses shortcut.

pub(crate) mod failing_ips;
pub(crate) mod rollups;
pub(crate) mod select;
pub(crate) mod sql;

pub use rollups::{column_value, rollup_statements, Period, Rollup, DAY_US, HOUR_US, ROLLUPS};
pub use select::{
    ActorCount, HourCount, KeyCount, MixCount, Tallies, TallySource, TallyStore, Totals,
    AUTH_CATEGORY,
};
