//! The short runs of the reliability suite, in CI: the same drivers as
//! `logbook-reliability`, with fewer trials.

use reliability::{api_spec, crash, db_restart, disk_full, load};
use std::time::Duration;
use tokio::sync::Mutex;

/// One fault at a time: each loads both cores, and a second run beside it
/// would be measured instead of the fault.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_event_survives_five_kill_9s_under_eight_ingest_clients() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let report = crash::run(&crash::CrashConfig {
        kills: 5,
        clients: 8,
        max_run: Duration::from_millis(1_200),
        seed: 5,
        backend: crash::Backend::Sqlite,
    })
    .await;
    report.print();
    assert_eq!(report.problems(), Vec::<String>::new());
    assert!(
        report.resent > 0 || report.unanswered_absent + report.unanswered_stored > 0,
        "no kill caught a request in flight"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_event_survives_three_kill_9s_of_a_server_on_postgresql() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let report = crash::run(&crash::CrashConfig {
        kills: 3,
        clients: 8,
        max_run: Duration::from_millis(1_200),
        seed: 7,
        backend: crash::Backend::Postgres,
    })
    .await;
    report.print();
    assert_eq!(report.problems(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_ingest_with_a_503_keeps_the_dashboard_readable_and_resumes_once_freed()
{
    let _turn = ONE_AT_A_TIME.lock().await;
    let report = disk_full::run(24, 4).await;
    report.print();
    assert_eq!(report.problems(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_stopped_for_five_seconds_under_ingest_gets_fast_503s_and_loses_nothing() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let report = db_restart::run(Duration::from_secs(5), 8).await;
    report.print();
    assert_eq!(report.problems(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_seconds_of_steady_ingest_from_64_clients_beside_staff_pages_fail_no_request() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let report = load::run(&load::LoadConfig {
        clients: 64,
        rate: 1_000,
        batch: 10,
        staff: 2,
        duration: Duration::from_secs(20),
    })
    .await;
    report.print();
    assert_eq!(report.problems(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_schemathesis_requests_find_no_5xx_and_no_answer_the_openapi_document_does_not_describe(
) {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Seeded: the same requests on every run; the long run explores.
    let report = api_spec::run(api_spec::Budget::Seeded {
        seed: 20261207,
        examples: 300,
    })
    .await;
    report.print();
    assert_eq!(report.problems(), Vec::<String>::new());
}
