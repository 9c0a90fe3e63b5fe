//! The `almanach` binary run as a library's staff run it: one test binary, a
//! module per area (CLI, demo, imported history, the registration rush).

mod cli;
mod demo;
mod history;
mod rush;
