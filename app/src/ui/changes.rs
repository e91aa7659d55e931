//! Before and after values side by side, one row per field.

use leptos::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

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

/// Pairs the fields of `before` and `after`, down to their leaves: a nested
/// object's fields are `parent.child`, a list's items `list[0]`, so a change
/// deep inside shows as that one field. A value that is not an object is
/// compared as a single field named `value`.
pub fn diff_rows(before: Option<&Value>, after: Option<&Value>) -> Vec<ChangeRow> {
    let (before, after) = (leaves(before), leaves(after));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .map(|field| {
            let (b, a) = (before.get(field), after.get(field));
            let kind = match (b, a) {
                (None, Some(_)) => ChangeKind::Added,
                (Some(_), None) => ChangeKind::Removed,
                (Some(b), Some(a)) if b != a => ChangeKind::Changed,
                _ => ChangeKind::Unchanged,
            };
            ChangeRow {
                field: field.clone(),
                before: b.map(show),
                after: a.map(show),
                kind,
            }
        })
        .collect()
}

/// Every leaf of a value by its path; empty objects and lists are leaves.
fn leaves(value: Option<&Value>) -> BTreeMap<String, Value> {
    fn walk(path: String, value: &Value, out: &mut BTreeMap<String, Value>) {
        let join = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    walk(join(k), v, out);
                }
            }
            Value::Array(items) if !items.is_empty() && !path.is_empty() => {
                for (i, v) in items.iter().enumerate() {
                    walk(format!("{path}[{i}]"), v, out);
                }
            }
            other => {
                let key = if path.is_empty() {
                    "value".to_string()
                } else {
                    path
                };
                out.insert(key, other.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    if let Some(value) = value {
        walk(String::new(), value, &mut out);
    }
    out
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Text longer than this is folded behind its first line.
const FOLD_AT: usize = 120;

/// A value as a cell: long text folds, opening on click.
fn cell(value: Option<String>) -> AnyView {
    match value {
        None => "—".into_any(),
        Some(text) if text.chars().count() > FOLD_AT => {
            let head: String = text.chars().take(FOLD_AT / 2).collect();
            view! {
                <details class="fold">
                    <summary>{head}"…"</summary>
                    <span class="full">{text}</span>
                </details>
            }
            .into_any()
        }
        Some(text) => text.into_any(),
    }
}

/// The table's words: the dashboard's English, or the embedded viewer's
/// in its reader's language.
#[derive(Clone, Copy, Debug)]
pub struct ChangeLabels {
    pub field: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    /// Said when the event records no values.
    pub none: &'static str,
}

impl Default for ChangeLabels {
    fn default() -> Self {
        ChangeLabels {
            field: "Field",
            before: "Before",
            after: "After",
            none: "This event records no before/after values.",
        }
    }
}

#[component]
pub fn ChangesTable(
    before: Option<Value>,
    after: Option<Value>,
    #[prop(optional)] labels: ChangeLabels,
) -> impl IntoView {
    let rows = diff_rows(before.as_ref(), after.as_ref());
    if rows.is_empty() {
        return view! { <p class="notice">{labels.none}</p> }.into_any();
    }
    view! {
        <table class="changes">
            <thead><tr><th scope="col">{labels.field}</th><th scope="col">{labels.before}</th><th scope="col">{labels.after}</th></tr></thead>
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
                            <td class="before">{cell(row.before)}</td>
                            <td class="after">{cell(row.after)}</td>
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

    fn kinds(rows: &[ChangeRow]) -> Vec<(&str, ChangeKind)> {
        rows.iter().map(|r| (r.field.as_str(), r.kind)).collect()
    }

    #[test]
    fn fields_are_marked_added_removed_changed_or_unchanged() {
        let before = json!({"plan": "basic", "seats": 5, "note": "x"});
        let after = json!({"plan": "pro", "seats": 5, "hwid": "abc"});
        let rows = diff_rows(Some(&before), Some(&after));
        assert_eq!(
            kinds(&rows),
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
    fn a_change_deep_inside_an_object_or_list_is_that_one_field() {
        let before = json!({"limits": {"seats": 5, "hwids": ["A", "B"]}, "tags": []});
        let after = json!({"limits": {"seats": 5, "hwids": ["A", "C", "D"]}, "tags": []});
        let rows = diff_rows(Some(&before), Some(&after));
        assert_eq!(
            kinds(&rows),
            vec![
                ("limits.hwids[0]", ChangeKind::Unchanged),
                ("limits.hwids[1]", ChangeKind::Changed),
                ("limits.hwids[2]", ChangeKind::Added),
                ("limits.seats", ChangeKind::Unchanged),
                ("tags", ChangeKind::Unchanged),
            ]
        );
        assert_eq!(rows[1].before.as_deref(), Some("B"));
        assert_eq!(rows[4].after.as_deref(), Some("[]"));
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
