//! The viewer's own URLs: every link inside the frame carries the token,
//! the look, and the search it came from, and nothing else.

use super::Look;
use crate::model::Cursor;

/// What the viewer's URL holds besides the path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub token: String,
    pub look: Look,
    /// The search, as typed in the query bar.
    pub q: String,
}

impl Place {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Place {
        Place {
            token: get("token").unwrap_or_default(),
            q: get("q").unwrap_or_default(),
            look: Look::from_params(get),
        }
    }

    /// `path` (`/embed`, `/embed/events/<id>`) with this place, at `cursor`.
    pub fn href(&self, path: &str, cursor: Option<(&str, &Cursor)>) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("token", &self.token);
        if !self.q.trim().is_empty() {
            query.append_pair("q", &self.q);
        }
        for (name, value) in self.look.to_params() {
            query.append_pair(name, &value);
        }
        if let Some((name, cursor)) = cursor {
            query.append_pair(name, &cursor.to_string());
        }
        format!("{path}?{}", query.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_carries_the_token_the_search_and_the_look_and_reads_back() {
        let place = Place {
            token: "lbv_abc-_".into(),
            q: "action:license.* \"reset done\"".into(),
            look: Look {
                dark: true,
                lang: Some("de".into()),
                ..Default::default()
            },
        };
        let href = place.href("/embed", None);
        assert_eq!(
            href,
            "/embed?token=lbv_abc-_&q=action%3Alicense.*+%22reset+done%22&theme=dark&lang=de"
        );
        let query = href.split_once('?').unwrap().1;
        let params: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let read =
            Place::from_params(|n| params.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()));
        assert_eq!(read, place);
    }
}
