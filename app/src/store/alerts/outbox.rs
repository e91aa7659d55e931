//! The delivery outbox: claiming due deliveries (a lane per destination),
//! recording each attempt and the destination's health, and the alerts
//! fired by silence (a tenant that stopped sending).

use crate::model::SELF_TENANT;
use crate::store::{
    alerts::{
        api::{DueDelivery, Health, Silence, FAILING_AFTER},
        rows::{SilenceWatch, DUE_SELECT, SILENCE_WATCHES, USUAL_EVENTS},
    },
    backend::Backend,
    error::DbError,
    scope::TenantScope,
    sql::{Scalar, Sql},
};

pub(crate) async fn claim_deliveries<B: Backend>(
    b: &B,
    now_us: i64,
    lease_us: i64,
    limit: i64,
    busy: &[i64],
) -> Result<Vec<DueDelivery>, DbError> {
    let until = now_us + lease_us;
    let mut tx = b.scoped_write(&TenantScope::all_tenants()).await?;
    // The conditions are repeated outside the subquery so that a
    // concurrent claimer (PostgreSQL) re-checks them on the row it
    // waited for, and skips it.
    let mut qb = Sql::new("UPDATE alert_outbox SET claimed_until = ");
    qb.push_bind(until)
                    .push(" WHERE id IN (SELECT id FROM alert_outbox WHERE status = 'pending' AND next_attempt_at <= ")
                    .push_bind(now_us)
                    .push(" AND (claimed_until IS NULL OR claimed_until <= ")
                    .push_bind(now_us)
                    .push(")");
    if !busy.is_empty() {
        qb.push(" AND destination_id NOT IN (");
        qb.push_list(busy.iter().copied());
        qb.push(")");
    }
    qb.push(" ORDER BY id LIMIT ")
        .push_bind(limit)
        .push(") AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= ")
        .push_bind(now_us)
        .push(") RETURNING id");
    let ids: Vec<i64> = qb.scalar().fetch_all(&mut tx).await?;
    if ids.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let mut qb = Sql::new(DUE_SELECT);
    qb.push(" WHERE o.id IN (");
    qb.push_list(ids.iter().copied());
    qb.push(") ORDER BY o.id");
    let due = qb.fetch_all(&mut tx).await?;
    tx.commit().await?;
    Ok(due)
}

pub(crate) async fn release_deliveries<B: Backend>(
    b: &B,
    claimed: &[DueDelivery],
) -> Result<(), DbError> {
    for d in claimed {
        Sql::new(
            "UPDATE alert_outbox SET claimed_until = NULL \
                         WHERE id = $1 AND status = 'pending' AND claimed_until = $2",
        )
        .bind(d.id)
        .bind(d.claim)
        .execute(b.write())
        .await?;
    }
    Ok(())
}

pub(crate) async fn delivery_sent<B: Backend>(
    b: &B,
    delivery: &DueDelivery,
    now_us: i64,
) -> Result<Health, DbError> {
    let mut tx = b.scoped_write(&TenantScope::all_tenants()).await?;
    let recorded = Sql::new(
        "UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, \
                     sent_at = $1, claimed_until = NULL, last_error = NULL \
                     WHERE id = $2 AND claimed_until = $3",
    )
    .bind(now_us)
    .bind(delivery.id)
    .bind(delivery.claim)
    .execute(&mut tx)
    .await?;
    if recorded == 0 {
        return Ok(Health::ClaimLost);
    }
    let was_failing: Option<Option<i64>> =
        Scalar::new("SELECT failing_since FROM alert_destinations WHERE id = $1")
            .bind(delivery.destination_id)
            .fetch_optional(&mut tx)
            .await?;
    Sql::new(
        "UPDATE alert_destinations SET consecutive_failures = 0, failing_since = NULL, \
                     last_success_at = $1 WHERE id = $2",
    )
    .bind(now_us)
    .bind(delivery.destination_id)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(if was_failing.flatten().is_some() {
        Health::Recovered
    } else {
        Health::Unchanged
    })
}

pub(crate) async fn delivery_failed<B: Backend>(
    b: &B,
    delivery: &DueDelivery,
    error: &str,
    now_us: i64,
    retry_at: Option<i64>,
) -> Result<Health, DbError> {
    let mut tx = b.scoped_write(&TenantScope::all_tenants()).await?;
    let (status, next) = match retry_at {
        Some(at) => ("pending", at),
        None => ("failed", now_us),
    };
    let recorded = Sql::new(
        "UPDATE alert_outbox SET status = $1, attempts = attempts + 1, \
                     next_attempt_at = $2, last_error = $3, claimed_until = NULL \
                     WHERE id = $4 AND claimed_until = $5",
    )
    .bind(status)
    .bind(next)
    .bind(error)
    .bind(delivery.id)
    .bind(delivery.claim)
    .execute(&mut tx)
    .await?;
    if recorded == 0 {
        return Ok(Health::ClaimLost);
    }
    let health: Option<(i64, Option<i64>)> = Sql::new(
        "UPDATE alert_destinations SET consecutive_failures = consecutive_failures + 1, \
                     last_error = $1, last_failure_at = $2 WHERE id = $3 \
                     RETURNING consecutive_failures, failing_since",
    )
    .bind(error)
    .bind(now_us)
    .bind(delivery.destination_id)
    .fetch_optional(&mut tx)
    .await?;
    let became = matches!(health, Some((n, None)) if n >= FAILING_AFTER);
    if became {
        Sql::new("UPDATE alert_destinations SET failing_since = $1 WHERE id = $2")
            .bind(now_us)
            .bind(delivery.destination_id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(if became {
        Health::BecameFailing
    } else {
        Health::Unchanged
    })
}

pub(crate) async fn fire_silences<B: Backend>(b: &B, now_us: i64) -> Result<Vec<Silence>, DbError> {
    let mut tx = b.scoped_write(&TenantScope::all_tenants()).await?;
    let watches: Vec<SilenceWatch> = Sql::new(SILENCE_WATCHES)
        .bind(SELF_TENANT)
        .bind(USUAL_EVENTS - 1)
        .fetch_all(&mut tx)
        .await?;
    let mut fired = Vec::new();
    for w in watches.into_iter().filter(|w| w.is_silent(now_us)) {
        let summary = w.summary();
        let firing: Option<i64> = Scalar::new(
            "INSERT INTO alert_firings (rule_id, tenant_id, dedupe_key, matched, at, \
                         summary, created_at) VALUES ($1, $2, $3, 0, $4, $5, $6) \
                         ON CONFLICT (rule_id, dedupe_key) DO NOTHING RETURNING id",
        )
        .bind(w.rule_id)
        .bind(w.tenant_id)
        .bind(format!("silent:{}:{}", w.tenant_id, w.head_seq))
        .bind(w.last_at)
        .bind(&summary)
        .bind(now_us)
        .fetch_optional(&mut tx)
        .await?;
        let Some(firing) = firing else { continue };
        Sql::new(
            "INSERT INTO alert_outbox (firing_id, destination_id, next_attempt_at, \
                         created_at) SELECT $1, destination_id, $2, $2 \
                         FROM alert_rule_destinations WHERE rule_id = $3",
        )
        .bind(firing)
        .bind(now_us)
        .bind(w.rule_id)
        .execute(&mut tx)
        .await?;
        fired.push(Silence {
            rule: w.rule_name.clone(),
            tenant: w.tenant_slug.clone(),
            last_event_at: w.last_at,
        });
    }
    tx.commit().await?;
    Ok(fired)
}
