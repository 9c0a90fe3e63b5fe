//! The translator pages use: the one catalogue of pages and e-mails lives in
//! the domain (`almanach_domain::i18n`), so the e-mails' composer, which
//! cannot depend on this crate, shares it.

#[cfg(test)]
pub use almanach_domain::i18n::has_key;
pub use almanach_domain::i18n::{Tr, check_locales};
