//! The analytics page's counts on either backend: which table answers each
//! is decided in `select`; this runs them in one read transaction.

use crate::model::EventFilter;
use crate::store::{
    backend::{Backend, Tx},
    error::DbError,
    scope::TenantScope,
    tallies::{
        api::{HourCount, KeyCount, Tallies, TallySource, TallyStore, Totals},
        failing_ips::{select_candidates, select_totals as select_ip_totals, Plan},
        pick::{auth_filter, whole_days, Need, Table},
        select::{
            select_distinct_actors, select_failing_ips, select_hours, select_mix,
            select_top_actors, select_totals,
        },
    },
    tenants::tenant_ids,
};
use async_trait::async_trait;

#[async_trait]
impl<B: Backend> TallyStore for B {
    #[tracing::instrument(skip(self))]
    async fn tally(&self, scope: &TenantScope, filter: &EventFilter) -> Result<Tallies, DbError> {
        let source = TallySource::for_filter(filter);
        let by_day = whole_days(filter);
        let pick = |filter: &EventFilter, need: Need| Table::pick(source, filter, need);
        let actor = ["actor_id", "actor_name", "actor_email"];
        let per_actor = Need {
            group: &actor,
            last_at: true,
            by_day,
            ..Need::default()
        };
        let mut tx = self.scoped_report(scope).await?;
        // The activity charts follow the viewer's zone: always by hour.
        let series_table = pick(
            filter,
            Need {
                group: &["category", "outcome"],
                ..Need::default()
            },
        );
        let series = select_hours(series_table, "category", "outcome", scope, filter)
            .fetch_all(&mut tx)
            .await?;
        let mix_table = pick(
            filter,
            Need {
                group: &["action", "event_type", "category", "outcome"],
                by_day,
                ..Need::default()
            },
        );
        let mix = select_mix(mix_table, scope, filter)
            .fetch_all(&mut tx)
            .await?;
        let top_actors = select_top_actors(pick(filter, per_actor), scope, filter, false)
            .fetch_all(&mut tx)
            .await?;
        let distinct_table = pick(
            filter,
            Need {
                group: &["actor_id"],
                by_day,
                ..Need::default()
            },
        );
        let distinct_actors = select_distinct_actors(distinct_table, scope, filter)
            .scalar()
            .fetch_one(&mut tx)
            .await?;
        let (mut auth_series, mut failing_ips, mut failing_accounts) =
            (Vec::new(), Vec::new(), Vec::new());
        if let Some(auth) = auth_filter(filter) {
            let auth_table = pick(
                &auth,
                Need {
                    group: &["action", "outcome"],
                    ..Need::default()
                },
            );
            auth_series = select_hours(auth_table, "action", "outcome", scope, &auth)
                .fetch_all(&mut tx)
                .await?;
            let ips = Need {
                group: &["ip"],
                failing: true,
                by_day,
                ..Need::default()
            };
            let ips_table = pick(&auth, ips);
            let heavy = match Plan::of(&auth).filter(|_| ips_table.is_table("rollup_failing_ips")) {
                Some(plan) => heavy_failing_ips::<B>(&mut tx, scope, &auth, &plan).await?,
                None => None,
            };
            failing_ips = match heavy {
                Some(ips) => ips,
                None => {
                    select_failing_ips(ips_table, scope, &auth)
                        .fetch_all(&mut tx)
                        .await?
                }
            };
            let accounts = Need {
                failing: true,
                ..per_actor
            };
            failing_accounts = select_top_actors(pick(&auth, accounts), scope, &auth, true)
                .fetch_all(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Tallies {
            source,
            series,
            mix,
            auth_series,
            top_actors,
            distinct_actors,
            failing_ips,
            failing_accounts,
        })
    }

    #[tracing::instrument(skip(self))]
    async fn activity(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
    ) -> Result<Vec<HourCount>, DbError> {
        let source = TallySource::for_filter(filter);
        let mut tx = self.scoped_report(scope).await?;
        let hours = select_hours(
            Table::pick(
                source,
                filter,
                Need {
                    group: &["outcome"],
                    ..Need::default()
                },
            ),
            "outcome",
            "outcome",
            scope,
            filter,
        )
        .fetch_all(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(hours)
    }

    #[tracing::instrument(skip(self))]
    async fn tally_totals(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
    ) -> Result<Totals, DbError> {
        let source = TallySource::for_filter(filter);
        let by_day = whole_days(filter);
        let mut tx = self.scoped_report(scope).await?;
        let totals = Need {
            group: &["outcome"],
            by_day,
            ..Need::default()
        };
        let (events, failures): (i64, i64) =
            select_totals(Table::pick(source, filter, totals), scope, filter)
                .fetch_one(&mut tx)
                .await?;
        let distinct_actors = select_distinct_actors(
            Table::pick(
                source,
                filter,
                Need {
                    group: &["actor_id"],
                    by_day,
                    ..Need::default()
                },
            ),
            scope,
            filter,
        )
        .scalar()
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Totals {
            events,
            failures,
            distinct_actors,
        })
    }

    async fn rollup_mismatches(&self) -> Result<Vec<&'static str>, DbError> {
        super::exact::rollup_mismatches(self).await
    }
}

/// The top failing addresses from the heavy candidates, when that provably
/// gives the full count's answer (`failing_ips`).
async fn heavy_failing_ips<B: Backend>(
    tx: &mut Tx<B>,
    scope: &TenantScope,
    filter: &EventFilter,
    plan: &Plan,
) -> Result<Option<Vec<KeyCount>>, DbError> {
    let candidates: Vec<String> = select_candidates(scope, filter)
        .scalar()
        .fetch_all(&mut *tx)
        .await?;
    if !Plan::worth_it(candidates.len()) {
        return Ok(None);
    }
    let tenants: Vec<i64> = match scope.tenant_id() {
        Some(id) => vec![id],
        None => tenant_ids::<B>(tx).await?,
    };
    let totals: Vec<(String, i64)> = select_ip_totals(scope, filter, plan, &tenants, &candidates)
        .fetch_all(&mut *tx)
        .await?;
    Ok(plan.proves(&totals, tenants.len()).then(|| {
        totals
            .into_iter()
            .map(|(key, n)| KeyCount { key, n })
            .collect()
    }))
}
