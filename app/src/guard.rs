//! Limits that keep one hostile tenant or visitor from reaching what it
//! should not or spending what everyone shares: outbound addresses a
//! destination may name, and per-key rate limits.

mod once;
mod rate;
mod slots;
mod targets;

pub use once::OncePerWindow;
pub use rate::{wait_text, Limiters, RateLimiter};
pub use slots::{Slot, Slots};
pub use targets::{check_destination, is_public, public_addrs, TargetPolicy};
