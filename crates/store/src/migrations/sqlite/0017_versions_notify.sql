-- PostgreSQL only (servers sharing a database are told of a change of
-- versions; see the PostgreSQL migration of the same number). One server
-- writes to a SQLite database: nothing to do here.
select 1;
