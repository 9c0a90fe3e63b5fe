-- Speakers' documents (agreement, invoice, insurance), the bytes kept in
-- the database so that a backup of the database holds them too.
create table documents (
    id integer primary key,
    library_id integer not null references libraries(id),
    speaker_id integer not null references speakers(id),
    -- agreement | invoice | insurance
    kind text not null,
    file_name text not null,
    -- Judged from the content on upload, never from the name.
    content_type text not null,
    size integer not null,
    uploaded_at integer not null,
    bytes blob not null
);
create index documents_speaker on documents (speaker_id);
