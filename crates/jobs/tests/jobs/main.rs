//! The background work through its public face: one binary, a module per
//! area, the test SMTP server and MIME reader shared once in `support`.

mod support;

mod browser;
mod digest;
mod mail;
