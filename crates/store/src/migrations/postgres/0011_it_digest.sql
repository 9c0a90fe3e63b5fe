-- The weekly digest to the IT department (issue 5): when it goes, to whom,
-- and a record of each week's, so that of several servers sharing the
-- database one sends it, once (see docs/decisions/0011-it-digest.md).

-- Whether the digest goes at all.
alter table library_logistics add column digest_enabled bigint not null default 1;
-- When, library time: ISO weekday (1 = Monday … 7 = Sunday) and hour.
alter table library_logistics add column digest_weekday bigint not null default 1 check (digest_weekday between 1 and 7);
alter table library_logistics add column digest_hour bigint not null default 8 check (digest_hour between 0 and 23);
-- Addresses beside the IT role's accounts, one per line: a shared mailbox
-- of the IT department, a helpdesk.
alter table library_logistics add column digest_to text not null default '';
-- The digest's language (staff accounts have none of their own): fr, en.
alter table library_logistics add column digest_lang text not null default 'fr';

-- One row per library and week once that week's digest was dealt with,
-- whichever server got there first (the primary key decides).
create table it_digests (
    library_id bigint not null references libraries(id),
    -- The Monday of the ISO week, library time, e.g. '2026-12-07'.
    week text not null,
    created_at bigint not null,
    -- Messages enqueued: 0 when there was nothing to tell, or nobody to tell it.
    recipients bigint not null,
    -- Why nothing went: '' (it went), 'empty', 'no_recipients'.
    skipped text not null default '',
    primary key (library_id, week)
);
