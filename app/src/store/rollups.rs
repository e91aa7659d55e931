//! Keeping the rollups exact (see migrations 0011_rollups and
//! 0012_rollup_days): the same statements run in the transaction that
//! appends events, counting them in, and in the one retention deletes them
//! with, counting them out. Each reads the affected events back by their
//! `(tenant_id, seq)` key, so a batch costs one grouped pass over itself
//! per table.

use std::sync::LazyLock;

/// Microseconds in an hour.
pub const HOUR_US: i64 = 3_600_000_000;
/// Microseconds in a day.
pub const DAY_US: i64 = 86_400_000_000;

/// The start of `column`'s UTC hour (floored, also before 1970).
pub fn hour_of(column: &str) -> String {
    floor_to(column, HOUR_US)
}

/// `column` floored to a multiple of `unit` microseconds.
fn floor_to(column: &str, unit: i64) -> String {
    format!("{column} - ((({column} % {unit}) + {unit}) % {unit})")
}

/// The period each table counts by: its column and its length.
const PERIODS: [(&str, &str, &str, i64); 2] = [
    ("rollup_hours", "rollup_actors", "hour", HOUR_US),
    ("rollup_days", "rollup_actor_days", "day", DAY_US),
];

/// Adds `$4` × the count of the tenant `$1`'s events with `$2 < seq <= $3`.
fn count_shape(table: &str, period: &str, unit: i64) -> String {
    format!(
        "INSERT INTO {table} (tenant_id, {period}, action, category, event_type, outcome, \
         severity, actor_type, n) \
         SELECT tenant_id, {}, action, category, event_type, outcome, severity, actor_type, \
         COUNT(*) * $4 FROM events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 \
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 \
         ON CONFLICT (tenant_id, {period}, action, category, event_type, outcome, severity, \
         actor_type) DO UPDATE SET n = {table}.n + excluded.n",
        floor_to("occurred_at", unit)
    )
}

/// As `count_shape`, per actor. `last_at` only ever moves forward: once
/// retention removes an actor's latest event of an hour, the row's `n`
/// drops and it goes when it reaches 0, but a surviving row keeps its time.
fn count_actors(table: &str, period: &str, unit: i64) -> String {
    format!(
        "INSERT INTO {table} (tenant_id, {period}, actor_id, action, outcome, ip, actor_name, \
         actor_email, actor_type, category, event_type, severity, n, last_at) \
         SELECT tenant_id, {}, actor_id, action, outcome, \
         CASE WHEN outcome = 'success' THEN '' ELSE COALESCE(ip, '') END, \
         COALESCE(actor_name, ''), COALESCE(actor_email, ''), actor_type, category, event_type, \
         severity, COUNT(*) * $4, MAX(occurred_at) \
         FROM events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 \
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 \
         ON CONFLICT (tenant_id, {period}, actor_id, action, outcome, ip, actor_name, \
         actor_email, actor_type, category, event_type, severity) DO UPDATE SET \
         n = {table}.n + excluded.n, \
         last_at = CASE WHEN excluded.last_at > {table}.last_at \
         THEN excluded.last_at ELSE {table}.last_at END",
        floor_to("occurred_at", unit)
    )
}

/// Every counting statement: bind the tenant, the seq just before the
/// batch, its last seq, and 1 to count in or -1 to count out.
pub fn rollup_statements() -> &'static [String] {
    static STATEMENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
        PERIODS
            .iter()
            .flat_map(|(shape, actors, period, unit)| {
                [
                    count_shape(shape, period, *unit),
                    count_actors(actors, period, *unit),
                ]
            })
            .collect()
    });
    &STATEMENTS
}

/// Rows whose events retention has removed entirely (bind the tenant).
pub fn drop_empty() -> &'static [String] {
    static STATEMENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
        PERIODS
            .iter()
            .flat_map(|(shape, actors, _, _)| [shape, actors])
            .map(|table| format!("DELETE FROM {table} WHERE tenant_id = $1 AND n <= 0"))
            .collect()
    });
    &STATEMENTS
}

/// Counts the tenant's events with `after < seq <= upto` in (`sign` 1) or
/// out (`sign` -1) of both rollups, inside the caller's transaction.
macro_rules! count_rollups {
    ($tx:expr, $tenant:expr, $after:expr, $upto:expr, $sign:expr) => {{
        for sql in $crate::store::rollups::rollup_statements() {
            sqlx::query(sql)
                .bind($tenant)
                .bind($after)
                .bind($upto)
                .bind($sign as i64)
                .execute(&mut *$tx)
                .await?;
        }
        if $sign < 0 {
            for sql in $crate::store::rollups::drop_empty() {
                sqlx::query(sql).bind($tenant).execute(&mut *$tx).await?;
            }
        }
    }};
}

pub(crate) use count_rollups;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hour_expression_floors_times_before_and_after_1970() {
        // Evaluated by hand for what SQL's truncating % gives.
        let floor = |t: i64| t - (((t % HOUR_US) + HOUR_US) % HOUR_US);
        assert_eq!(floor(HOUR_US + 5), HOUR_US);
        assert_eq!(floor(HOUR_US), HOUR_US);
        assert_eq!(floor(-1), -HOUR_US);
        assert_eq!(floor(-HOUR_US), -HOUR_US);
        assert!(hour_of("e.occurred_at").starts_with("e.occurred_at - "));
    }
}
