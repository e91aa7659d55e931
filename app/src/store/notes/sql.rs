//! Notes on either backend.

use crate::model::{Note, NoteKind};
use crate::store::{
    backend::Backend,
    error::DbError,
    events::columns::micros_to_time,
    notes::api::{NewNote, NoteStore, NoteSummary},
    scope::TenantScope,
    sql::Sql,
};
use async_trait::async_trait;
use std::collections::HashMap;

/// `(id, event_id, kind, body, author, created_at)` of a stored note.
type NoteRow = (i64, String, String, String, String, i64);

fn note_from_row(row: NoteRow) -> Result<Note, DbError> {
    let (id, event_id, kind, text, author, created_us) = row;
    Ok(Note {
        id,
        event_id,
        kind: kind
            .parse()
            .map_err(|e: crate::model::ParseEnumError| DbError::Corrupt(e.to_string()))?,
        text,
        author,
        created_at: micros_to_time(created_us)?,
    })
}

#[async_trait]
impl<B: Backend> NoteStore for B {
    #[tracing::instrument(skip(self, note), fields(event = %note.event_id))]
    async fn add_note(&self, scope: &TenantScope, note: &NewNote) -> Result<Option<Note>, DbError> {
        const SELECT: &str = "SELECT id, event_id, kind, body, author, created_at FROM event_notes";
        let mut tx = self.scoped_write(scope).await?;
        // The event's tenant, if the scope sees the event at all.
        let mut qb =
            Sql::new("SELECT e.tenant_id, e.occurred_at, e.seq FROM events e WHERE e.id = ");
        qb.push_bind(note.event_id.clone());
        scope.push_sql(&mut qb, "e.tenant_id");
        let event: Option<(i64, i64, i64)> = qb.fetch_optional(&mut tx).await?;
        let Some((tenant_id, occurred_at, seq)) = event else {
            return Ok(None);
        };
        if note.kind == NoteKind::Tag {
            let existing: Option<NoteRow> = Sql::new(format!(
                "{SELECT} WHERE kind = 'tag' AND body = $1 AND event_id = $2"
            ))
            .bind(&note.text)
            .bind(&note.event_id)
            .fetch_optional(&mut tx)
            .await?;
            if let Some(row) = existing {
                return note_from_row(row).map(Some);
            }
        }
        let row: NoteRow = Sql::new(
            "INSERT INTO event_notes (event_id, tenant_id, kind, body, author_id, author, \
                     created_at, event_occurred_at, event_seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     RETURNING id, event_id, kind, body, author, created_at",
        )
        .bind(&note.event_id)
        .bind(tenant_id)
        .bind(note.kind.as_str())
        .bind(&note.text)
        .bind(note.author_id)
        .bind(&note.author)
        .bind(chrono::Utc::now().timestamp_micros())
        .bind(occurred_at)
        .bind(seq)
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        note_from_row(row).map(Some)
    }

    async fn notes(&self, scope: &TenantScope, event_id: &str) -> Result<Vec<Note>, DbError> {
        let mut qb = Sql::new(
            "SELECT n.id, n.event_id, n.kind, n.body, n.author, n.created_at \
                     FROM event_notes n JOIN events e ON e.id = n.event_id WHERE n.event_id = ",
        );
        qb.push_bind(event_id.to_string());
        scope.push_sql(&mut qb, "e.tenant_id");
        qb.push(" ORDER BY n.id");
        let mut tx = self.scoped_read(scope).await?;
        let rows: Vec<NoteRow> = qb.fetch_all(&mut tx).await?;
        tx.commit().await?;
        rows.into_iter().map(note_from_row).collect()
    }

    async fn note_summaries(
        &self,
        scope: &TenantScope,
        event_ids: &[String],
    ) -> Result<HashMap<String, NoteSummary>, DbError> {
        let mut out = HashMap::<String, NoteSummary>::new();
        if event_ids.is_empty() {
            return Ok(out);
        }
        let mut qb = Sql::new(
            "SELECT n.event_id, n.kind, CASE WHEN n.kind = 'tag' THEN n.body ELSE '' END \
                     FROM event_notes n WHERE n.event_id IN (",
        );
        qb.push_list(event_ids);
        qb.push(")");
        scope.push_sql(&mut qb, "n.tenant_id");
        qb.push(" ORDER BY n.id");
        let mut tx = self.scoped_read(scope).await?;
        let rows: Vec<(String, String, String)> = qb.fetch_all(&mut tx).await?;
        tx.commit().await?;
        for (event_id, kind, tag) in rows {
            let summary = out.entry(event_id).or_default();
            if kind == NoteKind::Tag.as_str() {
                summary.tags.push(tag);
            } else {
                summary.comments += 1;
            }
        }
        Ok(out)
    }
}
