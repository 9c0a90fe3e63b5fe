-- E-mails go through an outbox written in the same transaction as the
-- change they announce, so a message exists if and only if the change was
-- committed; a worker sends them (see docs/decisions/0005-outbox.md).

-- The language the person registered in: their e-mails are written in it.
alter table registrations add column lang text not null default 'fr';

-- iCalendar's SEQUENCE: increases with every change of the session or of
-- its event, so calendar clients replace their copy instead of keeping two.
alter table sessions add column sequence integer not null default 0;

-- Facts about the installation that every server sharing this database
-- must agree on. Today the fingerprint of the key private links derive
-- from: a server started with another key refuses to start instead of
-- mailing links that lead nowhere.
create table installation (
    name text primary key,
    value text not null
);

create table outbox (
    id integer primary key,
    library_id integer not null references libraries(id),
    -- confirmed, waiting, promoted, cancelled, moved, already_registered,
    -- session_cancelled, changed, reminder, staff.
    kind text not null,
    -- What the message is about. A message about a registration that is
    -- deleted with its session has nobody left to tell: it goes too.
    registration_id integer references registrations(id) on delete cascade,
    session_id integer references sessions(id) on delete cascade,
    -- Taken when the change happens: a registration anonymised later has
    -- its messages deleted, not redirected.
    recipient text not null,
    lang text not null default 'fr',
    -- What the change was, for the composer (JSON): the previous time and
    -- room, the waiting-list position, the staff's subject and message.
    payload text not null default '{}',
    -- Composed at the first attempt and sent unchanged on retries. The
    -- private link is not stored: a placeholder stands for it until sending.
    subject text not null default '',
    text_body text not null default '',
    html_body text not null default '',
    -- The iCalendar attachment; empty for none.
    ics text not null default '',
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
    -- Attempts begun (claims); a message whose last claim expired counts it.
    attempts integer not null default 0,
    next_attempt_at integer not null,
    -- While 'sending': when the claim lapses and another worker may retry
    -- it (the process that claimed it may have died).
    lease_until integer,
    last_error text not null default '',
    created_at integer not null,
    sent_at integer
);
create index outbox_due on outbox (status, next_attempt_at);
create index outbox_by_registration on outbox (registration_id);
create index outbox_by_session on outbox (session_id);
-- One reminder per registration and session, whichever server enqueues it.
create unique index outbox_one_reminder on outbox (registration_id, session_id) where kind = 'reminder';
-- The reminder job looks for sessions starting within two days, across libraries.
create index sessions_by_start on sessions (starts_at);
