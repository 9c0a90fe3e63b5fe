-- The SHA-256 of each applied migration's text, so that a migration edited
-- after it ran is noticed at start instead of leaving two databases that
-- claim the same version with different schemas. Recorded by the binary
-- (crates/store/src/migrate.rs) for rows where it is still null.
alter table schema_migrations add column checksum text;
