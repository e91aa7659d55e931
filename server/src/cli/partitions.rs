//! `logbook migrate`'s second step on PostgreSQL: a database from before
//! time partitions keeps its events in `events_unpartitioned` until they
//! are copied into the partitioned table, in batches that each commit with
//! the position reached, so a copy that is stopped resumes where it was.

use super::CliResult;
use app::store::Store;
use std::time::Instant;

/// Events per batch: one short transaction each.
const BATCH: i32 = 20_000;

/// Copies every waiting event, printing progress.
pub(super) async fn copy_into_partitions(store: &dyn Store) -> CliResult {
    let total = store.events_to_copy().await?;
    if total == 0 {
        return Ok(());
    }
    println!("Copying {total} events into time partitions (run `logbook migrate` again to resume if stopped).");
    let started = Instant::now();
    let mut copied = 0_u64;
    let mut shown = 0_u64;
    loop {
        let n = store.copy_into_partitions(BATCH).await?;
        if n == 0 {
            break;
        }
        copied += n;
        if copied - shown >= total / 10 {
            shown = copied;
            println!(
                "  {copied} of {total} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "Copied {copied} events in {:.0} s; the old table is dropped.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Every command but `migrate` refuses a database whose events are not all
/// in partitions yet: it would read a log with a hole in it.
pub(super) async fn refuse_until_copied(store: &dyn Store) -> CliResult {
    let waiting = store.events_to_copy().await?;
    if waiting > 0 {
        return Err(format!(
            "{waiting} events from before time partitions wait to be copied: run `logbook migrate` \
             first (it copies in batches and resumes if stopped)"
        )
        .into());
    }
    Ok(())
}
