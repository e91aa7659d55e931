//! Where the bytes go: every table's and index's size on disk, divided by
//! the events stored, grouped as the compact-row work needs them (the events
//! table, each of its indexes, the free-text index, the rollups, the rest).

use crate::load::BenchError;
use app::store::{raw::Sql, Backend, TenantScope};

/// The sizes of every b-tree (SQLite's `dbstat`) or relation (PostgreSQL's
/// `pg_table_size` / `pg_relation_size`) as `(name, its table, bytes)`.
fn sizes_sql(backend: &str) -> &'static str {
    if backend == "sqlite" {
        "SELECT d.name, COALESCE(m.tbl_name, d.name), SUM(d.pgsize) FROM dbstat d \
         LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY d.name"
    } else {
        // A partition and its indexes are named by what they partition
        // (`events`, `events_tenant_time`), so each part is summed once.
        "SELECT COALESCE((SELECT p.inhparent::regclass::text FROM pg_inherits p \
                          WHERE p.inhrelid = c.oid), c.relname::text), \
         COALESCE((SELECT p.inhparent::regclass::text FROM pg_inherits p \
                   WHERE p.inhrelid = COALESCE(t.oid, c.oid)), t.relname::text, c.relname::text), \
         CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid \
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
    }
}

/// The events stored and every b-tree's or relation's size.
async fn sizes<B: Backend>(store: &B) -> Result<(i64, Vec<(String, String, i64)>), BenchError> {
    let mut tx = B::begin_group(store.write()).await?;
    B::enter_scope(&mut tx, &TenantScope::all_tenants()).await?;
    let (events,): (i64,) = Sql::<B::Db>::new("SELECT COUNT(*) FROM events")
        .fetch_one(&mut tx)
        .await?;
    let rows: Vec<(String, String, i64)> = Sql::<B::Db>::new(sizes_sql(B::NAME))
        .fetch_all(&mut tx)
        .await?;
    let mut sizes: Vec<(String, String, i64)> = Vec::new();
    for (name, table, bytes) in rows {
        match sizes.iter_mut().find(|s| s.0 == name && s.1 == table) {
            Some(seen) => seen.2 += bytes,
            None => sizes.push((name, table, bytes)),
        }
    }
    Ok((events, sizes))
}

/// Bytes per event on disk, everything included.
pub(crate) async fn per_event<B: Backend>(store: &B) -> Result<f64, BenchError> {
    let (events, sizes) = sizes(store).await?;
    Ok(sizes.iter().map(|s| s.2).sum::<i64>() as f64 / events.max(1) as f64)
}

/// Prints bytes per event, in total and by part, for `store`'s database.
pub(crate) async fn report<B: Backend>(name: &str, store: &B) -> Result<(), BenchError> {
    let (events, sizes) = sizes(store).await?;
    let per = |bytes: i64| bytes as f64 / events.max(1) as f64;
    let total: i64 = sizes.iter().map(|s| s.2).sum();
    let part = |test: &dyn Fn(&str, &str) -> bool| -> i64 {
        sizes
            .iter()
            .filter(|(n, t, _)| test(n, t))
            .map(|s| s.2)
            .sum()
    };
    let table = part(&|n, _| n == "events");
    let fts = part(&|n, t| n.starts_with("events_fts") || t.starts_with("events_fts"));
    let rollups = part(&|_, t| t.starts_with("rollup_"));
    let agents = part(&|_, t| t == "user_agents");
    let mut indexes: Vec<&(String, String, i64)> = sizes
        .iter()
        .filter(|(n, t, _)| t == "events" && n != "events")
        .collect();
    indexes.sort_by_key(|s| -s.2);
    let index_total: i64 = indexes.iter().map(|s| s.2).sum();
    println!(
        "{name}, bytes per event on disk ({events} events): {:.0} in all; table {:.0}, \
         its {} indexes {:.0}, full-text {:.0}, rollups {:.0}, user agents {:.1}, \
         everything else {:.0}",
        per(total),
        per(table),
        indexes.len(),
        per(index_total),
        per(fts),
        per(rollups),
        per(agents),
        per(total - table - index_total - fts - rollups - agents)
    );
    let each: Vec<String> = indexes
        .iter()
        .map(|(n, _, b)| format!("{n} {:.0}", per(*b)))
        .collect();
    println!("{name}, bytes per event by index: {}", each.join(", "));
    Ok(())
}
