//! HTTP tests through the real router: one binary, a module per area, each
//! test on a fresh database, SQLite and PostgreSQL alike.

mod actions;
mod api;
mod app;
mod auth;
mod browser;
mod busy;
mod costs;
mod csv;
mod day;
mod documents;
mod edge;
mod events;
mod feeds;
mod import;
mod integration;
mod kept;
mod layout;
mod library;
mod lists;
mod logistics;
mod public;
mod rooms;
mod setup;
mod sign_in;
mod stats;
mod text;
