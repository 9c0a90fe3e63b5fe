-- Attendance, costs and imported history, kept on the session itself: the
-- statistics scan sessions by library and date, and a column read in the
-- same row costs nothing where a joined table would cost a lookup per row
-- (the benchmark aggregates 250,000 sessions for a network's season).

-- How many came. NULL means "not counted", which is not the same as 0:
-- averages leave uncounted sessions out and report them apart.
alter table sessions add column participants integer check (participants is null or participants >= 0);
-- Of whom under 14 (NULL: not counted apart).
alter table sessions add column under_14 integer check (under_14 is null or under_14 >= 0);
-- How many had registered (imported history, or the registration list).
alter table sessions add column registered integer check (registered is null or registered >= 0);
-- Of the registered, how many came (no-shows = registered - present).
alter table sessions add column present integer check (present is null or present >= 0);
-- Who counted and when: a staff member when signed in, and a label for
-- the command line or an import.
alter table sessions add column counted_by_staff integer references staff(id);
alter table sessions add column counted_by text;
alter table sessions add column counted_at integer;
-- What the session cost, in cents (fees, materials). A stand-in until cost
-- lines per speaker and tool arrive; the report reads it through one query.
alter table sessions add column cost_cents integer not null default 0 check (cost_cents >= 0);
-- Set on records created by an import: importing the same file again finds
-- them and creates nothing. NULL for records made by hand.
alter table sessions add column import_key text;
alter table events add column import_key text;
create unique index sessions_import_key on sessions (library_id, import_key);
create unique index events_import_key on events (library_id, import_key);

-- Statistics select a library's sessions by local date (a season, a year),
-- and a network's sessions by local date alone.
create index sessions_by_library_date on sessions (library_id, local_date);
create index sessions_by_date on sessions (local_date);
