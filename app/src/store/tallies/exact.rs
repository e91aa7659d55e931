//! Whether every rollup still equals a GROUP BY over the events it counts:
//! what `logbook verify` reports after a crash, a restore or a hand edit.

use super::rollups::{column_value, Rollup, ROLLUPS};
use crate::store::{backend::Backend, error::DbError, scope::TenantScope, sql::Scalar};

/// The rollup tables whose rows differ from their GROUP BY over the events
/// (`last_at` aside: retention leaves it behind on purpose).
pub(crate) async fn rollup_mismatches<B: Backend>(b: &B) -> Result<Vec<&'static str>, DbError> {
    let mut tx = b.scoped_read(&TenantScope::all_tenants()).await?;
    let mut differ = Vec::new();
    for rollup in ROLLUPS {
        let rows: i64 = Scalar::new(difference(rollup)).fetch_one(&mut tx).await?;
        if rows > 0 {
            differ.push(rollup.table);
        }
    }
    Ok(differ)
}

/// How many rows one side has that the other lacks, both ways.
fn difference(r: &Rollup) -> String {
    let keys = r.columns.join(", ");
    let values: Vec<String> = r.columns.iter().map(|c| column_value(c)).collect();
    let group: Vec<String> = (1..=r.columns.len() + 2).map(|i| i.to_string()).collect();
    let only = if r.failures_only {
        "WHERE outcome <> 'success'"
    } else {
        ""
    };
    let kept = format!(
        "SELECT tenant_id, {}, {keys}, n FROM {}",
        r.period.column(),
        r.table
    );
    let counted = format!(
        "SELECT tenant_id, {}, {}, COUNT(*) FROM events {only} GROUP BY {}",
        r.period.floor("occurred_at"),
        values.join(", "),
        group.join(", ")
    );
    format!(
        "SELECT (SELECT COUNT(*) FROM ({kept} EXCEPT {counted}) AS extra) \
         + (SELECT COUNT(*) FROM ({counted} EXCEPT {kept}) AS missing)"
    )
}
