-- The next instant at which the public pages change by themselves, without
-- a write (`Store::next_public_change`): the first registration window to
-- open or to close, found through these indexes in a few steps instead of
-- by reading every coming session (issue 11 §6).
create index sessions_by_opening on sessions (library_id, registration_opens_at);
create index sessions_by_closing on sessions (library_id, registration_closes_at);
