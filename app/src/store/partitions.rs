//! Events partitioned by the time they were received (PostgreSQL): the
//! partitions made ahead of time, whole expired ones dropped by retention,
//! and the copy that moves a database from before partitioning into them.

pub(crate) mod api;
mod expire;
mod interval;

pub use api::{DroppedPartition, PartitionStore};
pub(crate) use interval::ulid_floor;
pub use interval::PartitionInterval;
