//! Exports round-trip: what a file says is exactly what the store holds for
//! the same filter and scope, on both backends, in every format.

use crate::support::{backends, event};
use app::{
    export::{Chunk, ExportError, ExportJob, Progress, COLUMNS},
    model::{Event, EventFilter, ExportFormat, PageRequest},
    store::{Store, TenantScope},
};
use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};
use std::{io::Cursor, sync::Arc};
use tokio::sync::mpsc;

/// Two tenants; acme's events include values a spreadsheet would run.
async fn seed(store: &dyn Store) -> (i64, i64) {
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
    let mut batch: Vec<_> = (0..23)
        .map(|i| event(i, "balance.added", "alice"))
        .collect();
    batch[3].description = "=HYPERLINK(\"http://evil\",\"x\")".into();
    batch[4].description = "-5 credits taken".into();
    batch[5].actor.email = Some("@admin".into());
    batch[6].after = Some(json!({ "note": "line one\nline \"two\", with comma", "amount": -12.5 }));
    // The export joins packed rows with 0x1E: stored text may hold it too.
    batch[7].description = "record\u{1e}and unit\u{1f}separators".into();
    // User agents are read from their dictionary (`store::events::user_agents`).
    batch[8].user_agent = Some("Mozilla/5.0 (X11; Linux x86_64)".into());
    batch[9].user_agent = None;
    store.append(acme.id, &batch, None).await.unwrap();
    store
        .append(globex.id, &[event(1, "balance.added", "mallory")], None)
        .await
        .unwrap();
    (acme.id, globex.id)
}

async fn export(
    store: &Arc<dyn Store>,
    scope: TenantScope,
    format: ExportFormat,
    per_sheet: u32,
) -> Vec<u8> {
    export_filtered(store, scope, EventFilter::default(), format, per_sheet).await
}

async fn export_filtered(
    store: &Arc<dyn Store>,
    scope: TenantScope,
    filter: EventFilter,
    format: ExportFormat,
    per_sheet: u32,
) -> Vec<u8> {
    let (out, mut chunks) = mpsc::channel::<Chunk>(4);
    let mut job = ExportJob::new(store.clone(), scope, filter, format);
    job.rows_per_sheet = per_sheet;
    let progress = Progress::default();
    let collect = async {
        let mut bytes = Vec::new();
        while let Some(chunk) = chunks.recv().await {
            bytes.extend(chunk.unwrap());
        }
        bytes
    };
    let (rows, bytes) = tokio::join!(job.run(out, &progress), collect);
    assert_eq!(rows.unwrap(), progress.status().rows);
    bytes
}

async fn expected(store: &dyn Store, scope: &TenantScope) -> Vec<Event> {
    store
        .list_events(scope, &EventFilter::default(), &PageRequest::first(500))
        .await
        .unwrap()
        .events
}

fn column(name: &str) -> usize {
    COLUMNS.iter().position(|c| *c == name).unwrap()
}

#[tokio::test]
async fn a_csv_export_parses_back_to_the_stores_rows_with_formulas_neutralised() {
    for store in backends().await {
        let (acme, _) = seed(&*store).await;
        let scope = TenantScope::tenant(acme);
        let bytes = export(&store, scope.clone(), ExportFormat::Csv, 0).await;
        let text = String::from_utf8(bytes).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(
            reader.headers().unwrap().iter().collect::<Vec<_>>(),
            COLUMNS.to_vec()
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let events = expected(&*store, &scope).await;
        assert_eq!(rows.len(), 23, "{}", store.backend());
        for (row, e) in rows.iter().zip(&events) {
            assert_eq!(&row[column("id")], e.id);
            assert_eq!(&row[column("tenant")], "acme");
            assert_eq!(row[column("seq")].parse::<i64>().unwrap(), e.seq);
            assert!(row[column("occurred_at")].ends_with("+00:00"));
            let before: Value = serde_json::from_str(&row[column("before")]).unwrap();
            assert_eq!(Some(before), e.before);
            let after: Value = serde_json::from_str(&row[column("after")]).unwrap();
            assert_eq!(Some(after), e.after);
            assert_eq!(&row[column("hash")], e.hash);
            let agent = e.user_agent.as_deref().unwrap_or("");
            assert_eq!(&row[column("user_agent")], agent);
        }
        let agents: std::collections::HashSet<&str> =
            rows.iter().map(|r| &r[column("user_agent")]).collect();
        assert_eq!(agents.len(), 3, "two texts and none: {agents:?}");
        let descriptions: Vec<&str> = rows.iter().map(|r| &r[column("description")]).collect();
        assert!(descriptions.contains(&"'=HYPERLINK(\"http://evil\",\"x\")"));
        assert!(descriptions.contains(&"'-5 credits taken"));
        let emails: Vec<&str> = rows.iter().map(|r| &r[column("actor_email")]).collect();
        assert!(emails.contains(&"'@admin"));
        assert!(
            emails.contains(&"alice@example.com"),
            "an @ inside stays as it is"
        );
    }
}

#[tokio::test]
async fn json_and_ndjson_exports_carry_changes_as_objects() {
    for store in backends().await {
        let (acme, _) = seed(&*store).await;
        let scope = TenantScope::tenant(acme);
        let events = expected(&*store, &scope).await;
        let json: Vec<Value> =
            serde_json::from_slice(&export(&store, scope.clone(), ExportFormat::Json, 0).await)
                .unwrap();
        let ndjson = export(&store, scope.clone(), ExportFormat::Ndjson, 0).await;
        let lines: Vec<Value> = ndjson
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(json, lines);
        assert_eq!(json.len(), events.len());
        for (record, e) in json.iter().zip(&events) {
            assert_eq!(record["id"], e.id.as_str());
            assert_eq!(record["after"], e.after.clone().unwrap());
            assert_eq!(record["metadata"], e.metadata.clone().unwrap());
            assert_eq!(record["actor"]["email"], e.actor.email.clone().unwrap());
            assert!(record["occurred_at"].as_str().unwrap().ends_with("+00:00"));
            // JSON is not a spreadsheet: values are exactly as stored.
            assert_eq!(record["description"], e.description.as_str());
        }
        let empty = export(
            &store,
            app::store::TenantScope::nothing(),
            ExportFormat::Json,
            0,
        )
        .await;
        assert_eq!(serde_json::from_slice::<Value>(&empty).unwrap(), json!([]));
    }
}

#[tokio::test]
async fn an_excel_export_splits_rows_across_sheets_and_says_so() {
    for store in backends().await {
        let (acme, _) = seed(&*store).await;
        let scope = TenantScope::tenant(acme);
        let events = expected(&*store, &scope).await;
        // 10 rows a sheet stands in for Excel's 1,048,575.
        let bytes = export(&store, scope, ExportFormat::Xlsx, 10).await;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec!["About", "Events 1", "Events 2", "Events 3"]
        );
        let about = book.worksheet_range("About").unwrap();
        let about_text: Vec<String> = about
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert!(about_text.iter().any(|l| l == "Rows 23"), "{about_text:?}");
        assert!(
            about_text
                .iter()
                .any(|l| l.contains("Split across sheets Events 1 to Events 3")),
            "{about_text:?}"
        );
        let mut rows = Vec::new();
        for name in ["Events 1", "Events 2", "Events 3"] {
            let range = book.worksheet_range(name).unwrap();
            let mut sheet = range.rows();
            let header: Vec<String> = sheet
                .next()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            assert_eq!(header, COLUMNS.to_vec());
            rows.extend(sheet.map(|r| r.to_vec()));
        }
        assert_eq!(rows.len(), 23, "{}", store.backend());
        for (row, e) in rows.iter().zip(&events) {
            assert_eq!(row[column("id")].to_string(), e.id);
            assert_eq!(
                row[column("seq")],
                Data::Float(e.seq as f64),
                "seq is a number"
            );
            let after: Value = serde_json::from_str(&row[column("after")].to_string()).unwrap();
            assert_eq!(Some(after), e.after);
        }
        assert!(rows
            .iter()
            .any(|r| r[column("description")] == "'=HYPERLINK(\"http://evil\",\"x\")"));
    }
}

#[tokio::test]
async fn an_export_in_a_partners_scope_holds_only_that_tenant_and_can_be_cancelled() {
    for store in backends().await {
        let (_, globex) = seed(&*store).await;
        let bytes = export(&store, TenantScope::tenant(globex), ExportFormat::Ndjson, 0).await;
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(text.contains("\"tenant\":\"globex\"") && !text.contains("acme"));

        let (out, _chunks) = mpsc::channel::<Chunk>(4);
        let progress = Progress::default();
        progress.cancel();
        let job = ExportJob::new(
            store.clone(),
            TenantScope::all_tenants(),
            EventFilter::default(),
            ExportFormat::Csv,
        );
        assert!(matches!(
            job.run(out, &progress).await,
            Err(ExportError::Cancelled)
        ));
    }
}

/// The ids in an NDJSON export, in file order.
fn ndjson_ids(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn an_export_of_any_kind_of_filter_across_tenants_holds_what_the_table_shows() {
    for store in backends().await {
        let (acme, globex) = seed(&*store).await;
        let others: Vec<_> = (30..40)
            .map(|i| {
                event(
                    i,
                    if i % 2 == 0 {
                        "key.reset"
                    } else {
                        "balance.added"
                    },
                    "bob",
                )
            })
            .collect();
        store.append(acme, &others, None).await.unwrap();
        store
            .append(globex, &[event(2, "key.reset", "alice")], None)
            .await
            .unwrap();
        let scope = TenantScope::all_tenants();
        for (query, rows) in [
            // Action alternatives and an actor over every tenant: one branch
            // per tenant, actor column and action, merged.
            ("actor:alice action:key.reset action:balance.added", 23 + 1),
            // A tenant by slug and a word: one indexed read.
            ("tenant:acme bob", 10),
            // Exclusions only: the time index across tenants.
            ("-actor:alice", 10 + 1),
        ] {
            let filter = EventFilter::parse_query(query).unwrap();
            let listed: Vec<String> = store
                .list_events(&scope, &filter, &PageRequest::first(500))
                .await
                .unwrap()
                .events
                .into_iter()
                .map(|e| e.id)
                .collect();
            let bytes =
                export_filtered(&store, scope.clone(), filter, ExportFormat::Ndjson, 0).await;
            assert_eq!(listed.len(), rows, "{}: {query}", store.backend());
            assert_eq!(ndjson_ids(&bytes), listed, "{}: {query}", store.backend());
        }
    }
}

#[tokio::test]
async fn an_export_over_many_pages_holds_every_row_once_in_order_even_where_times_tie() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        // 4,500 rows (past two pages of 2,000), three to a minute: pages
        // end in the middle of runs of equal times, ordered by chain position.
        let batch: Vec<_> = (0..4_500)
            .map(|i| event(i / 3, "license.created", "alice"))
            .collect();
        store.append(acme.id, &batch, None).await.unwrap();
        let scope = TenantScope::tenant(acme.id);
        let bytes = export(&store, scope.clone(), ExportFormat::Ndjson, 0).await;
        let ids = ndjson_ids(&bytes);
        let mut expected: Vec<(i64, usize, String)> = batch
            .iter()
            .enumerate()
            .map(|(seq, e)| (e.occurred_at.timestamp_micros(), seq, e.id.clone()))
            .collect();
        expected.sort_by(|a, b| b.cmp(a));
        let expected: Vec<String> = expected.into_iter().map(|(_, _, id)| id).collect();
        assert_eq!(ids.len(), 4_500, "{}", store.backend());
        assert!(
            ids == expected,
            "{}: rows out of order or repeated",
            store.backend()
        );
    }
}
