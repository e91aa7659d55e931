//! Realistic demo data: tenants, actors and events drawn from the catalogues
//! of the five admin panels Logbook serves (licence keys, loyalty, casino,
//! licensing vendor, payments).

mod catalogue;
mod generate;
mod seed;

pub use generate::{Generator, TenantProfile, PROFILES};
pub use seed::{seed_demo, DemoSeed, DEMO_EVENTS};
