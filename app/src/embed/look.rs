//! How the platform dresses the viewer, from the embed URL: `theme`
//! (light or dark), `accent` (a #rgb or #rrggbb colour), `font` (a family
//! name) and `lang`. Each is checked before it reaches a style attribute.

/// The viewer's appearance and language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Look {
    pub dark: bool,
    pub accent: Option<String>,
    pub font: Option<String>,
    pub lang: Option<String>,
}

impl Look {
    /// From the URL's parameters; a value that does not check is ignored.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Look {
        Look {
            dark: get("theme").as_deref() == Some("dark"),
            accent: get("accent").filter(|a| is_colour(a)),
            font: get("font").filter(|f| is_font(f)),
            lang: get("lang").filter(|l| {
                (2..=12).contains(&l.len())
                    && l.bytes()
                        .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
            }),
        }
    }

    /// The parameters that carry this look onto the viewer's next URL.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if self.dark {
            params.push(("theme", "dark".to_string()));
        }
        for (name, value) in [
            ("accent", &self.accent),
            ("font", &self.font),
            ("lang", &self.lang),
        ] {
            if let Some(value) = value {
                params.push((name, value.clone()));
            }
        }
        params
    }

    /// The inline style for the viewer's root element.
    pub fn style(&self) -> String {
        let mut style = String::new();
        if let Some(accent) = &self.accent {
            style.push_str(&format!("--accent: {accent};"));
        }
        if let Some(font) = &self.font {
            style.push_str(&format!("font-family: \"{font}\", system-ui, sans-serif;"));
        }
        style
    }
}

fn is_colour(text: &str) -> bool {
    text.strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_font(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(pairs: &[(&str, &str)]) -> Look {
        Look::from_params(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn a_look_takes_checked_values_and_ignores_anything_that_could_break_out_of_a_style() {
        let good = look(&[
            ("theme", "dark"),
            ("accent", "#0a7"),
            ("font", "Inter"),
            ("lang", "de-AT"),
        ]);
        assert!(good.dark);
        assert_eq!(
            good.style(),
            "--accent: #0a7;font-family: \"Inter\", system-ui, sans-serif;"
        );
        let bad = look(&[
            ("accent", "red;background:url(x)"),
            ("font", "Inter\";}body{display:none"),
            ("lang", "<script>"),
        ]);
        assert_eq!(bad, Look::default());
        assert_eq!(
            look(
                &good
                    .to_params()
                    .iter()
                    .map(|(n, v)| (*n, v.as_str()))
                    .collect::<Vec<_>>()
            ),
            good
        );
    }
}
