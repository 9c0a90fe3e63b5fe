-- Seats confirmed and parties waiting per registration target: an event's
-- session, or session_key 0 for a course (every session of the event). Kept
-- by triggers in the same transaction as every change to `registrations`,
-- so reading a session's seats costs the same with ten registrations or a
-- hundred thousand (issue 11: a registration's cost must not grow with the
-- number already registered). `select.rs` TAKEN and WAITING read it.
create table seat_tallies (
    event_id integer not null references events(id) on delete cascade,
    session_key integer not null,
    confirmed_seats integer not null default 0,
    waiting integer not null default 0,
    primary key (event_id, session_key)
);

insert into seat_tallies (event_id, session_key, confirmed_seats, waiting)
select event_id, coalesce(session_id, 0),
       sum(case when status = 'confirmed' then seats else 0 end),
       sum(case when status = 'waiting' then 1 else 0 end)
from registrations
group by event_id, coalesce(session_id, 0);

-- A change of a tally, written as a row of this view: its trigger adds it
-- to the tally (creating it the first time), so each trigger on
-- `registrations` below says only what it adds or takes away. SQLite only:
-- PostgreSQL's trigger function does the same in one place.
create view seat_tally_changes as
    select event_id, session_key, confirmed_seats, waiting from seat_tallies;
create trigger seat_tally_change instead of insert on seat_tally_changes begin
    insert into seat_tallies (event_id, session_key, confirmed_seats, waiting)
    values (new.event_id, new.session_key, new.confirmed_seats, new.waiting)
    on conflict (event_id, session_key) do update set
        confirmed_seats = confirmed_seats + excluded.confirmed_seats,
        waiting = waiting + excluded.waiting;
end;

create trigger seat_tallies_insert after insert on registrations begin
    insert into seat_tally_changes values (new.event_id, coalesce(new.session_id, 0),
        iif(new.status = 'confirmed', new.seats, 0), new.status = 'waiting');
end;

create trigger seat_tallies_delete after delete on registrations begin
    insert into seat_tally_changes values (old.event_id, coalesce(old.session_id, 0),
        -iif(old.status = 'confirmed', old.seats, 0), -(old.status = 'waiting'));
end;

-- What the row counted for leaves its old target and joins its new one.
create trigger seat_tallies_update after update of status, seats, session_id, event_id on registrations begin
    insert into seat_tally_changes values (old.event_id, coalesce(old.session_id, 0),
        -iif(old.status = 'confirmed', old.seats, 0), -(old.status = 'waiting'));
    insert into seat_tally_changes values (new.event_id, coalesce(new.session_id, 0),
        iif(new.status = 'confirmed', new.seats, 0), new.status = 'waiting');
end;

-- The next arrival number (`max(queue_order)` of an event) without reading
-- every registration of the event.
create index registrations_queue on registrations (event_id, queue_order);
