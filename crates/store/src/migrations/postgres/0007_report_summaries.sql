-- Season summaries for the review: each library's season added up per
-- series, and per series and theme, and the same for the whole network, so
-- a season review reads a few hundred rows instead of up to a quarter of a
-- million sessions (measured: docs/benchmarks.md, chosen:
-- docs/decisions/0010-report-performance.md). Nothing writes them by hand:
-- triggers mark a library's season stale on every write that can change
-- its figures, whatever code path made it; the store rebuilds the stale
-- library seasons before the next season report, and marks their network
-- season stale in turn for the next network report.
-- A season is named by its first year: 2024 for 2024-2025.

create table report_seasons (
    library_id bigint not null,
    season bigint not null,
    -- The series' name (a network adds up series by name); NULL for events outside any series.
    series text,
    events bigint not null,
    sessions bigint not null,
    talks bigint not null,
    workshops bigint not null,
    appointments bigint not null,
    participants bigint not null,
    under_14 bigint not null,
    uncounted bigint not null,
    counted_talks bigint not null,
    talk_participants bigint not null,
    counted_workshops bigint not null,
    workshop_participants bigint not null,
    cost_cents bigint not null
);
create index report_seasons_by_library on report_seasons (library_id, season);
create index report_seasons_by_season on report_seasons (season);

create table report_season_themes (
    library_id bigint not null,
    season bigint not null,
    series text,
    theme text not null,
    sessions bigint not null,
    participants bigint not null
);
-- Both covering: a library's review reads the first, a network season's
-- rebuild the second, each in the order it groups by.
create index report_season_themes_by_library
    on report_season_themes (library_id, season, series, theme, sessions, participants);
create index report_season_themes_by_season on report_season_themes (season, series, theme, sessions, participants);

-- The network's seasons: the libraries' summaries added up, rebuilt when a
-- network report finds its season in report_network_stale.
create table report_network_seasons (
    season bigint not null,
    series text,
    events bigint not null,
    sessions bigint not null,
    talks bigint not null,
    workshops bigint not null,
    appointments bigint not null,
    participants bigint not null,
    under_14 bigint not null,
    uncounted bigint not null,
    counted_talks bigint not null,
    talk_participants bigint not null,
    counted_workshops bigint not null,
    workshop_participants bigint not null,
    cost_cents bigint not null
);
create index report_network_seasons_by_season on report_network_seasons (season);

create table report_network_themes (
    season bigint not null,
    series text,
    theme text not null,
    sessions bigint not null,
    participants bigint not null
);
create index report_network_themes_by_season on report_network_themes (season);

-- Network seasons to rebuild, marked when one of their library seasons is rebuilt.
create table report_network_stale (
    season bigint primary key
);

-- Library seasons to rebuild before the next season report. The rebuild
-- locks this table, so it waits for writers that marked a season to commit.
create table report_stale (
    library_id bigint not null,
    season bigint not null,
    primary key (library_id, season)
);

-- A local date's season; NULL when the date is not ISO (such a session is in no season).
create function report_season(local_date text) returns bigint language sql immutable as $$
    select case when local_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then
        cast(substr(local_date, 1, 4) as bigint) - case when substr(local_date, 6, 2) < '09' then 1 else 0 end end
$$;

-- Both the season a session leaves and the one it joins.
create function report_stale_session() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and report_season(old.local_date) is not null then
        insert into report_stale values (old.library_id, report_season(old.local_date)) on conflict do nothing;
    end if;
    if tg_op in ('UPDATE', 'INSERT') and report_season(new.local_date) is not null then
        insert into report_stale values (new.library_id, report_season(new.local_date)) on conflict do nothing;
    end if;
    return null;
end $$;
create trigger report_stale_session
    after insert or delete or update of library_id, event_id, kind, local_date, cancelled, participants, under_14, cost_cents
    on sessions for each row execute function report_stale_session();

create function report_stale_event() returns trigger language plpgsql as $$
begin
    insert into report_stale
        select distinct library_id, report_season(local_date) from sessions
        where event_id = old.id and report_season(local_date) is not null
        on conflict do nothing;
    -- A BEFORE trigger returning null would cancel the delete.
    return old;
end $$;
create trigger report_stale_event_update after update of series_id, status on events
    for each row execute function report_stale_event();
-- Before: once the event is gone its sessions are too.
create trigger report_stale_event_delete before delete on events
    for each row execute function report_stale_event();

create function report_stale_session_theme() returns trigger language plpgsql as $$
begin
    insert into report_stale
        select library_id, report_season(local_date) from sessions
        where id = case when tg_op = 'DELETE' then old.session_id else new.session_id end
            and report_season(local_date) is not null
        on conflict do nothing;
    return null;
end $$;
create trigger report_stale_session_theme after insert or delete on session_themes
    for each row execute function report_stale_session_theme();

-- Summaries hold names: renaming a series or a theme rebuilds the seasons that show it.
create function report_stale_rename() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'series' then
        insert into report_stale
            select distinct library_id, season from report_seasons where library_id = old.library_id and series = old.name
            on conflict do nothing;
    else
        insert into report_stale
            select distinct library_id, season from report_season_themes where library_id = old.library_id and theme = old.title
            on conflict do nothing;
    end if;
    return null;
end $$;
create trigger report_stale_series_rename after update of name on series
    for each row execute function report_stale_rename();
create trigger report_stale_theme_rename after update of title on themes
    for each row execute function report_stale_rename();

-- Every season already recorded is built at the first report.
insert into report_stale select distinct library_id, report_season(local_date) from sessions
    where report_season(local_date) is not null on conflict do nothing;
