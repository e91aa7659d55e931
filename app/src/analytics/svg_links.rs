//! charts-rs draws no links, but marks every bar and slice with
//! `data-series` (and hover text). This wraps each such mark in an SVG `<a>`
//! so that a click opens the log filtered to the mark's events.

/// Wraps the marks of `svg` in links. The k-th mark of a series is its
/// k-th data point (charts-rs draws a series' points in order); `href`
/// gives the link for (series, k), or `None` for a mark with no link.
pub(super) fn link_marks(svg: &str, href: impl Fn(&str, usize) -> Option<String>) -> String {
    const MARK: &str = "data-series=\"";
    let mut out = String::with_capacity(svg.len() + svg.len() / 4);
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find(MARK) {
        let Some(open) = rest[..at].rfind('<') else {
            break;
        };
        let value_start = at + MARK.len();
        let Some(value_len) = rest[value_start..].find('"') else {
            break;
        };
        let series = unescape(&rest[value_start..value_start + value_len]);
        let Some(end) = element_end(rest, open) else {
            break;
        };
        let index = match seen.iter_mut().find(|(name, _)| *name == series) {
            Some((_, count)) => {
                *count += 1;
                *count - 1
            }
            None => {
                seen.push((series.clone(), 1));
                0
            }
        };
        out.push_str(&rest[..open]);
        match href(&series, index) {
            Some(link) => {
                out.push_str(&format!("<a href=\"{}\">", escape(&link)));
                out.push_str(&rest[open..end]);
                out.push_str("</a>");
            }
            None => out.push_str(&rest[open..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Just past the element opening at `open`: its `/>`, or its closing tag.
fn element_end(text: &str, open: usize) -> Option<usize> {
    let tag_end = open + text[open..].find('>')?;
    if text[..tag_end].ends_with('/') {
        return Some(tag_end + 1);
    }
    let name: String = text[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let close = format!("</{name}>");
    Some(tag_end + text[tag_end..].find(&close)? + close.len())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = "<svg><rect x=\"0\"/>\
        <rect x=\"1\" class=\"ct-trigger\" data-series=\"ok\" data-category=\"Mon\"><title>ok: 3</title></rect>\
        <rect x=\"2\" class=\"ct-trigger\" data-series=\"ok\" data-category=\"Tue\"><title>ok: 5</title></rect>\
        <path d=\"M0\" data-series=\"R&amp;D\" data-value=\"2\"/>\
        </svg>";

    #[test]
    fn each_mark_is_wrapped_in_the_link_for_its_series_and_position() {
        let linked = link_marks(SVG, |series, i| {
            (series != "ok" || i == 1).then(|| format!("/?s={series}&i={i}"))
        });
        assert_eq!(
            linked,
            "<svg><rect x=\"0\"/>\
             <rect x=\"1\" class=\"ct-trigger\" data-series=\"ok\" data-category=\"Mon\"><title>ok: 3</title></rect>\
             <a href=\"/?s=ok&amp;i=1\"><rect x=\"2\" class=\"ct-trigger\" data-series=\"ok\" data-category=\"Tue\"><title>ok: 5</title></rect></a>\
             <a href=\"/?s=R&amp;D&amp;i=0\"><path d=\"M0\" data-series=\"R&amp;D\" data-value=\"2\"/></a>\
             </svg>"
        );
    }

    #[test]
    fn an_svg_without_marks_is_left_as_it_was() {
        assert_eq!(
            link_marks("<svg><rect/></svg>", |_, _| None),
            "<svg><rect/></svg>"
        );
        assert_eq!(link_marks(SVG, |_, _| None), SVG);
    }
}
