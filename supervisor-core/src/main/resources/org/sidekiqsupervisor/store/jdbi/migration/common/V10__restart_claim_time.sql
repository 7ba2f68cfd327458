-- When a restart claimed the job (restarting_to set): a claim older than a bound is a supervisor that died, or whose
-- store failed, part-way through the restart, and is resolved by whichever supervisor sees it first.
alter table ${prefix}jobs add column restart_claimed_us bigint;
