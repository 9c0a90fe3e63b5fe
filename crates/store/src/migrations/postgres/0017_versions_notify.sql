-- Servers sharing one database hear of a change of a library's versions
-- (migration 0016) when it is committed: the functions that bump them also
-- notify `almanach_versions` (PostgreSQL delivers a notification at commit,
-- once per transaction however many rows changed). Each server keeps the
-- versions it read until told, instead of reading them on every request
-- (decision 0025); a server that lost its listening connection reads them
-- on every request until it listens again.
create or replace function programme_versions_bump() returns trigger language plpgsql as $$
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
    -- Delivered at commit, once per transaction: see the migration's head.
    perform pg_notify('almanach_versions', '');
    return null;
end $$;

create or replace function programme_versions_seats() returns trigger language plpgsql as $$
begin
    update seat_versions set version = version + 1
    where library_id in (select distinct library_id from changed);
    perform pg_notify('almanach_versions', '');
    return null;
end $$;
