-- Costs: tools and subscriptions, cost lines per session, budgets per
-- series and season. Portable types as in 0001. No password is ever
-- stored: a tool row holds no credential field on purpose.

create table tools (
    id integer primary key,
    library_id integer not null references libraries(id),
    name text not null,
    provider text not null default '',
    plan text not null default '',
    -- The price per billing period, in cents; billing is monthly or yearly.
    cost_cents integer not null default 0,
    billing text not null default 'monthly',
    seats integer,
    -- YYYY-MM-DD; the coordinator's dashboard warns 30 days before.
    renewal_on text,
    owner_id integer references staff(id),
    notes text not null default ''
);
create index tools_by_library on tools (library_id);

-- Which themes and sessions use a tool: its period cost is spread over
-- the sessions using it (directly or through a theme) in each month.
create table tool_themes (
    tool_id integer not null references tools(id) on delete cascade,
    theme_id integer not null references themes(id),
    primary key (tool_id, theme_id)
);
create table tool_sessions (
    tool_id integer not null references tools(id) on delete cascade,
    session_id integer not null references sessions(id) on delete cascade,
    primary key (tool_id, session_id)
);

create table cost_lines (
    id integer primary key,
    session_id integer not null references sessions(id) on delete cascade,
    -- fee, travel, materials, printing, rental, other.
    kind text not null,
    cents integer not null,
    note text not null default ''
);
create index cost_lines_by_session on cost_lines (session_id);

-- The money planned for a series in a season ("2025-2026").
create table budgets (
    series_id integer not null references series(id) on delete cascade,
    season text not null,
    planned_cents integer not null,
    primary key (series_id, season)
);
