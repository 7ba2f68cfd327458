-- Rollups: what the supervisor received per time bucket, written in the same transaction as the events, so that the
-- dashboard's overview reads a few rows per bucket instead of every event and job of its range. Two bucket lengths
-- (span_s, in seconds): minutes (60) and hours (3600); bucket_us is where the bucket starts (epoch microseconds, a
-- multiple of its length). An event belongs to the bucket of the time the supervisor received it. Rows are sharded as
-- the counts are: a transaction adds its change to one shard, and a read sums the shards.

-- Events recorded (duplicates left out), per status.
create table ${prefix}event_rollups (
    span_s     integer      not null,
    bucket_us  bigint       not null,
    status     varchar(16)  not null,
    shard      integer      not null,
    events     bigint       not null,
    constraint ${prefix}event_rollups_pk primary key (span_s, bucket_us, status, shard)
);

-- Per job class, the waits (queued -> started, told by a started event) and runs (started -> complete, told by a
-- complete event) in the duration buckets of the durations table: jobs, their total, and the least and greatest.
create table ${prefix}timing_rollups (
    span_s           integer       not null,
    bucket_us        bigint        not null,
    job_class        varchar(255)  not null,
    measured         varchar(8)    not null,
    duration_bucket  integer       not null,
    shard            integer       not null,
    jobs             bigint        not null,
    total_us         bigint        not null,
    min_us           bigint        not null,
    max_us           bigint        not null,
    constraint ${prefix}timing_rollups_pk primary key (span_s, bucket_us, job_class, measured, duration_bucket, shard)
);
