//! A statement both databases run: SQL text with `$N` placeholders, the
//! values bound to them, and the ways to run it.
//!
//! Why not sqlx's `QueryBuilder` across the store: a builder or query that is
//! generic over the database needs one bound per bound type
//! (`i64: Encode<'q, DB> + Type<DB>`, …) and per row type, and Rust does not
//! imply such bounds from a trait, so every generic function repeated them
//! (or a macro wrote each function twice). Here values are owned and typed,
//! rows decode from either database's row, and `Dialect` (one impl per
//! database) binds and runs them: generic store code needs only `B: Backend`.
//! The method names follow sqlx's so that the SQL reads the same.

use super::{backend::Dialect, error::DbError};
use sqlx::{postgres::PgRow, sqlite::SqliteRow, Database, FromRow, Pool, Transaction};
use std::marker::PhantomData;

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
    /// JSON already serialised: stored as JSONB on PostgreSQL, TEXT on SQLite.
    Json(Option<String>),
    /// BYTEA on PostgreSQL, BLOB on SQLite.
    Bytes(Vec<u8>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}

impl From<&i64> for Arg {
    fn from(v: &i64) -> Arg {
        Arg::Int(Some(*v))
    }
}

impl From<i32> for Arg {
    fn from(v: i32) -> Arg {
        Arg::Int(Some(i64::from(v)))
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}

impl From<Option<i32>> for Arg {
    fn from(v: Option<i32>) -> Arg {
        Arg::Int(v.map(i64::from))
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(v)
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}

impl From<Option<&String>> for Arg {
    fn from(v: Option<&String>) -> Arg {
        Arg::Text(v.cloned())
    }
}

impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Arg {
        Arg::Text(v.clone())
    }
}

impl From<Vec<u8>> for Arg {
    fn from(v: Vec<u8>) -> Arg {
        Arg::Bytes(v)
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}

/// A row type both databases' rows decode into (derived `FromRow` structs
/// and tuples of plain values are).
pub trait FromRows:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> FromRows for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// Where a statement runs: inside a transaction, or on a pool's next free
/// connection.
pub enum On<'a, D: Database> {
    Conn(&'a mut D::Connection),
    Pool(&'a Pool<D>),
}

impl<'a, D: Database> From<&'a mut Transaction<'static, D>> for On<'a, D> {
    fn from(tx: &'a mut Transaction<'static, D>) -> Self {
        On::Conn(&mut **tx)
    }
}

impl<'a, D: Database> From<&'a Pool<D>> for On<'a, D> {
    fn from(pool: &'a Pool<D>) -> Self {
        On::Pool(pool)
    }
}

/// SQL text and its bound values, in placeholder order, for database `D`
/// (which only says where it may run: the text and values are the same).
pub struct Sql<D> {
    text: String,
    args: Vec<Arg>,
    db: PhantomData<fn() -> D>,
}

impl<D> std::fmt::Debug for Sql<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sql")
            .field("text", &self.text)
            .field("args", &self.args)
            .finish()
    }
}

impl<D> Sql<D> {
    pub fn new(text: impl Into<String>) -> Sql<D> {
        Sql {
            text: text.into(),
            args: Vec::new(),
            db: PhantomData,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// Binds the next value to a placeholder the text already holds (`$1`, …).
    pub fn bind(mut self, value: impl Into<Arg>) -> Sql<D> {
        self.args.push(value.into());
        self
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: impl AsRef<str>) -> &mut Sql<D> {
        self.text.push_str(text.as_ref());
        self
    }

    /// Decodes a single column instead of a row.
    pub fn scalar(self) -> Scalar<D> {
        Scalar(self)
    }
}

impl<D: Dialect> Sql<D> {
    /// Appends a placeholder (the database's own kind, see
    /// `Dialect::push_placeholder`) and binds `value` to it.
    pub fn push_bind(&mut self, value: impl Into<Arg>) -> &mut Sql<D> {
        self.args.push(value.into());
        D::push_placeholder(&mut self.text, self.args.len());
        self
    }

    /// Appends `$a, $b, …`, one placeholder per value.
    pub fn push_list<T: Into<Arg>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Sql<D> {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// Appends `($a, $b, …)`: one row of a multi-row INSERT.
    pub fn push_tuple(&mut self, values: impl IntoIterator<Item = Arg>) -> &mut Sql<D> {
        self.text.push('(');
        self.push_list(values);
        self.text.push(')');
        self
    }

    /// Runs the statement; how many rows it changed.
    pub async fn execute<'a>(&self, on: impl Into<On<'a, D>>) -> Result<u64, DbError> {
        match on.into() {
            On::Conn(conn) => D::execute(conn, self).await,
            On::Pool(pool) => D::execute(&mut *pool.acquire().await?, self).await,
        }
    }

    pub async fn fetch_all<'a, R: FromRows>(
        &self,
        on: impl Into<On<'a, D>>,
    ) -> Result<Vec<R>, DbError> {
        match on.into() {
            On::Conn(conn) => D::fetch_all(conn, self).await,
            On::Pool(pool) => D::fetch_all(&mut *pool.acquire().await?, self).await,
        }
    }

    pub async fn fetch_optional<'a, R: FromRows>(
        &self,
        on: impl Into<On<'a, D>>,
    ) -> Result<Option<R>, DbError> {
        match on.into() {
            On::Conn(conn) => D::fetch_optional(conn, self).await,
            On::Pool(pool) => D::fetch_optional(&mut *pool.acquire().await?, self).await,
        }
    }

    /// The first row; no row at all is an error, as with sqlx.
    pub async fn fetch_one<'a, R: FromRows>(&self, on: impl Into<On<'a, D>>) -> Result<R, DbError> {
        self.fetch_optional(on)
            .await?
            .ok_or(DbError::Sqlx(sqlx::Error::RowNotFound))
    }
}

/// A statement whose rows are one column each.
#[derive(Debug)]
pub struct Scalar<D>(Sql<D>);

impl<D> Scalar<D> {
    pub fn new(text: impl Into<String>) -> Scalar<D> {
        Scalar(Sql::new(text))
    }

    pub fn bind(self, value: impl Into<Arg>) -> Scalar<D> {
        Scalar(self.0.bind(value))
    }
}

impl<D: Dialect> Scalar<D> {
    pub async fn fetch_all<'a, T>(&self, on: impl Into<On<'a, D>>) -> Result<Vec<T>, DbError>
    where
        (T,): FromRows,
    {
        let rows: Vec<(T,)> = self.0.fetch_all(on).await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }

    pub async fn fetch_optional<'a, T>(
        &self,
        on: impl Into<On<'a, D>>,
    ) -> Result<Option<T>, DbError>
    where
        (T,): FromRows,
    {
        let row: Option<(T,)> = self.0.fetch_optional(on).await?;
        Ok(row.map(|(v,)| v))
    }

    pub async fn fetch_one<'a, T>(&self, on: impl Into<On<'a, D>>) -> Result<T, DbError>
    where
        (T,): FromRows,
    {
        let (v,): (T,) = self.0.fetch_one(on).await?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_the_order_values_are_bound() {
        let mut sql = Sql::<sqlx::Postgres>::new("SELECT 1 WHERE a = $1").bind(7_i64);
        sql.push(" AND b IN (").push_list(["x", "y"]).push(")");
        sql.push(" AND c = ").push_bind(Option::<i64>::None);
        assert_eq!(
            sql.text(),
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3) AND c = $4"
        );
        assert_eq!(
            sql.args(),
            &[
                Arg::Int(Some(7)),
                Arg::Text(Some("x".into())),
                Arg::Text(Some("y".into())),
                Arg::Int(None)
            ]
        );
    }

    #[test]
    fn sqlite_gets_anonymous_placeholders_which_it_binds_in_constant_time() {
        let mut sql = Sql::<sqlx::Sqlite>::new("SELECT 1 WHERE a = $1").bind(7_i64);
        sql.push(" AND b IN (").push_list(["x", "y"]).push(")");
        assert_eq!(sql.text(), "SELECT 1 WHERE a = $1 AND b IN (?, ?)");
    }
}
