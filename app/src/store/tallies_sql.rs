//! The `TallyStore` implementation both backends share.

macro_rules! sql_tally_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// The top failing addresses from the heavy candidates, when
            /// that provably gives the full count's answer (`failing_ips`).
            async fn heavy_failing_ips(
                tx: &mut sqlx::Transaction<'static, $db>,
                scope: &TenantScope,
                filter: &EventFilter,
                plan: &$crate::store::failing_ips::Plan,
            ) -> Result<Option<Vec<$crate::store::KeyCount>>, DbError> {
                use $crate::store::failing_ips::*;
                let candidates: Vec<String> = select_candidates::<$db>(scope, filter)
                    .build_query_scalar()
                    .fetch_all(&mut **tx)
                    .await?;
                if !Plan::worth_it(candidates.len()) {
                    return Ok(None);
                }
                let tenants: Vec<i64> = match scope.tenant_id() {
                    Some(id) => vec![id],
                    None => {
                        sqlx::query_scalar("SELECT id FROM tenants ORDER BY id")
                            .fetch_all(&mut **tx)
                            .await?
                    }
                };
                let totals: Vec<(String, i64)> =
                    select_totals::<$db>(scope, filter, plan, &tenants, &candidates)
                        .build_query_as()
                        .fetch_all(&mut **tx)
                        .await?;
                Ok(plan.proves(&totals, tenants.len()).then(|| {
                    totals
                        .into_iter()
                        .map(|(key, n)| $crate::store::KeyCount { key, n })
                        .collect()
                }))
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::TallyStore for $store {
            #[tracing::instrument(skip(self))]
            async fn tally(
                &self,
                scope: &TenantScope,
                filter: &EventFilter,
            ) -> Result<$crate::store::Tallies, DbError> {
                use $crate::store::tallies::*;
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
                let mut tx = self.scoped_read(scope).await?;
                // The activity charts follow the viewer's zone: always by hour.
                let series_table = pick(
                    filter,
                    Need {
                        group: &["category", "outcome"],
                        ..Need::default()
                    },
                );
                let series =
                    select_hours::<$db>(series_table, "category", "outcome", scope, filter)
                        .build_query_as()
                        .fetch_all(&mut *tx)
                        .await?;
                let mix_table = pick(
                    filter,
                    Need {
                        group: &["action", "event_type", "category", "outcome"],
                        by_day,
                        ..Need::default()
                    },
                );
                let mix = select_mix::<$db>(mix_table, scope, filter)
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                let top_actors =
                    select_top_actors::<$db>(pick(filter, per_actor), scope, filter, false)
                        .build_query_as()
                        .fetch_all(&mut *tx)
                        .await?;
                let distinct_table = pick(
                    filter,
                    Need {
                        group: &["actor_id"],
                        by_day,
                        ..Need::default()
                    },
                );
                let distinct_actors = select_distinct_actors::<$db>(distinct_table, scope, filter)
                    .build_query_scalar()
                    .fetch_one(&mut *tx)
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
                    auth_series =
                        select_hours::<$db>(auth_table, "action", "outcome", scope, &auth)
                            .build_query_as()
                            .fetch_all(&mut *tx)
                            .await?;
                    let ips = Need {
                        group: &["ip"],
                        failing: true,
                        by_day,
                        ..Need::default()
                    };
                    let ips_table = pick(&auth, ips);
                    let heavy = match $crate::store::failing_ips::Plan::of(&auth)
                        .filter(|_| ips_table.is_table("rollup_failing_ips"))
                    {
                        Some(plan) => Self::heavy_failing_ips(&mut tx, scope, &auth, &plan).await?,
                        None => None,
                    };
                    failing_ips = match heavy {
                        Some(ips) => ips,
                        None => {
                            select_failing_ips::<$db>(ips_table, scope, &auth)
                                .build_query_as()
                                .fetch_all(&mut *tx)
                                .await?
                        }
                    };
                    let accounts = Need {
                        failing: true,
                        ..per_actor
                    };
                    failing_accounts =
                        select_top_actors::<$db>(pick(&auth, accounts), scope, &auth, true)
                            .build_query_as()
                            .fetch_all(&mut *tx)
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
            ) -> Result<Vec<$crate::store::HourCount>, DbError> {
                use $crate::store::tallies::*;
                let source = TallySource::for_filter(filter);
                let mut tx = self.scoped_read(scope).await?;
                let hours = select_hours::<$db>(
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
                .build_query_as()
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(hours)
            }

            #[tracing::instrument(skip(self))]
            async fn tally_totals(
                &self,
                scope: &TenantScope,
                filter: &EventFilter,
            ) -> Result<$crate::store::Totals, DbError> {
                use $crate::store::tallies::*;
                let source = TallySource::for_filter(filter);
                let by_day = whole_days(filter);
                let mut tx = self.scoped_read(scope).await?;
                let totals = Need {
                    group: &["outcome"],
                    by_day,
                    ..Need::default()
                };
                let (events, failures): (i64, i64) =
                    select_totals::<$db>(Table::pick(source, filter, totals), scope, filter)
                        .build_query_as()
                        .fetch_one(&mut *tx)
                        .await?;
                let distinct_actors = select_distinct_actors::<$db>(
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
                .build_query_scalar()
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Totals {
                    events,
                    failures,
                    distinct_actors,
                })
            }
        }
    };
}

pub(crate) use sql_tally_store;
