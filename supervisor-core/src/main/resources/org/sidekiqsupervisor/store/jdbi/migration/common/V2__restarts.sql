-- Restarting lost jobs: how often a lineage was restarted (poison pills stop after a limit), and the claim
-- a supervisor takes before it pushes a job back to Sidekiq, so that two supervisors never push it twice.
alter table ${prefix}jobs add column restarts integer default 0 not null;
alter table ${prefix}jobs add column restarting_to varchar(64);
