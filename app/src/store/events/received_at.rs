//! Appending a log that already happened: events stamped as received at a
//! given moment instead of now. For the benchmark's bulk loads (whose
//! PostgreSQL partitions must hold months, not one afternoon) and for
//! tests of retention; the server never backdates what it receives.

use crate::store::{
    backend::Backend,
    error::DbError,
    events::{
        append::{move_head, stamp, write_stamped},
        records::NewEvent,
        user_agents::{resolve, KnownAgents},
    },
    partitions::PartitionStore,
    scope::TenantScope,
    sql::Sql,
    tallies::rollups::count_rollups_of,
};

/// Appends `events` to the tenant's chain as received at `received_us`, in
/// one transaction: chained, counted into the rollups and the head moved,
/// as the committer writes them (without receipts or alert rules). Their
/// ids are minted anew at that moment, as the server mints them on
/// receipt (PostgreSQL's partitions follow the ids); returns them.
pub async fn append_received_at<B: Backend>(
    b: &B,
    tenant_id: i64,
    events: &[NewEvent],
    received_us: i64,
) -> Result<Vec<String>, DbError> {
    let at = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_micros(received_us.max(0) as u64);
    let mut ids = ulid::Generator::new();
    let events: Vec<NewEvent> = events
        .iter()
        .map(|e| {
            let id = ids
                .generate_from_datetime(at)
                .map_err(|_| DbError::Corrupt("ulid overflow".into()))?;
            Ok(NewEvent {
                id: id.to_string(),
                ..e.clone()
            })
        })
        .collect::<Result<_, DbError>>()?;
    let events = &events[..];
    // A moment in the past may fall where no partition was ever made.
    b.ensure_partitions(received_us).await?;
    let mut tx = b.begin_write().await?;
    B::enter_scope(&mut tx, &TenantScope::all_tenants()).await?;
    let head: (i64, String) = Sql::<B::Db>::new(format!(
        "SELECT head_seq, head_hash FROM tenants WHERE id = $1{}",
        B::HEAD_LOCK
    ))
    .bind(tenant_id)
    .fetch_optional(&mut tx)
    .await?
    .ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))?;
    let first = head.0;
    let (stamped, (seq, hash)) = stamp(tenant_id, head, received_us, events);
    let agents = events.iter().filter_map(|e| e.user_agent.as_deref());
    let agents = resolve::<B>(&mut tx, &KnownAgents::default(), agents).await?;
    write_stamped::<B>(&mut tx, &stamped, &agents).await?;
    count_rollups_of::<B>(&mut tx, &[(tenant_id, first, seq)], 1).await?;
    move_head::<B>(&mut tx, tenant_id, seq, &hash).await?;
    tx.commit().await?;
    Ok(events.iter().map(|e| e.id.clone()).collect())
}
