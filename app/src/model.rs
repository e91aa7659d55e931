//! Types shared by the server and the browser: events, filters and pages.

mod chain;
mod event;
mod filter;
mod page;
mod tenant;

pub use chain::ChainReport;
pub use event::{Actor, ActorType, Event, Outcome, ParseEnumError, Resource, Severity};
pub use filter::EventFilter;
pub use filter::{ActionMatch, FilterError};
pub use page::{Cursor, EventPage, PageRequest, PAGE_SIZE};
pub use tenant::Tenant;
