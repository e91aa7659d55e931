//! Properties of the one typed filter: whatever the query bar accepts reads
//! back the same from its URL and from its own printed query, and whatever
//! a URL gives reads back the same both ways too.

use app::model::{EventFilter, Field};
use proptest::prelude::*;
use std::collections::HashMap;

/// Values with the characters both syntaxes treat specially: spaces,
/// quotes, commas, colons, dashes, stars, backslashes, and non-ASCII.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9.]{1,12}",
        "[a-zA-Z0-9 .,:*\"'\\\\_@-]{1,16}",
        "[a-z]{1,6}\\.\\*",
        "[éßа-я漢 a-z]{1,8}",
        Just("user.login".to_string()),
        Just("failure".to_string()),
        Just("critical".to_string()),
        Just("staff".to_string()),
    ]
}

fn field_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(Field::ALL.iter().map(|f| f.name()).collect::<Vec<_>>())
}

/// An instant between 1900 and 2200, printed as RFC 3339 or as a date.
fn when() -> impl Strategy<Value = String> {
    (-2_208_988_800i64..7_258_118_400i64, any::<bool>()).prop_map(|(secs, day)| {
        let t = chrono::DateTime::from_timestamp(secs, 0).expect("in range");
        if day {
            t.format("%Y-%m-%d").to_string()
        } else {
            t.to_rfc3339()
        }
    })
}

/// One token of the query bar.
fn token() -> impl Strategy<Value = String> {
    let quoted = |v: String| {
        if v.contains([' ', '"']) {
            format!("\"{}\"", v.replace('"', ""))
        } else {
            v
        }
    };
    prop_oneof![
        (any::<bool>(), field_name(), value()).prop_map(move |(not, f, v)| format!(
            "{}{f}:{}",
            if not { "-" } else { "" },
            quoted(v)
        )),
        value().prop_map(move |v| format!("tenant:{}", quoted(v))),
        value().prop_map(quoted),
        (when(), when()).prop_map(|(a, b)| format!("occurred:{a}..{b}")),
        when().prop_map(|a| format!("occurred:>={a}")),
        prop::sample::select(vec!["1h", "24h", "7d", "30d", "90d", "all"])
            .prop_map(|r| format!("range:{r}")),
    ]
}

/// Accepted filters come back the same from their URL and their query.
fn assert_round_trips(f: &EventFilter) {
    let params: HashMap<String, String> = f.to_params().into_iter().collect();
    let from_url = EventFilter::from_params(|name| params.get(name).cloned());
    assert_eq!(from_url.as_ref(), Ok(f), "URL {params:?}");
    let query = f.to_query();
    assert_eq!(
        EventFilter::parse_query(&query)
            .as_ref()
            .map_err(|e| e.to_string()),
        Ok(f),
        "query {query:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn any_filter_the_query_bar_accepts_reads_back_the_same_from_its_url_and_its_query(
        tokens in prop::collection::vec(token(), 0..8)
    ) {
        if let Ok(f) = EventFilter::parse_query(&tokens.join(" ")) {
            assert_round_trips(&f);
        }
    }

    #[test]
    fn any_filter_a_url_gives_reads_back_the_same_from_its_url_and_its_query(
        pairs in prop::collection::vec(
            prop_oneof![
                (field_name(), value()).prop_map(|(f, v)| (f.to_string(), v)),
                (field_name(), value()).prop_map(|(f, v)| (format!("not_{f}"), v)),
                value().prop_map(|v| ("tenant".to_string(), v)),
                // Free text of words and phrases: text that itself holds
                // query syntax (`tenant:x`, `-word`) is syntax in the bar.
                "[a-z0-9]{1,8}( [a-z0-9.]{0,4}[a-z0-9]){0,3}( \"[a-z]{1,4}( [a-z]{1,4})?\")?"
                    .prop_map(|v| ("q".to_string(), v)),
                when().prop_map(|v| ("from".to_string(), v)),
                when().prop_map(|v| ("to".to_string(), v)),
            ],
            0..8,
        )
    ) {
        let params: HashMap<String, String> = pairs.into_iter().collect();
        if let Ok(f) = EventFilter::from_params(|name| params.get(name).cloned()) {
            assert_round_trips(&f);
        }
    }
}
