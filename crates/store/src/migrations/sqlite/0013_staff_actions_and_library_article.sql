-- Staff actions that tell the public (cancelling a session or an event,
-- restoring one, moving its time or room, writing to its registrants,
-- removing or moving a registrant): confirmed on a page that says how many
-- people will be told, their e-mails held for a few minutes so the action
-- can be undone with nothing sent (see docs/decisions/0015-undoable-actions.md).
create table staff_actions (
    id integer primary key,
    library_id integer not null references libraries(id),
    -- session_cancel, session_restore, event_cancel, session_change,
    -- message, registration_cancel, registration_move; 'undo' for the
    -- corrections an undo sends.
    kind text not null,
    -- What the action was about, for its page and for undoing it.
    event_id integer references events(id),
    session_id integer references sessions(id),
    registration_id integer references registrations(id),
    -- What undoing needs (JSON): the rows as they were, and as the action left them.
    undo text not null default '{}',
    -- Staff's own words, added to every e-mail of the action.
    note text not null default '',
    staff_id integer,
    actor text not null,
    created_at integer not null,
    -- The action's e-mails are not sent before this instant (their
    -- next_attempt_at): until then undoing it sends nothing.
    hold_until integer not null,
    undone_at integer,
    undone_by text not null default '',
    -- For an 'undo': the action it undid.
    undo_of integer references staff_actions(id),
    -- 1 only inside the transaction that makes the action, set to 0 before
    -- it commits: a transaction sees its own open action and no one else's
    -- (uncommitted rows are invisible), so the e-mails and audit entries it
    -- writes are tagged with it without passing it down every call.
    in_progress integer not null default 1
);
create index staff_actions_in_progress on staff_actions (in_progress) where in_progress = 1;
create index staff_actions_by_session on staff_actions (session_id);
create index staff_actions_by_event on staff_actions (event_id);

-- The action a message belongs to: deleted with the action's undo while unsent.
alter table outbox add column action_id integer references staff_actions(id);
create index outbox_by_action on outbox (action_id) where action_id is not null;

-- The action an audit entry was written in: undoing a registrant's removal
-- finds there whom it promoted.
alter table audit_log add column action_id integer;
create index audit_by_action on audit_log (action_id) where action_id is not null;

-- The article the library's name takes in a sentence ('', 'le', 'la', "l'",
-- 'les'): « l'équipe de la Médiathèque L'Apostrophe », « du Phare ». The
-- name alone cannot say it (see domain::french).
alter table libraries add column name_article text not null default '';
