-- A version of each library's programme, as the public sees it: see the
-- SQLite migration of the same number for what bumps it and why. Here one
-- trigger function does it for every table.
create table programme_versions (
    library_id bigint primary key references libraries(id) on delete cascade,
    version bigint not null default 0
);
create table seat_versions (
    library_id bigint primary key references libraries(id) on delete cascade,
    version bigint not null default 0
);

insert into programme_versions (library_id) select id from libraries;
insert into seat_versions (library_id) select id from libraries;

create function programme_versions_library_insert() returns trigger language plpgsql as $$
begin
    insert into programme_versions (library_id) values (new.id);
    insert into seat_versions (library_id) values (new.id);
    return null;
end $$;

create trigger programme_versions_library_insert after insert on libraries
    for each row execute function programme_versions_library_insert();

-- The library of the row changed: its own column, the library itself, or
-- (for a session's themes and speakers) its session's.
create function programme_versions_bump() returns trigger language plpgsql as $$
declare
    r jsonb;
begin
    if tg_op = 'DELETE' then r := to_jsonb(old); else r := to_jsonb(new); end if;
    if tg_table_name = 'libraries' then
        update programme_versions set version = version + 1 where library_id = (r->>'id')::bigint;
    elsif r ? 'library_id' then
        -- (A row never moves to another library.)
        update programme_versions set version = version + 1 where library_id = (r->>'library_id')::bigint;
    else
        update programme_versions set version = version + 1
        where library_id = (select library_id from sessions where id = (r->>'session_id')::bigint);
    end if;
    return null;
end $$;

create trigger programme_versions_bump after update on libraries
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or update or delete on rooms
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or update or delete on series
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or update or delete on themes
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or update or delete on speakers
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or delete on events
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump_events after update on events
    for each row when (old.registration_lock is not distinct from new.registration_lock)
    execute function programme_versions_bump();
create trigger programme_versions_bump after insert or update or delete on sessions
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or delete on session_themes
    for each row execute function programme_versions_bump();
create trigger programme_versions_bump after insert or delete on session_speakers
    for each row execute function programme_versions_bump();

-- Seats: once per statement (the registrar writes a batch in a few), for
-- the libraries whose registrations it changed.
create function programme_versions_seats() returns trigger language plpgsql as $$
begin
    update seat_versions set version = version + 1
    where library_id in (select distinct library_id from changed);
    return null;
end $$;

create trigger programme_versions_seats_insert after insert on registrations
    referencing new table as changed for each statement execute function programme_versions_seats();
create trigger programme_versions_seats_update after update on registrations
    referencing new table as changed for each statement execute function programme_versions_seats();
create trigger programme_versions_seats_delete after delete on registrations
    referencing old table as changed for each statement execute function programme_versions_seats();
