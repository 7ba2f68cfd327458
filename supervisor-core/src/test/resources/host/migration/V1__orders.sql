-- A host application's own schema, managed by its own Flyway (default history table).
create table orders (id bigint primary key, total numeric(10, 2) not null);
insert into orders values (1, 9.99);
