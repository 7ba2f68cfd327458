-- Day buckets (span_s 86400, UTC days since the epoch) for the overview's longer ranges: their class timings read a
-- row per class and duration bucket for each whole day instead of one for each hour. From here on the write path adds
-- to them with the minutes and hours; this fills them in from the hours a store holds, each day's sum over its hours
-- and every shard, in shard 0. A day holds whole hours (86400 is a multiple of 3600 and both count from the epoch), so
-- the day rows say what its hour rows say, no more.

insert into ${prefix}event_rollups (span_s, bucket_us, status, shard, events)
select 86400, d, status, 0, sum(events)
from (select (bucket_us / 86400000000) * 86400000000 as d, status, events from ${prefix}event_rollups where span_s = 3600) h
group by d, status;

insert into ${prefix}timing_rollups (span_s, bucket_us, job_class, measured, duration_bucket, shard, jobs, total_us, min_us, max_us)
select 86400, d, job_class, measured, duration_bucket, 0, sum(jobs), sum(total_us), min(min_us), max(max_us)
from (select (bucket_us / 86400000000) * 86400000000 as d, job_class, measured, duration_bucket, jobs, total_us, min_us, max_us
      from ${prefix}timing_rollups where span_s = 3600) h
group by d, job_class, measured, duration_bucket;
