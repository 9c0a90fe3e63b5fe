//! The audit trail: newest changes first, who made them, when, and what
//! changed: only the keys whose value differs between before and after.

use std::collections::BTreeSet;

use almanach_domain::staff::Action;
use almanach_store::AuditEntry;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::StaffSession;
use crate::view::{self, Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/audit", get(audit_list))
}

/// How many entries one page shows.
const LIMIT: i64 = 200;
/// Long texts (descriptions, notes) are cut in the diff; the record has them whole.
const VALUE_MAX: usize = 80;

fn entity_key(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "library" => "audit.entity.library",
        "staff" => "audit.entity.staff",
        "api_token" => "audit.entity.api_token",
        "room" => "audit.entity.room",
        "series" => "audit.entity.series",
        "theme" => "audit.entity.theme",
        "speaker" => "audit.entity.speaker",
        "event" => "audit.entity.event",
        "session" => "audit.entity.session",
        "need" => "audit.entity.need",
        "need_type" => "audit.entity.need_type",
        "logistics_settings" => "audit.entity.logistics_settings",
        "prospect" => "audit.entity.prospect",
        "retention" => "audit.entity.retention",
        "personal_data" => "audit.entity.personal_data",
        _ => return None,
    })
}

fn action_key(action: &str) -> Option<&'static str> {
    Some(match action {
        "create" => "audit.action.create",
        "update" => "audit.action.update",
        "cancel" => "audit.action.cancel",
        "restore" => "audit.action.restore",
        "publish" => "audit.action.publish",
        "revoke" => "audit.action.revoke",
        "delete" => "audit.action.delete",
        "status" => "audit.action.status",
        "move" => "audit.action.move",
        "next_action" => "audit.action.next_action",
        "rate" => "audit.action.rate",
        "add_need" => "audit.action.add_need",
        "remove_need" => "audit.action.remove_need",
        "tested_without_it" => "audit.action.tested_without_it",
        "untested_without_it" => "audit.action.untested_without_it",
        "anonymise" => "audit.action.anonymise",
        "export" => "audit.action.export",
        "erase" => "audit.action.erase",
        "password_reset_requested" => "audit.action.password_reset_requested",
        "password_reset" => "audit.action.password_reset",
        "unlock" => "audit.action.unlock",
        _ => return None,
    })
}

/// One changed key: its value before ("–" when it had none; `None` when
/// the record was just created) and after.
#[derive(Debug, PartialEq)]
struct Change {
    key: String,
    before: Option<String>,
    after: String,
}

/// No value at all: absent, null, empty text or list. A creation lists only
/// the keys that got a value; an update treats these as equal.
fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

fn show(v: Option<&Value>) -> String {
    let s = match v {
        _ if blank(v) => return "–".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => return "–".into(),
    };
    if s.chars().count() > VALUE_MAX {
        format!("{}…", s.chars().take(VALUE_MAX).collect::<String>())
    } else {
        s
    }
}

/// The keys whose value differs, in key order. The id is left out: it
/// names the record, it does not change.
fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let obj = |v: Option<&Value>| v.and_then(Value::as_object).cloned().unwrap_or_default();
    let (b, a) = (obj(before), obj(after));
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).filter(|k| *k != "id").collect();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k) && !(blank(b.get(*k)) && blank(a.get(*k))))
        .map(|k| Change {
            key: k.clone(),
            before: before.map(|_| show(b.get(k))),
            after: show(a.get(k)),
        })
        .collect()
}

/// Instants (`starts_at`, `ends_at`… in unix seconds) as the library's
/// local date and time, so the trail reads "18/02/2024 à 14 h".
fn local_times(
    v: Option<Value>,
    lang: almanach_domain::Lang,
    tz: &jiff::tz::TimeZone,
) -> Option<Value> {
    let mut v = v?;
    if let Some(obj) = v.as_object_mut() {
        for (k, val) in obj.iter_mut() {
            if let (true, Some(secs)) = (k.ends_with("_at"), val.as_i64()) {
                *val = Value::String(view::stamp(lang, tz, secs));
            } else if let Some(d) = val
                .as_str()
                .filter(|s| s.len() == 10)
                .and_then(|s| s.parse::<jiff::civil::Date>().ok())
            {
                // Dates as words too, never "2026-12-25".
                *val = Value::String(almanach_domain::fmt::day_with_year(d, lang));
            }
        }
    }
    Some(v)
}

struct Row {
    who: String,
    when: String,
    entity: String,
    entity_link: String,
    action: String,
    changes: Vec<Change>,
}

#[derive(Template)]
#[template(path = "audit_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    /// The heading "Journal : salle n° 3" when the list is filtered to one record.
    filtered: Option<String>,
}

#[derive(Deserialize)]
struct Filter {
    entity: Option<String>,
    id: Option<String>,
}

async fn audit_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(f): Query<Filter>,
) -> Result<Html<String>, WebError> {
    s.require(Action::ReadAudit)?;
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let entity = f.entity.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let record = match (entity, f.id.and_then(|i| i.trim().parse::<i64>().ok())) {
        (Some(e), Some(id)) => Some((e, id)),
        _ => None,
    };
    let label = |entity: &str, id: i64| {
        let name = entity_key(entity).map_or(entity, |k| tr.t(k));
        tr.tf(
            "audit.record",
            &[("entity", name.to_string()), ("id", id.to_string())],
        )
    };
    let rows = state
        .store
        .audit_log(s.library_id(), record, LIMIT)
        .await?
        .into_iter()
        .map(|e: AuditEntry| Row {
            who: e.actor,
            when: view::stamp(s.lang, &tz, e.at),
            entity: label(&e.entity, e.entity_id),
            entity_link: format!("/staff/audit?entity={}&id={}", e.entity, e.entity_id),
            action: action_key(&e.action)
                .map_or(e.action.as_str(), |k| tr.t(k))
                .to_string(),
            changes: diff(
                local_times(e.before, s.lang, &tz).as_ref(),
                local_times(e.after, s.lang, &tz).as_ref(),
            ),
        })
        .collect();
    let page = Page::new(&s, tr.t("audit.title"), "audit", &flash);
    Ok(Html(
        ListPage {
            page,
            rows,
            filtered: record.map(|(e, id)| tr.tf("audit.title_for", &[("record", label(e, id))])),
        }
        .render()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::has_key;
    use serde_json::json;

    #[test]
    fn instants_read_as_local_times() {
        let v = serde_json::json!({"starts_at": 1_708_261_200, "capacity": 12, "renewal_on": "2026-12-25"});
        let out = local_times(
            Some(v),
            almanach_domain::Lang::Fr,
            &almanach_domain::calendar::paris(),
        )
        .unwrap();
        assert_eq!(out["starts_at"], "18/02/2024 à 14 h");
        assert_eq!(out["capacity"], 12);
        assert_eq!(out["renewal_on"], "vendredi 25 décembre 2026");
    }

    #[test]
    fn only_changed_keys_are_shown() {
        let before = json!({"id": 3, "name": "Auditorium", "capacity": 120, "step_free": true});
        let after = json!({"id": 3, "name": "Auditorium", "capacity": 100, "step_free": true, "password": "changed"});
        let d = diff(Some(&before), Some(&after));
        assert_eq!(
            d,
            vec![
                Change {
                    key: "capacity".into(),
                    before: Some("120".into()),
                    after: "100".into()
                },
                Change {
                    key: "password".into(),
                    before: Some("–".into()),
                    after: "changed".into()
                },
            ]
        );
    }

    #[test]
    fn a_creation_shows_the_values_given_and_a_revocation_nothing() {
        let d = diff(
            None,
            Some(&json!({"name": "Export", "role": "viewer", "notes": "", "room_id": null})),
        );
        assert_eq!(
            d.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
            ["name", "role"],
            "blank values left out"
        );
        assert_eq!(d[0].before, None);
        assert!(diff(None, None).is_empty());
    }

    #[test]
    fn long_values_are_cut() {
        let long = "a".repeat(200);
        assert_eq!(show(Some(&json!(long))).chars().count(), VALUE_MAX + 1);
    }

    #[test]
    fn every_known_entity_and_action_has_a_label() {
        for e in [
            "library",
            "staff",
            "api_token",
            "room",
            "series",
            "theme",
            "speaker",
            "event",
            "session",
            "need",
            "need_type",
            "logistics_settings",
            "prospect",
        ] {
            assert!(entity_key(e).is_some_and(has_key), "{e}");
        }
        for a in [
            "create",
            "update",
            "cancel",
            "restore",
            "publish",
            "revoke",
            "delete",
            "status",
            "move",
            "next_action",
            "rate",
            "add_need",
            "remove_need",
            "tested_without_it",
            "untested_without_it",
        ] {
            assert!(action_key(a).is_some_and(has_key), "{a}");
        }
    }
}
