-- Events per minute (the dashboard's chart) reads recent events by the time the supervisor received them.
create index ${prefix}job_events_received on ${prefix}job_events (received_us);
