//! Alert rules, destinations and the delivery outbox on either backend.

use crate::store::{
    alerts::{
        api::AlertStore,
        rows::{
            DeliveryRow, DestinationRow, RuleRow, DELIVERY_SELECT, DESTINATION_SELECT, RULE_SELECT,
        },
    },
    backend::Backend,
    error::DbError,
    scope::TenantScope,
    sql::{Scalar, Sql},
};
use async_trait::async_trait;

use super::outbox;

#[async_trait]
impl<B: Backend> AlertStore for B {
    async fn alert_rules(
        &self,
        scope: &TenantScope,
    ) -> Result<Vec<crate::model::AlertRule>, DbError> {
        let mut qb = Sql::new(RULE_SELECT);
        scope.push_sql(&mut qb, "r.tenant_id");
        qb.push(" ORDER BY r.name, r.id");
        let rows: Vec<RuleRow> = qb.fetch_all(self.read()).await?;
        let links: Vec<(i64, i64)> = Sql::new(
            "SELECT rule_id, destination_id FROM alert_rule_destinations \
                     ORDER BY destination_id",
        )
        .fetch_all(self.read())
        .await?;
        rows.into_iter().map(|row| row.into_rule(&links)).collect()
    }

    async fn save_alert_rule(
        &self,
        scope: &TenantScope,
        rule: &crate::store::RuleInput,
    ) -> Result<Option<crate::model::AlertRule>, DbError> {
        if !scope.allows(rule.tenant_id) {
            return Ok(None);
        }
        let now = chrono::Utc::now().timestamp_micros();
        let mut tx = self.scoped_write(scope).await?;
        for destination in &rule.destinations {
            let owner: Option<Option<i64>> =
                Scalar::new("SELECT tenant_id FROM alert_destinations WHERE id = $1")
                    .bind(destination)
                    .fetch_optional(&mut tx)
                    .await?;
            // A tenant's destination only ever hears about that tenant.
            let fits = owner.is_some_and(|owner| {
                scope.allows(owner) && (owner.is_none() || owner == rule.tenant_id)
            });
            if !fits {
                return Ok(None);
            }
        }
        let threshold = rule.threshold.map(|t| {
            (
                i64::from(t.count),
                i64::from(t.window_secs),
                t.group_by.as_str().to_string(),
            )
        });
        let id: i64 = match rule.id {
            Some(id) => {
                let owner: Option<Option<i64>> =
                    Scalar::new("SELECT tenant_id FROM alert_rules WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut tx)
                        .await?;
                if !owner.is_some_and(|owner| scope.allows(owner)) {
                    return Ok(None);
                }
                Sql::new(
                    "UPDATE alert_rules SET tenant_id = $1, name = $2, conditions = $3, \
                             threshold = $4, window_secs = $5, group_by = $6, silence_secs = $7, \
                             enabled = $8, updated_at = $9 WHERE id = $10",
                )
                .bind(rule.tenant_id)
                .bind(&rule.name)
                .bind(&rule.conditions)
                .bind(threshold.as_ref().map(|t| t.0))
                .bind(threshold.as_ref().map(|t| t.1))
                .bind(threshold.as_ref().map(|t| t.2.clone()))
                .bind(rule.silence_secs.map(i64::from))
                .bind(rule.enabled)
                .bind(now)
                .bind(id)
                .execute(&mut tx)
                .await?;
                Sql::new("DELETE FROM alert_rule_destinations WHERE rule_id = $1")
                    .bind(id)
                    .execute(&mut tx)
                    .await?;
                id
            }
            None => {
                Scalar::new(
                    "INSERT INTO alert_rules (tenant_id, name, conditions, threshold, \
                             window_secs, group_by, silence_secs, enabled, created_at, created_by, \
                             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) \
                             RETURNING id",
                )
                .bind(rule.tenant_id)
                .bind(&rule.name)
                .bind(&rule.conditions)
                .bind(threshold.as_ref().map(|t| t.0))
                .bind(threshold.as_ref().map(|t| t.1))
                .bind(threshold.as_ref().map(|t| t.2.clone()))
                .bind(rule.silence_secs.map(i64::from))
                .bind(rule.enabled)
                .bind(now)
                .bind(rule.by)
                .fetch_one(&mut tx)
                .await?
            }
        };
        for destination in &rule.destinations {
            Sql::new(
                "INSERT INTO alert_rule_destinations (rule_id, destination_id) \
                         VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(destination)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(self
            .alert_rules(scope)
            .await?
            .into_iter()
            .find(|r| r.id == id))
    }

    async fn delete_alert_rule(
        &self,
        scope: &TenantScope,
        id: i64,
    ) -> Result<Option<crate::model::AlertRule>, DbError> {
        let Some(rule) = self
            .alert_rules(scope)
            .await?
            .into_iter()
            .find(|r| r.id == id)
        else {
            return Ok(None);
        };
        Sql::new("DELETE FROM alert_rules WHERE id = $1")
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(Some(rule))
    }

    async fn alert_destinations(
        &self,
        scope: &TenantScope,
    ) -> Result<Vec<crate::model::AlertDestination>, DbError> {
        let mut qb = Sql::new(DESTINATION_SELECT);
        scope.push_sql(&mut qb, "d.tenant_id");
        qb.push(" ORDER BY d.name, d.id");
        let rows: Vec<DestinationRow> = qb.fetch_all(self.read()).await?;
        rows.into_iter()
            .map(DestinationRow::into_destination)
            .collect()
    }

    async fn save_alert_destination(
        &self,
        scope: &TenantScope,
        d: &crate::store::DestinationInput,
    ) -> Result<Option<crate::model::AlertDestination>, DbError> {
        if !scope.allows(d.tenant_id) {
            return Ok(None);
        }
        let id: i64 = Scalar::new(
            "INSERT INTO alert_destinations (tenant_id, name, kind, target, secret, \
                     created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(d.tenant_id)
        .bind(&d.name)
        .bind(d.kind.as_str())
        .bind(&d.target)
        .bind(&d.secret)
        .bind(chrono::Utc::now().timestamp_micros())
        .bind(d.by)
        .fetch_one(self.write())
        .await?;
        Ok(self
            .alert_destinations(scope)
            .await?
            .into_iter()
            .find(|x| x.id == id))
    }

    async fn delete_alert_destination(
        &self,
        scope: &TenantScope,
        id: i64,
    ) -> Result<Option<crate::model::AlertDestination>, DbError> {
        let Some(found) = self
            .alert_destinations(scope)
            .await?
            .into_iter()
            .find(|d| d.id == id)
        else {
            return Ok(None);
        };
        Sql::new("DELETE FROM alert_destinations WHERE id = $1")
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(Some(found))
    }

    async fn alert_deliveries(
        &self,
        scope: &TenantScope,
        limit: i64,
    ) -> Result<Vec<crate::model::AlertDelivery>, DbError> {
        let mut qb = Sql::new(DELIVERY_SELECT);
        scope.push_sql(&mut qb, "d.tenant_id");
        qb.push(" ORDER BY o.id DESC LIMIT ").push_bind(limit);
        let rows: Vec<DeliveryRow> = qb.fetch_all(self.read()).await?;
        rows.into_iter().map(DeliveryRow::into_delivery).collect()
    }

    async fn queue_test_message(
        &self,
        scope: &TenantScope,
        destination_id: i64,
        summary: &str,
        now_us: i64,
    ) -> Result<Option<i64>, DbError> {
        let Some(destination) = self
            .alert_destinations(scope)
            .await?
            .into_iter()
            .find(|d| d.id == destination_id)
        else {
            return Ok(None);
        };
        let mut tx = self.scoped_write(scope).await?;
        let firing: i64 = Scalar::new(
            "INSERT INTO alert_firings (tenant_id, dedupe_key, matched, at, summary, \
                     created_at) VALUES ($1, $2, 0, $3, $4, $3) RETURNING id",
        )
        .bind(destination.tenant.as_ref().map(|t| t.id))
        .bind(format!("test:{}", ulid::Ulid::new()))
        .bind(now_us)
        .bind(summary)
        .fetch_one(&mut tx)
        .await?;
        let id: i64 = Scalar::new(
            "INSERT INTO alert_outbox (firing_id, destination_id, next_attempt_at, \
                     created_at) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(firing)
        .bind(destination_id)
        .bind(now_us)
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn claim_deliveries(
        &self,
        now_us: i64,
        lease_us: i64,
        limit: i64,
        busy: &[i64],
    ) -> Result<Vec<crate::store::DueDelivery>, DbError> {
        outbox::claim_deliveries(self, now_us, lease_us, limit, busy).await
    }

    async fn release_deliveries(
        &self,
        claimed: &[crate::store::DueDelivery],
    ) -> Result<(), DbError> {
        outbox::release_deliveries(self, claimed).await
    }

    async fn delivery_sent(
        &self,
        delivery: &crate::store::DueDelivery,
        now_us: i64,
    ) -> Result<crate::store::Health, DbError> {
        outbox::delivery_sent(self, delivery, now_us).await
    }

    async fn delivery_failed(
        &self,
        delivery: &crate::store::DueDelivery,
        error: &str,
        now_us: i64,
        retry_at: Option<i64>,
    ) -> Result<crate::store::Health, DbError> {
        outbox::delivery_failed(self, delivery, error, now_us, retry_at).await
    }

    async fn fire_silences(&self, now_us: i64) -> Result<Vec<crate::store::Silence>, DbError> {
        outbox::fire_silences(self, now_us).await
    }
}
