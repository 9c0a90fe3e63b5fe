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
    library_id integer not null,
    season integer not null,
    -- The series' name (a network adds up series by name); NULL for events outside any series.
    series text,
    events integer not null,
    sessions integer not null,
    talks integer not null,
    workshops integer not null,
    appointments integer not null,
    participants integer not null,
    under_14 integer not null,
    uncounted integer not null,
    counted_talks integer not null,
    talk_participants integer not null,
    counted_workshops integer not null,
    workshop_participants integer not null,
    cost_cents integer not null
);
create index report_seasons_by_library on report_seasons (library_id, season);
create index report_seasons_by_season on report_seasons (season);

create table report_season_themes (
    library_id integer not null,
    season integer not null,
    series text,
    theme text not null,
    sessions integer not null,
    participants integer not null
);
-- Both covering: a library's review reads the first, a network season's
-- rebuild the second, each in the order it groups by.
create index report_season_themes_by_library
    on report_season_themes (library_id, season, series, theme, sessions, participants);
create index report_season_themes_by_season on report_season_themes (season, series, theme, sessions, participants);

-- The network's seasons: the libraries' summaries added up, rebuilt when a
-- network report finds its season in report_network_stale.
create table report_network_seasons (
    season integer not null,
    series text,
    events integer not null,
    sessions integer not null,
    talks integer not null,
    workshops integer not null,
    appointments integer not null,
    participants integer not null,
    under_14 integer not null,
    uncounted integer not null,
    counted_talks integer not null,
    talk_participants integer not null,
    counted_workshops integer not null,
    workshop_participants integer not null,
    cost_cents integer not null
);
create index report_network_seasons_by_season on report_network_seasons (season);

create table report_network_themes (
    season integer not null,
    series text,
    theme text not null,
    sessions integer not null,
    participants integer not null
);
create index report_network_themes_by_season on report_network_themes (season);

-- Network seasons to rebuild, marked when one of their library seasons is rebuilt.
create table report_network_stale (
    season integer primary key
);

-- Library seasons to rebuild before the next season report.
create table report_stale (
    library_id integer not null,
    season integer not null,
    primary key (library_id, season)
);

-- Each session's season, when its local date is an ISO date (any other is in no season).
create view report_session_seasons as
    select id, library_id, event_id, cast(substr(local_date, 1, 4) as integer) - (substr(local_date, 6, 2) < '09') as season
    from sessions where local_date glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';

create trigger report_stale_session_insert after insert on sessions begin
    insert or ignore into report_stale select library_id, season from report_session_seasons where id = new.id;
end;
-- Before: once the row is gone, or changed, its season is too.
create trigger report_stale_session_delete before delete on sessions begin
    insert or ignore into report_stale select library_id, season from report_session_seasons where id = old.id;
end;
-- Both the season a session leaves and the one it joins.
create trigger report_stale_session_leave
before update of library_id, event_id, kind, local_date, cancelled, participants, under_14, cost_cents on sessions begin
    insert or ignore into report_stale select library_id, season from report_session_seasons where id = old.id;
end;
create trigger report_stale_session_join
after update of library_id, event_id, kind, local_date, cancelled, participants, under_14, cost_cents on sessions begin
    insert or ignore into report_stale select library_id, season from report_session_seasons where id = new.id;
end;
create trigger report_stale_event_update after update of series_id, status on events begin
    insert or ignore into report_stale select distinct library_id, season from report_session_seasons where event_id = new.id;
end;
create trigger report_stale_event_delete before delete on events begin
    insert or ignore into report_stale select distinct library_id, season from report_session_seasons where event_id = old.id;
end;
create trigger report_stale_theme_insert after insert on session_themes begin
    insert or ignore into report_stale select library_id, season from report_session_seasons where id = new.session_id;
end;
create trigger report_stale_theme_delete after delete on session_themes begin
    insert or ignore into report_stale select library_id, season from report_session_seasons where id = old.session_id;
end;
-- Summaries hold names: renaming a series or a theme rebuilds the seasons that show it.
create trigger report_stale_series_rename after update of name on series begin
    insert or ignore into report_stale
        select distinct library_id, season from report_seasons where library_id = old.library_id and series = old.name;
end;
create trigger report_stale_theme_rename after update of title on themes begin
    insert or ignore into report_stale
        select distinct library_id, season from report_season_themes where library_id = old.library_id and theme = old.title;
end;

-- Every season already recorded is built at the first report.
insert or ignore into report_stale select distinct library_id, season from report_session_seasons;
