//! The `TallyStore` implementation both backends share.

macro_rules! sql_tally_store {
    ($store:ty, $db:ty) => {
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
                // The activity charts follow the viewer's zone: always by hour.
                let hourly = Table::for_shape(source, filter, false);
                let shape = Table::for_shape(source, filter, by_day);
                let per_actor = Table::for_actors(source, by_day);
                let mut tx = self.scoped_read(scope).await?;
                let series = select_hours::<$db>(hourly, "category", "outcome", scope, filter)
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                let mix = select_mix::<$db>(shape, scope, filter)
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                let top_actors = select_top_actors::<$db>(per_actor, scope, filter, false)
                    .build_query_as()
                    .fetch_all(&mut *tx)
                    .await?;
                let distinct_actors = select_distinct_actors::<$db>(per_actor, scope, filter)
                    .build_query_scalar()
                    .fetch_one(&mut *tx)
                    .await?;
                let (mut auth_series, mut failing_ips, mut failing_accounts) =
                    (Vec::new(), Vec::new(), Vec::new());
                if let Some(auth) = auth_filter(filter) {
                    let hourly = Table::for_shape(source, &auth, false);
                    auth_series = select_hours::<$db>(hourly, "action", "outcome", scope, &auth)
                        .build_query_as()
                        .fetch_all(&mut *tx)
                        .await?;
                    failing_ips = select_failing_ips::<$db>(per_actor, scope, &auth)
                        .build_query_as()
                        .fetch_all(&mut *tx)
                        .await?;
                    failing_accounts = select_top_actors::<$db>(per_actor, scope, &auth, true)
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
            ) -> Result<($crate::store::TallySource, Vec<$crate::store::HourCount>), DbError> {
                use $crate::store::tallies::*;
                let source = TallySource::for_filter(filter);
                let mut tx = self.scoped_read(scope).await?;
                let hours = select_hours::<$db>(
                    Table::for_shape(source, filter, false),
                    "outcome",
                    "outcome",
                    scope,
                    filter,
                )
                .build_query_as()
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok((source, hours))
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
                let (events, failures): (i64, i64) =
                    select_totals::<$db>(Table::for_shape(source, filter, by_day), scope, filter)
                        .build_query_as()
                        .fetch_one(&mut *tx)
                        .await?;
                let distinct_actors =
                    select_distinct_actors::<$db>(Table::for_actors(source, by_day), scope, filter)
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
