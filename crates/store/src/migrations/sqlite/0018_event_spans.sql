-- Each event's first start, last end and number of sessions (cancelled
-- ones included: they still date the event), kept by triggers in the same
-- transaction as every change to `sessions`. The staff list of events reads
-- the coming ones by `last_end` and the past ones by `first_at` through
-- these indexes, instead of grouping every session the library ever held
-- (issue 11 §6: a page costs what it shows). Every event has its row; an
-- event without a session has no first start nor last end.
create table event_spans (
    event_id integer primary key references events(id) on delete cascade,
    library_id integer not null,
    first_at integer,
    last_end integer,
    sessions integer not null default 0
);

insert into event_spans (event_id, library_id, first_at, last_end, sessions)
select e.id, e.library_id, min(s.starts_at), max(s.ends_at), count(s.id)
from events e left join sessions s on s.event_id = e.id
group by e.id, e.library_id;

create index event_spans_by_end on event_spans (library_id, last_end);
create index event_spans_by_start on event_spans (library_id, first_at);

create trigger event_spans_event_insert after insert on events begin
    insert into event_spans (event_id, library_id) values (new.id, new.library_id);
end;

-- An event's span is read again from its own sessions (sessions_by_event):
-- a minimum or a maximum cannot be taken back by arithmetic.
create trigger event_spans_session_insert after insert on sessions begin
    update event_spans set (first_at, last_end, sessions) =
        (select min(starts_at), max(ends_at), count(*) from sessions where event_id = new.event_id)
    where event_id = new.event_id;
end;

create trigger event_spans_session_delete after delete on sessions begin
    update event_spans set (first_at, last_end, sessions) =
        (select min(starts_at), max(ends_at), count(*) from sessions where event_id = old.event_id)
    where event_id = old.event_id;
end;

create trigger event_spans_session_update after update of starts_at, ends_at, event_id on sessions begin
    update event_spans set (first_at, last_end, sessions) =
        (select min(starts_at), max(ends_at), count(*) from sessions where event_id = old.event_id)
    where event_id = old.event_id;
    update event_spans set (first_at, last_end, sessions) =
        (select min(starts_at), max(ends_at), count(*) from sessions where event_id = new.event_id)
    where event_id = new.event_id;
end;
