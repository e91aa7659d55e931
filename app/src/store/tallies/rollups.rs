//! Keeping the rollups exact (see migrations 0011 to 0013 and `ROLLUPS`): the same statements run in the transaction that
//! appends events, counting them in, and in the one retention deletes them
//! with, counting them out. Each reads the affected events back by their
//! `(tenant_id, seq)` key, so a batch costs one grouped pass over itself
//! per table.

use crate::store::{
    backend::{Backend, Tx},
    error::DbError,
    sql::Sql,
};
use std::sync::LazyLock;

/// Microseconds in an hour.
pub const HOUR_US: i64 = 3_600_000_000;
/// Microseconds in a day.
pub const DAY_US: i64 = 86_400_000_000;

/// The start of `column`'s UTC hour (floored, also before 1970).
pub(crate) fn hour_of(column: &str) -> String {
    floor_to(column, HOUR_US)
}

/// `column` floored to a multiple of `unit` microseconds.
fn floor_to(column: &str, unit: i64) -> String {
    format!("{column} - ((({column} % {unit}) + {unit}) % {unit})")
}

/// How long a rollup row's period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Hour,
    Day,
    /// The whole log: one row per key, its period column always 0. No
    /// grouped read over a time range can use it (`tallies::pick`).
    All,
}

impl Period {
    /// The period's column in its tables.
    pub fn column(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::All => "since",
        }
    }

    /// The start of the period `column` (a time) falls in.
    pub fn floor(self, column: &str) -> String {
        match self {
            Period::Hour => floor_to(column, HOUR_US),
            Period::Day => floor_to(column, DAY_US),
            Period::All => "0".into(),
        }
    }
}

/// One rollup table: events counted per tenant, period and `columns`.
#[derive(Debug, PartialEq, Eq)]
pub struct Rollup {
    pub table: &'static str,
    pub period: Period,
    /// Key columns after the tenant and the period, in primary-key order.
    pub columns: &'static [&'static str],
    /// Keeps the newest `occurred_at` of each row.
    pub last_at: bool,
    /// Counts only events that did not succeed.
    pub failures_only: bool,
}

const SHAPE: &[&str] = &[
    "action",
    "category",
    "event_type",
    "outcome",
    "severity",
    "actor_type",
];
const PER_ACTOR: &[&str] = &[
    "actor_id",
    "action",
    "outcome",
    "ip",
    "actor_name",
    "actor_email",
    "actor_type",
    "category",
    "event_type",
    "severity",
];

/// Every rollup, narrowest first within each period: a query reads the
/// first one holding every column it filters or groups by (`tallies`). The
/// wide ones answer any filter; the narrow ones answer the page as it first
/// opens (no filter but tenant, category or outcome) in far fewer rows.
pub const ROLLUPS: &[Rollup] = &[
    Rollup {
        table: "rollup_activity",
        period: Period::Hour,
        columns: &["category", "outcome"],
        last_at: false,
        failures_only: false,
    },
    Rollup {
        table: "rollup_hours",
        period: Period::Hour,
        columns: SHAPE,
        last_at: false,
        failures_only: false,
    },
    Rollup {
        table: "rollup_actors",
        period: Period::Hour,
        columns: PER_ACTOR,
        last_at: true,
        failures_only: false,
    },
    Rollup {
        table: "rollup_failing_ips",
        period: Period::Day,
        columns: &["ip", "category", "outcome"],
        last_at: false,
        failures_only: true,
    },
    Rollup {
        table: "rollup_actor_totals",
        period: Period::Day,
        columns: &[
            "actor_id",
            "actor_name",
            "actor_email",
            "category",
            "outcome",
        ],
        last_at: true,
        failures_only: false,
    },
    // The actor directory an actor filter is resolved through
    // (`events::actors`; migration 0022).
    Rollup {
        table: "rollup_actor_names",
        period: Period::All,
        columns: &["actor_id", "actor_name", "actor_email"],
        last_at: true,
        failures_only: false,
    },
    Rollup {
        table: "rollup_days",
        period: Period::Day,
        columns: SHAPE,
        last_at: false,
        failures_only: false,
    },
    Rollup {
        table: "rollup_actor_days",
        period: Period::Day,
        columns: PER_ACTOR,
        last_at: true,
        failures_only: false,
    },
];

/// What a key column holds for an event: missing texts as '', and the
/// address only for events that did not succeed (successes would multiply
/// the rows and no chart lists their addresses).
pub fn column_value(column: &str) -> String {
    match column {
        "actor_name" | "actor_email" => format!("COALESCE({column}, '')"),
        "ip" => "CASE WHEN outcome = 'success' THEN '' ELSE COALESCE(ip, '') END".into(),
        other => other.into(),
    }
}

/// Adds `$4` × the count of the tenant `$1`'s events with `$2 < seq <= $3`.
fn count_statement(r: &Rollup) -> String {
    let [select, from, rest] = count_parts(r);
    format!("{select}$4{from}tenant_id = $1 AND seq > $2 AND seq <= $3{rest}")
}

/// A counting statement in three parts, around the sign's placeholder and
/// the events' condition. `last_at` only ever moves forward: once retention
/// removes a row's newest event, its `n` drops (and the row goes at 0), but
/// a surviving row keeps its time.
fn count_parts(r: &Rollup) -> [String; 3] {
    let period = r.period.column();
    let keys = r.columns.join(", ");
    let values: Vec<String> = r.columns.iter().map(|c| column_value(c)).collect();
    let groups: Vec<String> = (1..=r.columns.len() + 2).map(|i| i.to_string()).collect();
    let (last_column, last_value, last_update) = if r.last_at {
        (
            ", last_at",
            ", MAX(occurred_at)",
            format!(
                ", last_at = CASE WHEN excluded.last_at > {t}.last_at \
                 THEN excluded.last_at ELSE {t}.last_at END",
                t = r.table
            ),
        )
    } else {
        ("", "", String::new())
    };
    let only = if r.failures_only {
        " AND outcome <> 'success'"
    } else {
        ""
    };
    [
        format!(
            "INSERT INTO {table} (tenant_id, {period}, {keys}, n{last_column}) \
             SELECT tenant_id, {floor}, {values}, COUNT(*) * ",
            table = r.table,
            floor = r.period.floor("occurred_at"),
            values = values.join(", "),
        ),
        format!("{last_value} FROM events WHERE "),
        format!(
            "{only} GROUP BY {groups} \
             ON CONFLICT (tenant_id, {period}, {keys}) DO UPDATE SET \
             n = {table}.n + excluded.n{last_update}",
            table = r.table,
            groups = groups.join(", "),
        ),
    ]
}

/// Counts several tenants' new events (`(tenant, after, upto)`: those with
/// `after < seq <= upto`) into every rollup, one statement per rollup for
/// them all: a group commit's tenants cost what one tenant costs.
pub(crate) async fn count_rollups_of<B: Backend>(
    tx: &mut Tx<B>,
    ranges: &[(i64, i64, i64)],
    sign: i64,
) -> Result<(), DbError> {
    if ranges.is_empty() {
        return Ok(());
    }
    for r in ROLLUPS {
        let [select, from, rest] = count_parts(r);
        let mut sql = Sql::<B::Db>::new(select);
        sql.push_bind(sign).push(from).push("(");
        for (i, (tenant, after, upto)) in ranges.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(tenant_id = ").push_bind(*tenant);
            sql.push(" AND seq > ").push_bind(*after);
            sql.push(" AND seq <= ").push_bind(*upto).push(")");
        }
        sql.push(")").push(rest);
        sql.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Every counting statement as fixed text for one tenant (the store itself
/// builds them with `count_rollups_of`; this form is for the benchmark's raw
/// baseline, see `store::raw`): bind the tenant, the seq just before the
/// batch, its last seq, and 1 to count in or -1 to count out.
pub fn rollup_statements() -> &'static [String] {
    static STATEMENTS: LazyLock<Vec<String>> =
        LazyLock::new(|| ROLLUPS.iter().map(count_statement).collect());
    &STATEMENTS
}

/// Rows whose events retention has removed entirely (bind the tenant).
pub(crate) fn drop_empty() -> &'static [String] {
    static STATEMENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
        ROLLUPS
            .iter()
            .map(|r| format!("DELETE FROM {} WHERE tenant_id = $1 AND n <= 0", r.table))
            .collect()
    });
    &STATEMENTS
}

/// Counts every event with an id in `[lo, hi)` (one partition's) out of
/// every rollup, inside the caller's transaction; the tenants' rows counted
/// down to nothing go.
pub(crate) async fn count_out_ids<B: Backend>(
    tx: &mut Tx<B>,
    (lo, hi): (&str, &str),
    tenants: &[i64],
) -> Result<(), DbError> {
    for r in ROLLUPS {
        let [select, from, rest] = count_parts(r);
        let mut sql = Sql::<B::Db>::new(select);
        sql.push_bind(-1_i64).push(from).push("id >= ");
        sql.push_bind(lo).push(" AND id < ").push_bind(hi);
        sql.push(rest).execute(&mut *tx).await?;
    }
    for tenant in tenants {
        for sql in drop_empty() {
            Sql::new(sql.as_str())
                .bind(*tenant)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

/// Counts the tenant's events with `after < seq <= upto` in (`sign` 1) or
/// out (`sign` -1) of every rollup, inside the caller's transaction; rows
/// counted down to nothing go.
pub(crate) async fn count_rollups<B: Backend>(
    tx: &mut Tx<B>,
    tenant: i64,
    after: i64,
    upto: i64,
    sign: i64,
) -> Result<(), DbError> {
    count_rollups_of::<B>(tx, &[(tenant, after, upto)], sign).await?;
    if sign < 0 {
        for sql in drop_empty() {
            Sql::new(sql.as_str())
                .bind(tenant)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hour_expression_floors_times_before_and_after_1970_in_sql() {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        for (t, hour) in [
            (HOUR_US + 5, HOUR_US),
            (HOUR_US, HOUR_US),
            (-1, -HOUR_US),
            (-HOUR_US, -HOUR_US),
            (DAY_US - 1, DAY_US - HOUR_US),
        ] {
            let floored: i64 =
                sqlx::query_scalar(&format!("SELECT {} FROM (SELECT $1 AS t)", hour_of("t")))
                    .bind(t)
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
            assert_eq!(floored, hour, "{t}");
        }
    }

    #[test]
    fn a_failures_only_rollup_counts_what_did_not_succeed_and_keys_on_its_own_columns() {
        let ips = ROLLUPS.iter().find(|r| r.failures_only).unwrap();
        let sql = count_statement(ips);
        assert!(
            sql.contains("AND outcome <> 'success' GROUP BY 1, 2, 3, 4, 5 "),
            "{sql}"
        );
        assert!(
            sql.contains("ON CONFLICT (tenant_id, day, ip, category, outcome)"),
            "{sql}"
        );
        assert!(!sql.contains("last_at"), "{sql}");
        let actors = ROLLUPS.iter().find(|r| r.table == "rollup_actors").unwrap();
        assert!(count_statement(actors).contains("COALESCE(actor_name, '')"));
        assert!(
            count_statement(actors).contains("THEN excluded.last_at ELSE rollup_actors.last_at")
        );
    }
}
