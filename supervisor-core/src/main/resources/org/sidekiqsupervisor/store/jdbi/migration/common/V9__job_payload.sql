-- The job's whole Sidekiq hash from the most recent event that carried one (contract 5a), so that a restart pushes
-- the job back with its own options, tags and custom keys. A varchar as wide as arguments rather than a text type:
-- H2 makes TEXT a CLOB, stored and read apart from the row. payload_us is the time of the event that carried it,
-- so that a late, older event does not replace a newer payload.
alter table ${prefix}jobs add column payload varchar(1000000);
alter table ${prefix}jobs add column payload_us bigint;
