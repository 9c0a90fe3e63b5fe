-- Logistics with the IT department (technical needs, their catalogue and
-- the deadline rule's settings) and the speakers' directory with its
-- prospecting pipeline. Portable types as in 0001.

-- This area's settings per library, apart from `libraries` so they evolve
-- on their own; the row is created with its defaults on first use.
create table library_logistics (
    library_id integer primary key references libraries(id),
    -- When IT works, one range per line ("lundi 09:00-17:00"), Monday to
    -- Friday; the deadline rule counts IT working days from it.
    it_hours text not null,
    -- IT needs are due this many IT working days before the session.
    it_lead_days integer not null default 5 check (it_lead_days between 1 and 30),
    -- The library's postcode: speakers in the same département are local.
    postcode text not null default '',
    -- Whether mediators see speakers' fees and costs (coordinators always do).
    mediators_see_costs integer not null default 0
);

-- What can be asked for: seeded with the usual equipment, edited by coordinators.
create table need_types (
    id integer primary key,
    library_id integer not null references libraries(id),
    name text not null,
    -- Who usually provides it: it, team, speaker, rental.
    provider text not null default 'it',
    -- What to say when asking ("how many, which software").
    hint text not null default '',
    -- Retired types stay for the needs that used them, out of the choices.
    active integer not null default 1,
    unique (library_id, name)
);

create table session_needs (
    id integer primary key,
    library_id integer not null references libraries(id),
    session_id integer not null references sessions(id) on delete cascade,
    need_type_id integer not null references need_types(id),
    quantity integer not null default 1 check (quantity between 1 and 1000),
    details text not null default '',
    provider text not null,
    -- The due date is computed when read, from the session and IT's
    -- calendar, so moving a session or changing IT's hours moves it too.
    -- Set (ISO date) only when someone overrides it.
    due_override text,
    status text not null default 'requested',
    created_at integer not null,
    updated_at integer not null
);
create index session_needs_by_session on session_needs (session_id);
create index session_needs_by_library on session_needs (library_id, status);

-- The thread of a need: comments, and the status each one came with.
create table need_comments (
    id integer primary key,
    need_id integer not null references session_needs(id) on delete cascade,
    staff_id integer references staff(id),
    author text not null,
    body text not null default '',
    status text,
    at integer not null
);
create index need_comments_by_need on need_comments (need_id, id);

-- A series' default needs, given to every session created in it.
create table series_needs (
    id integer primary key,
    series_id integer not null references series(id) on delete cascade,
    need_type_id integer not null references need_types(id),
    quantity integer not null default 1 check (quantity between 1 and 1000),
    details text not null default '',
    provider text not null
);
create index series_needs_by_series on series_needs (series_id);

-- The team's check that a session IT does not attend (a Sunday, after
-- IT's hours) works without IT.
create table it_free_checks (
    session_id integer primary key references sessions(id) on delete cascade,
    checked_by text not null,
    checked_at integer not null
);

-- The speakers' directory. Fees, travel and invoicing are private: the
-- web layer shows them only to those who book speakers.
alter table speakers add column kind text not null default 'person';
alter table speakers add column website text not null default '';
alter table speakers add column town text not null default '';
alter table speakers add column postcode text not null default '';
-- Empty for France; the region is derived from postcode and country.
alter table speakers add column country text not null default '';
-- Comma-separated theme category slugs, formats and audiences.
alter table speakers add column categories text not null default '';
alter table speakers add column subjects text not null default '';
alter table speakers add column formats text not null default '';
alter table speakers add column audiences text not null default '';
alter table speakers add column age_min integer;
alter table speakers add column age_max integer;
-- Fees in cents; NULL when unknown (0 is a speaker who comes for free).
alter table speakers add column fee_talk_cents integer check (fee_talk_cents is null or fee_talk_cents >= 0);
alter table speakers add column fee_workshop_cents integer check (fee_workshop_cents is null or fee_workshop_cents >= 0);
alter table speakers add column fee_day_cents integer check (fee_day_cents is null or fee_day_cents >= 0);
alter table speakers add column travel_cents integer check (travel_cents is null or travel_cents >= 0);
alter table speakers add column accommodation integer not null default 0;
alter table speakers add column travel_notes text not null default '';
alter table speakers add column siret text not null default '';
alter table speakers add column vat integer not null default 0;
alter table speakers add column invoicing text not null default '';

-- One speaker approached for one project (an event, a season's theme):
-- a speaker may be in several at once.
create table prospects (
    id integer primary key,
    library_id integer not null references libraries(id),
    speaker_id integer not null references speakers(id) on delete cascade,
    project text not null,
    event_id integer references events(id) on delete set null,
    stage text not null default 'to_contact',
    -- The date of the latest step (ISO), as the person gave it.
    stage_on text not null,
    -- "Relancer par téléphone" on a date: the coordinator's dashboard lists them.
    next_action text not null default '',
    next_action_on text,
    created_at integer not null,
    updated_at integer not null
);
create index prospects_by_speaker on prospects (speaker_id);
create index prospects_by_next_action on prospects (library_id, next_action_on);

-- Every step a project went through, dated, with its note.
create table prospect_steps (
    id integer primary key,
    prospect_id integer not null references prospects(id) on delete cascade,
    stage text not null,
    on_date text not null,
    note text not null default '',
    author text not null,
    at integer not null
);
create index prospect_steps_by_prospect on prospect_steps (prospect_id, id);

-- The team's rating of a speaker after a session, and its comment.
create table speaker_ratings (
    session_id integer not null references sessions(id) on delete cascade,
    speaker_id integer not null references speakers(id) on delete cascade,
    rating integer not null check (rating between 1 and 5),
    comment text not null default '',
    author text not null,
    at integer not null,
    primary key (session_id, speaker_id)
);
create index speaker_ratings_by_speaker on speaker_ratings (speaker_id);
