//! Before and after values side by side, one row per field.

use leptos::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Unchanged,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub kind: ChangeKind,
}

/// Pairs the top-level fields of `before` and `after`. Values that are not
/// objects are compared as a single field named `value`.
pub fn diff_rows(before: Option<&Value>, after: Option<&Value>) -> Vec<ChangeRow> {
    let as_fields = |v: Option<&Value>| -> Vec<(String, Value)> {
        match v {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Some(other) => vec![("value".to_string(), other.clone())],
            None => vec![],
        }
    };
    let before = as_fields(before);
    let after = as_fields(after);
    let find = |fields: &[(String, Value)], name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let names: BTreeSet<String> = before
        .iter()
        .chain(after.iter())
        .map(|(k, _)| k.clone())
        .collect();
    names
        .into_iter()
        .map(|field| {
            let (b, a) = (find(&before, &field), find(&after, &field));
            let kind = match (&b, &a) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                (Some(b), Some(a)) if b != a => ChangeKind::Changed,
                _ => ChangeKind::Unchanged,
            };
            ChangeRow {
                field,
                before: b.map(|v| show(&v)),
                after: a.map(|v| show(&v)),
                kind,
            }
        })
        .collect()
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[component]
pub fn ChangesTable(before: Option<Value>, after: Option<Value>) -> impl IntoView {
    let rows = diff_rows(before.as_ref(), after.as_ref());
    if rows.is_empty() {
        return view! { <p class="notice">"This event records no before/after values."</p> }
            .into_any();
    }
    view! {
        <table class="changes">
            <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|row| {
                    let class = match row.kind {
                        ChangeKind::Added => "added",
                        ChangeKind::Removed => "removed",
                        ChangeKind::Changed => "changed",
                        ChangeKind::Unchanged => "unchanged",
                    };
                    view! {
                        <tr class=class>
                            <th scope="row">{row.field}</th>
                            <td class="before">{row.before.unwrap_or_else(|| "—".into())}</td>
                            <td class="after">{row.after.unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_marked_added_removed_changed_or_unchanged() {
        let before = json!({"plan": "basic", "seats": 5, "note": "x"});
        let after = json!({"plan": "pro", "seats": 5, "hwid": "abc"});
        let rows = diff_rows(Some(&before), Some(&after));
        let kinds: Vec<(&str, ChangeKind)> =
            rows.iter().map(|r| (r.field.as_str(), r.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("hwid", ChangeKind::Added),
                ("note", ChangeKind::Removed),
                ("plan", ChangeKind::Changed),
                ("seats", ChangeKind::Unchanged),
            ]
        );
        assert_eq!(rows[2].before.as_deref(), Some("basic"));
        assert_eq!(rows[2].after.as_deref(), Some("pro"));
    }

    #[test]
    fn a_created_resource_shows_every_field_as_added() {
        let rows = diff_rows(None, Some(&json!({"balance": 10})));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].kind, ChangeKind::Added);
        assert_eq!(rows[0].after.as_deref(), Some("10"));
    }

    #[test]
    fn scalar_values_compare_as_one_field() {
        let rows = diff_rows(Some(&json!(1)), Some(&json!(2)));
        assert_eq!(rows[0].field, "value");
        assert_eq!(rows[0].kind, ChangeKind::Changed);
    }
}
