-- Pending rollups: what each transaction adds to the rollups, as rows that conflict with nothing, until the store folds
-- them into event_rollups and timing_rollups (shard 0, every bucket length) and deletes them, in one transaction, every
-- second or so. Per minute of a transaction (bucket_us, the minute its batch was received): one row of its event counts
-- (measured 'events', job_class empty; rollup "status:count", space-separated), and one per job class and measure
-- ('wait' or 'run'; rollup its histogram, "bucket:count:total:min:max" or "bucket:value", space-separated, in the
-- duration buckets of the durations table). The write path inserts these (about 40 a batch of 990 events) instead of
-- adding to the rollups row by row (about 1,900 rows); the overview adds the rows still pending to what it reads. Rows
-- written before V19 stay where they are: the rollups already hold them. The id is a random 64-bit number the writer
-- picks, not an identity column: on H2 the sequence behind one cost the write path about a fifth of its speed; two
-- writers picking the same id make one fail with a unique violation, and its transaction is tried again whole.
create table ${prefix}pending_rollups (
    id         bigint           not null,
    bucket_us  bigint           not null,
    job_class  varchar(255)     not null,
    measured   varchar(8)       not null,
    rollup     varchar(1000000) not null,
    constraint ${prefix}pending_rollups_pk primary key (id)
);

create index ${prefix}pending_rollups_bucket on ${prefix}pending_rollups (bucket_us);
