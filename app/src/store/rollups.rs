//! Keeping `rollup_hours` and `rollup_actors` exact (see migration
//! 0011_rollups): the same two statements run in the transaction that
//! appends events, counting them in, and in the one retention deletes them
//! with, counting them out. Both read the affected events back by their
//! `(tenant_id, seq)` key, so a batch costs one grouped pass over itself.

/// Microseconds in an hour.
pub const HOUR_US: i64 = 3_600_000_000;

/// The start of `column`'s UTC hour (floored, also before 1970).
pub fn hour_of(column: &str) -> String {
    format!("{column} - ((({column} % {HOUR_US}) + {HOUR_US}) % {HOUR_US})")
}

/// Adds `$4` × the count of the tenant `$1`'s events with `$2 < seq <= $3`.
pub fn count_hours() -> String {
    format!(
        "INSERT INTO rollup_hours (tenant_id, hour, action, category, event_type, outcome, \
         severity, actor_type, n) \
         SELECT tenant_id, {}, action, category, event_type, outcome, severity, actor_type, \
         COUNT(*) * $4 FROM events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 \
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 \
         ON CONFLICT (tenant_id, hour, action, category, event_type, outcome, severity, \
         actor_type) DO UPDATE SET n = rollup_hours.n + excluded.n",
        hour_of("occurred_at")
    )
}

/// As `count_hours`, per actor. `last_at` only ever moves forward: once
/// retention removes an actor's latest event of an hour, the row's `n`
/// drops and it goes when it reaches 0, but a surviving row keeps its time.
pub fn count_actors() -> String {
    format!(
        "INSERT INTO rollup_actors (tenant_id, hour, actor_id, action, outcome, ip, actor_name, \
         actor_email, actor_type, category, event_type, severity, n, last_at) \
         SELECT tenant_id, {}, actor_id, action, outcome, \
         CASE WHEN outcome = 'success' THEN '' ELSE COALESCE(ip, '') END, \
         COALESCE(actor_name, ''), COALESCE(actor_email, ''), actor_type, category, event_type, \
         severity, COUNT(*) * $4, MAX(occurred_at) \
         FROM events WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 \
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 \
         ON CONFLICT (tenant_id, hour, actor_id, action, outcome, ip, actor_name, actor_email, \
         actor_type, category, event_type, severity) DO UPDATE SET \
         n = rollup_actors.n + excluded.n, \
         last_at = CASE WHEN excluded.last_at > rollup_actors.last_at \
         THEN excluded.last_at ELSE rollup_actors.last_at END",
        hour_of("occurred_at")
    )
}

/// Both counting statements, for benchmarks that insert on their own:
/// bind the tenant, the seq just before the batch, its last seq and 1.
pub fn rollup_statements() -> [String; 2] {
    [count_hours(), count_actors()]
}

/// Rows whose events retention has removed entirely.
pub const DROP_EMPTY: [&str; 2] = [
    "DELETE FROM rollup_hours WHERE tenant_id = $1 AND n <= 0",
    "DELETE FROM rollup_actors WHERE tenant_id = $1 AND n <= 0",
];

/// Counts the tenant's events with `after < seq <= upto` in (`sign` 1) or
/// out (`sign` -1) of both rollups, inside the caller's transaction.
macro_rules! count_rollups {
    ($tx:expr, $tenant:expr, $after:expr, $upto:expr, $sign:expr) => {{
        for sql in [
            $crate::store::rollups::count_hours(),
            $crate::store::rollups::count_actors(),
        ] {
            sqlx::query(&sql)
                .bind($tenant)
                .bind($after)
                .bind($upto)
                .bind($sign as i64)
                .execute(&mut *$tx)
                .await?;
        }
        if $sign < 0 {
            for sql in $crate::store::rollups::DROP_EMPTY {
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
