//! Messages about a staff account rather than a registration: today the
//! password reset link. The link is left as the placeholder, as in every
//! message, and made when sending from the account as it is then.

use almanach_domain::i18n::Tr;
use almanach_domain::{Lang, fmt};
use askama::Template;

use crate::compose::Composed;

/// What both templates show.
struct View {
    lang: &'static str,
    subject: String,
    hello: String,
    intro: String,
    link_intro: String,
    ignore: &'static str,
    signature: String,
    footer: String,
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct TextMail<'a> {
    v: &'a View,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct HtmlMail<'a> {
    v: &'a View,
}

/// The reset message to `name` <`email`> of `library`, whose link works
/// for `minutes`.
pub fn compose_password_reset(
    lang: Lang,
    name: &str,
    email: &str,
    library: &str,
    minutes: i64,
) -> Composed {
    let w = Tr::new(lang);
    let view = View {
        lang: lang.code(),
        subject: w.tf("mail.reset.subject", &[("library", library)]),
        hello: if name.trim().is_empty() {
            w.t("mail.hello_anonymous").into()
        } else {
            w.tf("mail.hello", &[("name", name.trim())])
        },
        intro: w.tf(
            "mail.reset.intro",
            &[("library", library), ("email", email)],
        ),
        link_intro: w.tf("mail.reset.link", &[("minutes", fmt::int(minutes, lang))]),
        ignore: w.t("mail.reset.ignore"),
        signature: w.tf("mail.signature", &[("library", library)]),
        footer: w.tf("mail.reset.footer", &[("library", library)]),
    };
    Composed {
        subject: view.subject.clone(),
        text: TextMail { v: &view }
            .render()
            .expect("text template renders"),
        html: HtmlMail { v: &view }
            .render()
            .expect("HTML template renders"),
        ics: String::new(),
    }
}
