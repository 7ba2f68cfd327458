-- The latest progress a running job reported (POST /api/v1/jobs/{job_id}/progress), as sidekiq-status names it.
alter table ${prefix}jobs add column progress_at bigint;
alter table ${prefix}jobs add column progress_total bigint;
alter table ${prefix}jobs add column progress_message varchar(1000);
alter table ${prefix}jobs add column progress_us bigint;
