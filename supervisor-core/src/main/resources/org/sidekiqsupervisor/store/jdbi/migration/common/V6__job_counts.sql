-- Jobs by status, kept up to date in the same transaction as every change of a job's status, so that counting
-- is a read of 32 rows instead of a scan of millions. Spread over 8 shards: each transaction adds its changes to one
-- shard picked at random, so concurrent writers rarely wait on the same row; a count sums the shards.
create table ${prefix}job_counts (
    shard   integer      not null,
    status  varchar(16)  not null,
    jobs    bigint       not null,
    constraint ${prefix}job_counts_pk primary key (shard, status)
);
insert into ${prefix}job_counts (shard, status, jobs) values
    (0, 'queued', 0),
    (0, 'started', 0),
    (0, 'complete', 0),
    (0, 'failed', 0),
    (1, 'queued', 0),
    (1, 'started', 0),
    (1, 'complete', 0),
    (1, 'failed', 0),
    (2, 'queued', 0),
    (2, 'started', 0),
    (2, 'complete', 0),
    (2, 'failed', 0),
    (3, 'queued', 0),
    (3, 'started', 0),
    (3, 'complete', 0),
    (3, 'failed', 0),
    (4, 'queued', 0),
    (4, 'started', 0),
    (4, 'complete', 0),
    (4, 'failed', 0),
    (5, 'queued', 0),
    (5, 'started', 0),
    (5, 'complete', 0),
    (5, 'failed', 0),
    (6, 'queued', 0),
    (6, 'started', 0),
    (6, 'complete', 0),
    (6, 'failed', 0),
    (7, 'queued', 0),
    (7, 'started', 0),
    (7, 'complete', 0),
    (7, 'failed', 0);
update ${prefix}job_counts set jobs = (select count(*) from ${prefix}jobs j where j.status = ${prefix}job_counts.status)
    where shard = 0;
