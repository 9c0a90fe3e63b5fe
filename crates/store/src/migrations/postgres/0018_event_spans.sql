-- Each event's first start, last end and number of sessions: see the SQLite
-- migration of the same number for what reads them and why. Here one
-- trigger function reads an event's span again from its sessions.
create table event_spans (
    event_id bigint primary key references events(id) on delete cascade,
    library_id bigint not null,
    first_at bigint,
    last_end bigint,
    sessions bigint not null default 0
);

insert into event_spans (event_id, library_id, first_at, last_end, sessions)
select e.id, e.library_id, min(s.starts_at), max(s.ends_at), count(s.id)
from events e left join sessions s on s.event_id = e.id
group by e.id, e.library_id;

create index event_spans_by_end on event_spans (library_id, last_end);
create index event_spans_by_start on event_spans (library_id, first_at);

create function event_spans_event_insert() returns trigger language plpgsql as $$
begin
    insert into event_spans (event_id, library_id) values (new.id, new.library_id);
    return null;
end $$;

create trigger event_spans_event_insert after insert on events
    for each row execute function event_spans_event_insert();

create function event_spans_sessions() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        update event_spans set (first_at, last_end, sessions) =
            (select min(starts_at), max(ends_at), count(*) from sessions where event_id = old.event_id)
        where event_id = old.event_id;
    end if;
    if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.event_id <> old.event_id) then
        update event_spans set (first_at, last_end, sessions) =
            (select min(starts_at), max(ends_at), count(*) from sessions where event_id = new.event_id)
        where event_id = new.event_id;
    end if;
    return null;
end $$;

create trigger event_spans_sessions after insert or delete or update of starts_at, ends_at, event_id on sessions
    for each row execute function event_spans_sessions();
