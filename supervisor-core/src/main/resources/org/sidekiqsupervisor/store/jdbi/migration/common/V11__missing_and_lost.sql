-- What the looks at Sidekiq found (contract 5b). A look is a complete pass over every place Sidekiq holds jobs; a
-- queued or started job it found nowhere is missing: missing_since_us is the start of the first look of the run that
-- found it nowhere, missing_seen_us the start of the latest. Once the two are far enough apart the job is lost:
-- lost_us is when it was found lost, set once (one alert per job however many supervisors share the store), and it
-- makes the lost jobs a cheap read instead of a look at Sidekiq per request. Any event of the job, and any look that
-- finds it held, clears all three.
alter table ${prefix}jobs add column missing_since_us bigint;
alter table ${prefix}jobs add column missing_seen_us bigint;
alter table ${prefix}jobs add column lost_us bigint;
-- Their indexes, and the restart claims', are V12's (LostIndexesMigration): partial on PostgreSQL.
