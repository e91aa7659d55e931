//! The query bar: one line of text that is another view of `EventFilter`,
//! e.g. `actor:alice@shop.io action:license.* -outcome:success
//! occurred:>=2026-01-01 "hwid reset"`. Parsing then printing gives back the
//! same filter; a mistake is reported with where it is, never skipped.

use super::{
    filter::{EventFilter, QuickRange},
    search_text::search_phrases,
    terms::Field,
    time_window,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// What is wrong with a query, and where (in characters from the start).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{message} (at character {})", at + 1)]
pub struct QueryError {
    pub at: usize,
    pub len: usize,
    pub message: String,
}

/// Longest query-bar line.
pub(super) const MAX_QUERY_CHARS: usize = 2_000;

/// The qualifiers besides the columns' own names.
const OTHER_QUALIFIERS: [&str; 3] = ["tenant", "occurred", "range"];

/// One whitespace-separated piece of a query.
struct Token {
    at: usize,
    len: usize,
    negated: bool,
    key: Option<(String, usize)>,
    value: String,
    value_at: usize,
    quoted: bool,
}

impl Token {
    fn error(&self, message: impl Into<String>) -> QueryError {
        QueryError {
            at: self.at,
            len: self.len,
            message: message.into(),
        }
    }

    fn value_error(&self, message: impl Into<String>) -> QueryError {
        QueryError {
            at: self.value_at,
            len: (self.at + self.len).saturating_sub(self.value_at).max(1),
            message: message.into(),
        }
    }
}

impl EventFilter {
    /// Reads a query-bar line.
    pub fn parse_query(input: &str) -> Result<EventFilter, QueryError> {
        let length = input.chars().count();
        if length > MAX_QUERY_CHARS {
            return Err(QueryError {
                at: MAX_QUERY_CHARS,
                len: length - MAX_QUERY_CHARS,
                message: format!("a query is at most {MAX_QUERY_CHARS} characters"),
            });
        }
        let mut filter = EventFilter::default();
        let mut text = Vec::new();
        for token in tokens(input)? {
            let Some((key, key_at)) = &token.key else {
                if token.negated {
                    return Err(
                        token.error("only qualifiers can be excluded: write -outcome:success, say")
                    );
                }
                if token.value.contains('"') {
                    // A phrase is searched for between its quotes: one
                    // inside it cannot be.
                    return Err(token.error("a quote cannot be searched for inside a phrase"));
                }
                if search_phrases(&token.value).is_empty() {
                    return Err(token.error("no letters or digits here to search for"));
                }
                text.push(if token.quoted {
                    // Kept as typed, so the line prints back the same.
                    format!("\"{}\"", token.value.replace('\\', "\\\\"))
                } else {
                    token.value.clone()
                });
                continue;
            };
            apply(&mut filter, &token, key, *key_at)?;
        }
        filter.text = (!text.is_empty()).then(|| text.join(" "));
        if let Some(text) = &filter.text {
            super::filter::check_text(text).map_err(|message| QueryError {
                at: 0,
                len: length,
                message,
            })?;
        }
        Ok(filter)
    }

    /// The filter as a query-bar line (`parse_query` reads it back unchanged).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(tenant) = &self.tenant {
            parts.push(format!("tenant:{}", quote(tenant)));
        }
        for (sign, terms) in [("", &self.is), ("-", &self.not)] {
            for field in Field::ALL {
                for value in terms.get(field) {
                    parts.push(format!("{sign}{}:{}", field.name(), quote(&value)));
                }
            }
        }
        if let Some(range) = self.range {
            parts.push(format!("range:{range}"));
        }
        if let Some(from) = self.from {
            parts.push(format!("occurred:>={}", instant(from)));
        }
        if let Some(to) = self.to {
            parts.push(format!("occurred:<{}", instant(to)));
        }
        parts.extend(self.text.clone());
        parts.join(" ")
    }
}

fn apply(
    filter: &mut EventFilter,
    token: &Token,
    key: &str,
    key_at: usize,
) -> Result<(), QueryError> {
    let unnegatable = |what: &str| {
        if token.negated {
            Err(token.error(format!("{what} cannot be excluded")))
        } else {
            Ok(())
        }
    };
    match key {
        "tenant" => {
            unnegatable("a tenant")?;
            if filter.tenant.is_some() {
                return Err(token.error("tenant is given twice"));
            }
            // As the URL reads it: surrounding spaces are not part of a slug.
            let slug = token.value.trim();
            if slug.is_empty() {
                return Err(token.value_error("tenant needs a value"));
            }
            filter.tenant = Some(slug.to_string());
        }
        "range" => {
            unnegatable("a range")?;
            let range: QuickRange = token
                .value
                .parse()
                .map_err(|e: super::ParseEnumError| token.value_error(e.to_string()))?;
            if filter.range.is_some() || filter.from.is_some() || filter.to.is_some() {
                return Err(token.error("choose one range or dates, not both"));
            }
            filter.range = Some(range);
        }
        "occurred" => {
            unnegatable("a date")?;
            if filter.range.is_some() {
                return Err(token.error("choose one range or dates, not both"));
            }
            occurred(filter, &token.value).map_err(|e| token.value_error(e))?;
        }
        _ => {
            let field = Field::from_name(key).ok_or_else(|| QueryError {
                at: key_at,
                len: key.chars().count(),
                message: format!("unknown qualifier '{key}'; known: {}", known()),
            })?;
            let terms = if token.negated {
                &mut filter.not
            } else {
                &mut filter.is
            };
            terms
                .set(field, &token.value)
                .map_err(|e| token.value_error(e))?;
        }
    }
    Ok(())
}

fn known() -> String {
    let mut names: Vec<&str> = vec!["tenant"];
    names.extend(Field::ALL.map(Field::name));
    names.extend(&OTHER_QUALIFIERS[1..]);
    names.join(", ")
}

/// `>=D`, `>D`, `<D`, `<=D`, `D` (that day) or `A..B` (inclusive days),
/// where each is a date or an RFC 3339 time.
fn occurred(filter: &mut EventFilter, value: &str) -> Result<(), String> {
    let (from, to) = if let Some(rest) = value.strip_prefix(">=") {
        (Some(point(rest)?.0), None)
    } else if let Some(rest) = value.strip_prefix('>') {
        (Some(after(point(rest)?)), None)
    } else if let Some(rest) = value.strip_prefix("<=") {
        (None, Some(after(point(rest)?)))
    } else if let Some(rest) = value.strip_prefix('<') {
        (None, Some(point(rest)?.0))
    } else if let Some((a, b)) = value.split_once("..") {
        (Some(point(a)?.0), Some(after(point(b)?)))
    } else {
        let (start, day) = point(value)?;
        if !day {
            return Err("a single time matches almost nothing: use >=, <, or a date".into());
        }
        (Some(start), Some(after((start, day))))
    };
    if from.is_some() && filter.from.is_some() || to.is_some() && filter.to.is_some() {
        return Err("that bound of occurred is given twice".into());
    }
    filter.from = from.or(filter.from);
    filter.to = to.or(filter.to);
    super::filter::check_order(filter.from, filter.to)
}

/// A date (its midnight UTC, `true`) or an RFC 3339 time (`false`),
/// brought inside the time window.
fn point(text: &str) -> Result<(DateTime<Utc>, bool), String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok((time_window::clamp(t.with_timezone(&Utc)), false));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| {
            (
                time_window::clamp(d.and_time(NaiveTime::MIN).and_utc()),
                true,
            )
        })
        .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD) or an RFC 3339 time"))
}

/// Just past a point: the next day for a date, the next microsecond for a
/// time; still inside the time window, so it prints as what it reads back.
fn after((t, day): (DateTime<Utc>, bool)) -> DateTime<Utc> {
    time_window::clamp(if day {
        t + Duration::days(1)
    } else {
        t + Duration::microseconds(1)
    })
}

fn instant(t: DateTime<Utc>) -> String {
    if t.time() == NaiveTime::MIN {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

/// A value as the tokenizer reads it back: quoted when it holds spaces or
/// quotes, with `"` and `\\` escaped inside the quotes.
fn quote(value: &str) -> String {
    if value.chars().any(|c| c.is_whitespace() || c == '"') {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_string()
    }
}

/// The quoted value that starts after the quote at `open`: its text with
/// `\"` and `\\` unescaped, and the index just past its closing quote.
fn quoted(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    let mut value = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '"' => return Ok((value, i + 1)),
            '\\' if matches!(chars.get(i + 1), Some('"') | Some('\\')) => {
                value.push(chars[i + 1]);
                i += 2;
            }
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    Err(QueryError {
        at: open,
        len: chars.len() - open,
        message: "this quote is never closed".into(),
    })
}

fn tokens(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let at = i;
        let negated = chars[i] == '-' && chars.get(i + 1).is_some_and(|c| !c.is_whitespace());
        if negated {
            i += 1;
        }
        let key_at = i;
        while i < chars.len() && (chars[i].is_ascii_alphabetic() || chars[i] == '_') {
            i += 1;
        }
        let key = if i > key_at && chars.get(i) == Some(&':') {
            let key: String = chars[key_at..i].iter().collect();
            i += 1;
            Some((key, key_at))
        } else {
            i = key_at;
            None
        };
        let value_at = i;
        let (value, was_quoted) = if chars.get(i) == Some(&'"') {
            let (value, end) = quoted(&chars, i)?;
            i = end;
            (value, true)
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            (chars[value_at..i].iter().collect(), false)
        };
        if let Some((key, _)) = &key {
            if value.trim().is_empty() {
                return Err(QueryError {
                    at,
                    len: i - at,
                    message: format!("{key}: needs a value"),
                });
            }
        }
        out.push(Token {
            at,
            len: i - at,
            negated,
            key,
            value,
            value_at,
            quoted: was_quoted,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActorType, Outcome};

    #[test]
    fn the_issues_example_reads_as_the_filter_it_describes() {
        let f = EventFilter::parse_query(
            r#"actor:alice@shop.io action:license.* -outcome:success occurred:>=2026-01-01 "hwid reset""#,
        )
        .unwrap();
        assert_eq!(f.is.actor.as_deref(), Some("alice@shop.io"));
        assert_eq!(f.is.actions, vec!["license.*"]);
        assert_eq!(f.not.outcome, Some(Outcome::Success));
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(f.to, None);
        assert_eq!(f.text.as_deref(), Some("\"hwid reset\""));
    }

    #[test]
    fn every_filter_prints_as_a_query_that_parses_back_to_it() {
        let mut f = EventFilter::parse_query(
            r#"tenant:acme actor:"Alice Novak" actor_type:staff action:license.* action:user.login
               category:auth event_type:update outcome:failure severity:critical
               resource_type:license resource_id:KEY-1 ip:198.51.100.4
               -actor_type:system -action:license.viewed -ip:10.0.0.1
               occurred:2026-03-01..2026-03-31 reset "hwid change""#,
        )
        .unwrap();
        assert_eq!(f.is.actor_type, Some(ActorType::Staff));
        assert_eq!(EventFilter::parse_query(&f.to_query()).unwrap(), f);
        f.from = Some("2026-03-01T10:30:00Z".parse().unwrap());
        assert_eq!(EventFilter::parse_query(&f.to_query()).unwrap(), f);
        let ranged = EventFilter::parse_query("range:7d").unwrap();
        assert_eq!(ranged.to_query(), "range:7d");
        assert_eq!(
            EventFilter::parse_query("").unwrap(),
            EventFilter::default()
        );
    }

    #[test]
    fn date_comparisons_become_half_open_bounds() {
        let day = |s: &str| -> DateTime<Utc> { format!("{s}T00:00:00Z").parse().unwrap() };
        let f = EventFilter::parse_query("occurred:2026-03-01").unwrap();
        assert_eq!(
            (f.from, f.to),
            (Some(day("2026-03-01")), Some(day("2026-03-02")))
        );
        let f = EventFilter::parse_query("occurred:>2026-03-01 occurred:<=2026-03-05").unwrap();
        assert_eq!(
            (f.from, f.to),
            (Some(day("2026-03-02")), Some(day("2026-03-06")))
        );
        assert_eq!(f.to_query(), "occurred:>=2026-03-02 occurred:<2026-03-06");
    }

    fn error(query: &str) -> QueryError {
        EventFilter::parse_query(query).unwrap_err()
    }

    #[test]
    fn an_unknown_qualifier_is_pointed_at_and_the_known_ones_listed() {
        let e = error("reset colour:red");
        assert_eq!((e.at, e.len), (6, 6));
        assert!(e.message.contains("unknown qualifier 'colour'"), "{e}");
        assert!(e.message.contains("resource_id"), "{e}");
    }

    #[test]
    fn a_bad_value_is_pointed_at_with_the_reason() {
        let e = error("action:license.* outcome:ok");
        assert_eq!(e.at, 25);
        assert!(e.message.contains("success, failure, denied"), "{e}");
        let e = error("occurred:>=yesterday");
        assert_eq!(e.at, 9);
        assert!(e.message.contains("not a date"), "{e}");
    }

    #[test]
    fn an_unclosed_quote_a_negated_word_and_an_empty_value_are_refused() {
        let e = error("actor:alice \"hwid reset");
        assert_eq!(e.at, 12);
        assert_eq!(e.message, "this quote is never closed");
        assert!(error("-reset").message.contains("only qualifiers"));
        assert_eq!(error("actor: x").message, "actor: needs a value");
        assert!(error("-tenant:acme").message.contains("cannot be excluded"));
        assert!(error("outcome:failure outcome:denied")
            .message
            .contains("given twice"));
        assert!(error("range:7d occurred:>=2026-01-01")
            .message
            .contains("not both"));
        assert!(error("...").message.contains("no letters or digits"));
    }

    // Found by the query_bar fuzz target (fuzz/): the end past the window
    // was clamped a day later than the same end read back.
    #[test]
    fn a_range_ending_past_the_time_window_prints_as_what_it_reads_back() {
        let f = EventFilter::parse_query("occurred:2026-03-01..3350-03-30").unwrap();
        assert_eq!(EventFilter::parse_query(&f.to_query()).unwrap(), f);
        let f = EventFilter::parse_query("occurred:<=3350-03-30").unwrap();
        assert_eq!(EventFilter::parse_query(&f.to_query()).unwrap(), f);
    }

    // Found by the round-trip properties (tests/round_trip.rs).
    #[test]
    fn a_value_with_quotes_prints_escaped_and_a_quoted_tenant_loses_its_spaces() {
        let mut f = EventFilter::default();
        f.is.set(Field::ResourceId, r#"KEY "7" \ x"#).unwrap();
        assert_eq!(f.to_query(), r#"resource_id:"KEY \"7\" \\ x""#);
        assert_eq!(EventFilter::parse_query(&f.to_query()).unwrap(), f);
        let t = EventFilter::parse_query(r#"tenant:" acme ""#).unwrap();
        assert_eq!(t.tenant.as_deref(), Some("acme"));
        assert!(EventFilter::parse_query(r#""say \"hi\"""#).is_err());
    }

    #[test]
    fn words_that_merely_contain_colons_or_dashes_are_text() {
        let f = EventFilter::parse_query("9F2A-11C0 12:30 KEY-0042").unwrap();
        assert_eq!(f.text.as_deref(), Some("9F2A-11C0 12:30 KEY-0042"));
    }

    #[test]
    fn a_query_too_long_or_with_too_many_alternatives_is_refused_with_where() {
        let long = "a ".repeat(1_500);
        assert!(EventFilter::parse_query(&long)
            .unwrap_err()
            .message
            .contains("at most 2000 characters"));
        let many: Vec<String> = (0..25).map(|i| format!("action:a{i}.b")).collect();
        assert!(EventFilter::parse_query(&many.join(" "))
            .unwrap_err()
            .message
            .contains("at most 20 actions"));
        let words = "word ".repeat(120);
        assert!(EventFilter::parse_query(&words)
            .unwrap_err()
            .message
            .contains("longer than 500"));
    }

    #[test]
    fn dates_at_the_ends_of_the_calendar_are_clamped_instead_of_overflowing() {
        // A day past the window's end holds no time inside it.
        let err = EventFilter::parse_query("occurred:+262142-12-31").unwrap_err();
        assert!(err.message.contains("no time between them"), "{err:?}");
        let f = EventFilter::parse_query("occurred:>=+262142-12-31").unwrap();
        assert_eq!(f.from, Some(time_window::LATEST));
        // Not RFC 3339 (a year past 9999): refused, not a panic.
        assert!(EventFilter::parse_query("occurred:<=+262142-12-31T23:59:59Z").is_err());
        let f = EventFilter::parse_query("occurred:>=-100000-01-01").unwrap();
        assert_eq!(f.from, Some(time_window::EARLIEST));
    }
}
