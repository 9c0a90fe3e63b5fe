//! Storage stories: one binary (linking the store and sqlx once, not fifteen
//! times), a module per area, each story on SQLite and PostgreSQL alike.

mod actions;
mod batches;
mod bench;
mod breakdown;
mod busy;
mod contract;
mod costs;
mod day;
mod digest;
mod documents;
mod ids;
mod lists;
mod logistics;
mod outbox;
mod registrations;
mod retention;
mod spans;
mod stats;
mod summaries;
mod tallies;
mod versions;
