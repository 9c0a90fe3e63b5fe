-- Registrations for the sessions that take them: the registration window,
-- the seats one registration may take, courses, the parties and their
-- waiting lists. Portable types as in 0001.

-- When registration opens and closes (unix seconds). Null opens it as soon
-- as the event is published and closes it when the session starts:
-- "ouverture des inscriptions le 2 mai à 10 h".
alter table sessions add column registration_opens_at integer;
alter table sessions add column registration_closes_at integer;
-- Seats one registration may take: 1, or e.g. 4 for a family workshop.
alter table sessions add column max_seats_per_registration integer not null default 1;

-- A course (three Saturdays of robotics): one registration books a seat on
-- every session of the event, whose capacity is the smallest of theirs.
alter table events add column course integer not null default 0;
-- Bumped by every registration write on the event's sessions. On
-- PostgreSQL concurrent writers, also from several servers, queue on this
-- row before counting seats, so a count cannot race (SQLite's
-- BEGIN IMMEDIATE already serialises writers). One lock per event, as
-- pretix does: a course's sessions are then always locked together.
alter table events add column registration_lock integer not null default 0;

create table registrations (
    id integer primary key,
    library_id integer not null references libraries(id),
    event_id integer not null references events(id) on delete cascade,
    -- The session registered for; null for a course (every session of the event).
    session_id integer references sessions(id) on delete cascade,
    name text not null,
    -- Lowercased; empty when staff registered a phone caller without one,
    -- and once anonymised.
    email text not null default '',
    phone text not null default '',
    seats integer not null check (seats >= 1),
    -- Children's ages, comma-separated, when the audience has an age range;
    -- kept after anonymisation for the under-14 statistics.
    ages text not null default '',
    status text not null check (status in ('confirmed', 'waiting', 'cancelled')),
    -- Arrival order on the waiting list, increasing per event; set when the
    -- party joins the list (registering, or being moved here).
    queue_order integer not null default 0,
    -- SHA-256 of the private link's token; the token is only ever shown to the person.
    token_hash text not null unique,
    -- SHA-256 of the form's idempotency key: the same form sent twice (a
    -- double click) finds the first registration instead of making a second.
    idempotency_hash text not null unique,
    -- 'public', or 'staff' when registered on behalf of a phone caller.
    source text not null default 'public',
    created_at integer not null,
    updated_at integer not null,
    -- When a waiting party got its seats: the e-mail phase tells them.
    promoted_at integer,
    cancelled_at integer,
    -- When name, e-mail and phone were erased; seats and ages stay for statistics.
    anonymised_at integer
);
create index registrations_by_session on registrations (session_id, status);
create index registrations_by_event on registrations (event_id, status, queue_order);
create index registrations_by_email on registrations (email);
-- One live registration per e-mail and session (or course): the store
-- answers "déjà inscrit" first; this is the last line of defence.
create unique index registrations_one_per_email on registrations (event_id, coalesce(session_id, 0), email)
    where status <> 'cancelled' and email <> '';
