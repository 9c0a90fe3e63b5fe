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

create trigger seat_tallies_insert after insert on registrations begin
    insert into seat_tallies (event_id, session_key, confirmed_seats, waiting)
    values (new.event_id, coalesce(new.session_id, 0),
            case when new.status = 'confirmed' then new.seats else 0 end,
            case when new.status = 'waiting' then 1 else 0 end)
    on conflict (event_id, session_key) do update set
        confirmed_seats = confirmed_seats + excluded.confirmed_seats,
        waiting = waiting + excluded.waiting;
end;

create trigger seat_tallies_delete after delete on registrations begin
    update seat_tallies set
        confirmed_seats = confirmed_seats - case when old.status = 'confirmed' then old.seats else 0 end,
        waiting = waiting - case when old.status = 'waiting' then 1 else 0 end
    where event_id = old.event_id and session_key = coalesce(old.session_id, 0);
end;

-- What the row counted for leaves its old target and joins its new one.
create trigger seat_tallies_update after update of status, seats, session_id, event_id on registrations begin
    update seat_tallies set
        confirmed_seats = confirmed_seats - case when old.status = 'confirmed' then old.seats else 0 end,
        waiting = waiting - case when old.status = 'waiting' then 1 else 0 end
    where event_id = old.event_id and session_key = coalesce(old.session_id, 0);
    insert into seat_tallies (event_id, session_key, confirmed_seats, waiting)
    values (new.event_id, coalesce(new.session_id, 0),
            case when new.status = 'confirmed' then new.seats else 0 end,
            case when new.status = 'waiting' then 1 else 0 end)
    on conflict (event_id, session_key) do update set
        confirmed_seats = confirmed_seats + excluded.confirmed_seats,
        waiting = waiting + excluded.waiting;
end;

-- The next arrival number (`max(queue_order)` of an event) without reading
-- every registration of the event.
create index registrations_queue on registrations (event_id, queue_order);
