-- A version of each library's programme, as the public sees it: bumped by
-- the triggers below in the same transaction as any change to the library,
-- its rooms, series, themes, speakers, events, sessions and their themes and
-- speakers. What is computed from these and kept in memory (the rules a
-- registration is checked against, and the public pages: issue 11) is
-- valid while the version it was computed at is the version now; with
-- several servers on one PostgreSQL database each reads it per request.
-- Registrations change seats, not the programme: they bump the library's
-- `seat_versions` row instead, so what shows seats (the public pages) is
-- kept under both versions and what does not (the rules a registration is
-- checked against) under the programme's alone. The registrar's lock on an
-- event's row (`events.registration_lock`, the only update of events that
-- leaves the other columns alone: an update that changed both would not
-- bump) bumps neither. Two tables, not two columns: on PostgreSQL a
-- registration locks its event and then its library's seat version, a
-- change of the programme its library's programme version and then, when
-- seats follow, the events: one row would lock in both orders.
create table programme_versions (
    library_id integer primary key references libraries(id) on delete cascade,
    version integer not null default 0
);
create table seat_versions (
    library_id integer primary key references libraries(id) on delete cascade,
    version integer not null default 0
);

insert into programme_versions (library_id) select id from libraries;
insert into seat_versions (library_id) select id from libraries;

create trigger programme_versions_library_insert after insert on libraries begin
    insert into programme_versions (library_id) values (new.id);
    insert into seat_versions (library_id) values (new.id);
end;
create trigger programme_versions_library_update after update on libraries begin
    update programme_versions set version = version + 1 where library_id = new.id;
end;

create trigger programme_versions_rooms_insert after insert on rooms begin
    update programme_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_rooms_update after update on rooms begin
    update programme_versions set version = version + 1 where library_id in (old.library_id, new.library_id);
end;
create trigger programme_versions_rooms_delete after delete on rooms begin
    update programme_versions set version = version + 1 where library_id = old.library_id;
end;

create trigger programme_versions_series_insert after insert on series begin
    update programme_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_series_update after update on series begin
    update programme_versions set version = version + 1 where library_id in (old.library_id, new.library_id);
end;
create trigger programme_versions_series_delete after delete on series begin
    update programme_versions set version = version + 1 where library_id = old.library_id;
end;

create trigger programme_versions_themes_insert after insert on themes begin
    update programme_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_themes_update after update on themes begin
    update programme_versions set version = version + 1 where library_id in (old.library_id, new.library_id);
end;
create trigger programme_versions_themes_delete after delete on themes begin
    update programme_versions set version = version + 1 where library_id = old.library_id;
end;

create trigger programme_versions_speakers_insert after insert on speakers begin
    update programme_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_speakers_update after update on speakers begin
    update programme_versions set version = version + 1 where library_id in (old.library_id, new.library_id);
end;
create trigger programme_versions_speakers_delete after delete on speakers begin
    update programme_versions set version = version + 1 where library_id = old.library_id;
end;

create trigger programme_versions_events_insert after insert on events begin
    update programme_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_events_update after update on events
    when old.registration_lock is new.registration_lock begin
    update programme_versions set version = version + 1 where library_id in (old.library_id, new.library_id);
end;
create trigger programme_versions_events_delete after delete on events begin
    update programme_versions set version = version + 1 where library_id = old.library_id;
end;

create trigger programme_versions_sessions_insert after insert on sessions begin
    update programme_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_sessions_update after update on sessions begin
    update programme_versions set version = version + 1 where library_id in (old.library_id, new.library_id);
end;
create trigger programme_versions_sessions_delete after delete on sessions begin
    update programme_versions set version = version + 1 where library_id = old.library_id;
end;

create trigger programme_versions_session_themes_insert after insert on session_themes begin
    update programme_versions set version = version + 1
    where library_id = (select library_id from sessions where id = new.session_id);
end;
create trigger programme_versions_session_themes_delete after delete on session_themes begin
    update programme_versions set version = version + 1
    where library_id = (select library_id from sessions where id = old.session_id);
end;
create trigger programme_versions_session_speakers_insert after insert on session_speakers begin
    update programme_versions set version = version + 1
    where library_id = (select library_id from sessions where id = new.session_id);
end;
create trigger programme_versions_session_speakers_delete after delete on session_speakers begin
    update programme_versions set version = version + 1
    where library_id = (select library_id from sessions where id = old.session_id);
end;

create trigger programme_versions_seats_insert after insert on registrations begin
    update seat_versions set version = version + 1 where library_id = new.library_id;
end;
create trigger programme_versions_seats_delete after delete on registrations begin
    update seat_versions set version = version + 1 where library_id = old.library_id;
end;
create trigger programme_versions_seats_update after update of status, seats, session_id, event_id
    on registrations begin
    update seat_versions set version = version + 1 where library_id = new.library_id;
end;
