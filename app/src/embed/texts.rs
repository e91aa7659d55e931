//! Every text the embedded viewer shows, per language. The platform names
//! the language (`lang=de`); one Logbook does not ship falls back to English.
//! A new language is one more `Texts` value and one more arm in `texts`.

/// The viewer's words in one language.
pub struct Texts {
    pub lang: &'static str,
    pub title: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search: &'static str,
    pub time: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub resource: &'static str,
    pub outcome: &'static str,
    pub ip: &'static str,
    pub description: &'static str,
    pub no_events: &'static str,
    pub newer: &'static str,
    pub older: &'static str,
    pub export: &'static str,
    pub back: &'static str,
    pub changes: &'static str,
    pub field: &'static str,
    pub before: &'static str,
    pub after: &'static str,
    pub no_changes: &'static str,
    pub loading: &'static str,
    pub not_found: &'static str,
    pub invalid: &'static str,
    pub expired: &'static str,
    pub revoked: &'static str,
    pub bad_query: &'static str,
    pub failed: &'static str,
    pub times_in_utc: &'static str,
}

pub const EN: Texts = Texts {
    lang: "en",
    title: "Activity",
    search_label: "Search the activity",
    search_placeholder: "e.g. action:license.* -outcome:success \"reset\"",
    search: "Search",
    time: "Time (UTC)",
    actor: "Who",
    action: "Action",
    resource: "On",
    outcome: "Outcome",
    ip: "IP",
    description: "Description",
    no_events: "No activity matches.",
    newer: "← Newer",
    older: "Older →",
    export: "Download",
    back: "← Back to the activity",
    changes: "What changed",
    field: "Field",
    before: "Before",
    after: "After",
    no_changes: "This entry records no before/after values.",
    loading: "Loading…",
    not_found: "This entry is not part of what you may see.",
    invalid: "This link is not valid. Ask the site that showed it for a new one.",
    expired: "This link has expired. Reload the page that showed it.",
    revoked: "This link was withdrawn. Ask the site that showed it.",
    bad_query: "The search does not read",
    failed: "The activity could not be loaded",
    times_in_utc: "Times are in UTC.",
};

pub const DE: Texts = Texts {
    lang: "de",
    title: "Aktivität",
    search_label: "Aktivität durchsuchen",
    search_placeholder: "z. B. action:license.* -outcome:success \"reset\"",
    search: "Suchen",
    time: "Zeit (UTC)",
    actor: "Wer",
    action: "Aktion",
    resource: "Betrifft",
    outcome: "Ergebnis",
    ip: "IP",
    description: "Beschreibung",
    no_events: "Keine passende Aktivität.",
    newer: "← Neuer",
    older: "Älter →",
    export: "Herunterladen",
    back: "← Zurück zur Aktivität",
    changes: "Was sich geändert hat",
    field: "Feld",
    before: "Vorher",
    after: "Nachher",
    no_changes: "Dieser Eintrag enthält keine Vorher/Nachher-Werte.",
    loading: "Wird geladen…",
    not_found: "Dieser Eintrag gehört nicht zu dem, was Sie sehen dürfen.",
    invalid: "Dieser Link ist ungültig. Bitten Sie die Seite, die ihn zeigte, um einen neuen.",
    expired: "Dieser Link ist abgelaufen. Laden Sie die Seite neu, die ihn zeigte.",
    revoked: "Dieser Link wurde zurückgezogen. Wenden Sie sich an die Seite, die ihn zeigte.",
    bad_query: "Die Suche ist nicht lesbar",
    failed: "Die Aktivität konnte nicht geladen werden",
    times_in_utc: "Zeiten in UTC.",
};

/// The texts for `lang` (`de`, `de-AT`, …), English when not shipped.
pub fn texts(lang: Option<&str>) -> &'static Texts {
    let primary = lang
        .unwrap_or("en")
        .split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    match primary.as_str() {
        "de" => &DE,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipped_language_is_chosen_by_its_primary_tag_and_others_fall_back_to_english() {
        assert_eq!(texts(Some("de")).lang, "de");
        assert_eq!(texts(Some("de-AT")).lang, "de");
        assert_eq!(texts(Some("DE_ch")).lang, "de");
        assert_eq!(texts(Some("fr")).lang, "en");
        assert_eq!(texts(None).lang, "en");
    }
}
