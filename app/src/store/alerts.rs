//! Alerts: rules and destinations, matching appended events against rules
//! inside the append, and the delivery outbox the worker drains.

pub(crate) mod api;
pub(crate) mod fire;
pub(crate) mod matching;
pub(crate) mod outbox;
pub(crate) mod rows;
pub(crate) mod sql;

pub use api::{AlertStore, DestinationInput, DueDelivery, Health, RuleInput, Silence};
