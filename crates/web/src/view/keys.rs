//! Small helpers the staff pages share: ids from form fields, select
//! choices, locale keys of enum values, the e-mail check.

use almanach_domain::Problem;
use almanach_domain::programme::SessionKind;
use almanach_store::MailStatus;

use crate::Tr;

/// `Some(id)` from an optional form field holding an id; empty is `None`.
pub(crate) fn opt_id(s: &str) -> Option<i64> {
    s.trim().parse().ok().filter(|&n: &i64| n > 0)
}

/// `(value, label)` pairs for a select or a group of checkboxes.
pub(crate) type Choices = Vec<(String, String)>;

pub(crate) fn kind_key(k: SessionKind) -> &'static str {
    match k {
        SessionKind::Talk => "setup.kind.talk",
        SessionKind::Workshop => "setup.kind.workshop",
        SessionKind::Appointment => "setup.kind.appointment",
        SessionKind::Other => "setup.kind.other",
    }
}

pub(crate) fn category_key(slug: &str) -> String {
    format!("themes.category.{slug}")
}

pub(crate) fn category_labels(tr: &Tr, slugs: &[String]) -> String {
    slugs
        .iter()
        .map(|c| tr.t(&category_key(c)).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The locale key of a message's status, for every page listing e-mails.
pub(crate) fn status_key(s: MailStatus) -> &'static str {
    match s {
        MailStatus::Pending => "mail.status.pending",
        MailStatus::Sending => "mail.status.sending",
        MailStatus::Sent => "mail.status.sent",
        MailStatus::Failed => "mail.status.failed",
    }
}

/// An e-mail address that can plausibly receive mail: one `@` with text on
/// both sides, a dot inside the domain, no spaces. Deliverability is the
/// mail server's business; this only catches typing slips.
pub(crate) fn parse_email(field: &'static str, s: &str) -> Result<String, Problem> {
    let s = s.trim();
    almanach_domain::text::check_line(field, s)?;
    let ok = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !ok {
        return Err(Problem::field(field, "error.email"));
    }
    if s.chars().count() > 254 {
        return Err(Problem::field(field, "error.too_long").arg("max", "254"));
    }
    Ok(s.to_string())
}
