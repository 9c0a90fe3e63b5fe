-- The programme of one or more libraries, their staff, and the audit trail.
-- Portable types on purpose (see docs/decisions/0002-portable-sql.md):
-- integers and flags as INTEGER (0/1), instants as unix seconds, calendar
-- dates as ISO text, so one query layer serves SQLite and PostgreSQL.

create table libraries (
    id integer primary key,
    name text not null,
    -- IANA zone the library's wall-clock times are in.
    timezone text not null default 'Europe/Paris',
    -- One range per line, "mardi 10:00-18:00"; empty means not configured.
    opening_hours text not null default '',
    -- One date or range per line.
    closing_days text not null default '',
    created_at integer not null
);

create table staff (
    id integer primary key,
    library_id integer not null references libraries(id),
    email text not null unique,
    name text not null,
    role text not null,
    -- Argon2id PHC string; never leaves the server.
    password_hash text not null,
    active integer not null default 1,
    created_at integer not null
);

-- Server-side sign-in sessions: the cookie holds a random id, we keep its hash.
create table auth_sessions (
    id_hash text primary key,
    staff_id integer not null references staff(id) on delete cascade,
    csrf_token text not null,
    created_at integer not null,
    expires_at integer not null
);

-- Repeated sign-in failures per key (e-mail or client address), to slow guessing.
create table login_failures (
    key text primary key,
    failures integer not null,
    last_at integer not null
);

create table api_tokens (
    id integer primary key,
    library_id integer not null references libraries(id),
    staff_id integer not null references staff(id),
    name text not null,
    role text not null,
    -- SHA-256 of the token; the token itself is shown once.
    token_hash text not null unique,
    created_at integer not null,
    last_used_at integer,
    revoked_at integer
);

create table rooms (
    id integer primary key,
    library_id integer not null references libraries(id),
    name text not null,
    capacity integer,
    equipment text not null default '',
    step_free integer not null default 1,
    -- Bumped by every session write in this room, so concurrent writers
    -- serialise on the room and a clash check cannot race.
    lock_version integer not null default 0,
    unique (library_id, name)
);

create table series (
    id integer primary key,
    library_id integer not null references libraries(id),
    name text not null,
    description text not null default '',
    default_kind text not null default 'talk',
    duration_minutes integer,
    capacity integer,
    age_min integer,
    age_max integer,
    registration_policy text not null default 'free_entry',
    colour text not null default '#3a6ea5',
    unique (library_id, name)
);

create table themes (
    id integer primary key,
    library_id integer not null references libraries(id),
    title text not null,
    description text not null default '',
    -- Comma-separated category slugs (image,texte,...).
    categories text not null default '',
    materials text not null default '',
    unique (library_id, title)
);

-- Staff able to lead a theme.
create table theme_leads (
    theme_id integer not null references themes(id) on delete cascade,
    staff_id integer not null references staff(id) on delete cascade,
    primary key (theme_id, staff_id)
);

create table speakers (
    id integer primary key,
    library_id integer not null references libraries(id),
    name text not null,
    organisation text not null default '',
    email text not null default '',
    phone text not null default '',
    notes text not null default ''
);

create table events (
    id integer primary key,
    library_id integer not null references libraries(id),
    series_id integer references series(id),
    title text not null,
    description text not null default '',
    picture_url text not null default '',
    status text not null default 'draft',
    created_at integer not null,
    updated_at integer not null
);

create table sessions (
    id integer primary key,
    library_id integer not null references libraries(id),
    event_id integer not null references events(id) on delete cascade,
    kind text not null,
    -- Unix seconds, UTC: unambiguous across daylight-saving changes.
    starts_at integer not null,
    ends_at integer not null,
    -- The library-local date, ISO, kept for day grouping and calendars.
    local_date text not null,
    room_id integer references rooms(id),
    capacity integer,
    age_min integer,
    age_max integer,
    accompanied integer not null default 0,
    price_cents integer not null default 0,
    registration_required integer not null default 0,
    attendance_mode text not null default 'in_person',
    online_url text not null default '',
    cancelled integer not null default 0,
    created_at integer not null,
    updated_at integer not null
);
create index sessions_by_time on sessions (library_id, starts_at);
create index sessions_by_room on sessions (room_id, starts_at);
create index sessions_by_event on sessions (event_id);

create table session_themes (
    session_id integer not null references sessions(id) on delete cascade,
    theme_id integer not null references themes(id),
    primary key (session_id, theme_id)
);
create index session_themes_by_theme on session_themes (theme_id);

create table session_speakers (
    session_id integer not null references sessions(id) on delete cascade,
    speaker_id integer not null references speakers(id),
    primary key (session_id, speaker_id)
);

create table session_leads (
    session_id integer not null references sessions(id) on delete cascade,
    staff_id integer not null references staff(id),
    primary key (session_id, staff_id)
);

-- Every staff change: who, when, what, before and after (JSON).
create table audit_log (
    id integer primary key,
    library_id integer not null,
    staff_id integer,
    actor text not null,
    at integer not null,
    entity text not null,
    entity_id integer not null,
    action text not null,
    before_json text,
    after_json text
);
create index audit_by_entity on audit_log (entity, entity_id);
