-- Who of the registered came, ticked on the day. Presence is per
-- registration AND session, not a flag on the registration: a course
-- registration holds a seat on every session of its event, and each of
-- those sessions is checked in on its own day. The session's `present` and
-- `registered` columns (0003) are recomputed from these rows on every tick.
create table check_ins (
    registration_id integer not null references registrations(id) on delete cascade,
    session_id integer not null references sessions(id) on delete cascade,
    checked_at integer not null,
    -- Who ticked (the staff member's e-mail), as counted_by on sessions.
    checked_by text not null,
    primary key (registration_id, session_id)
);
create index check_ins_by_session on check_ins (session_id);
