-- PostgreSQL only: the arguments filter is a substring search (LIKE '%needle%'), which a B-tree cannot
-- serve; a trigram GIN index can, for needles of three characters or more. pg_trgm ships with PostgreSQL and
-- is a trusted extension (a database owner may create it). Where it cannot be created, the supervisor still
-- works, with the filter scanning; the notice says so.
do $$
begin
    create extension if not exists pg_trgm;
exception when insufficient_privilege or feature_not_supported or undefined_file then
    raise notice 'pg_trgm is not available (%): the arguments filter will scan instead of using an index', sqlerrm;
end
$$;

do $$
begin
    if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        execute 'create index if not exists ${prefix}jobs_arguments_trgm on ${prefix}jobs using gin (arguments gin_trgm_ops)';
    end if;
end
$$;
