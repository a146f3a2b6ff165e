-- A plain SQL migration in the dbmate format.
-- strata:depends CreateUserTable

-- migrate:up
create table roles (
  id integer primary key,
  name varchar(64) not null unique
);

create table user_roles (
  user_id bigint not null references users (id) on delete cascade,
  role_id integer not null references roles (id) on delete cascade,
  primary key (user_id, role_id)
);

insert into roles (id, name) values (1, 'admin'), (2, 'member');

-- migrate:down
drop table user_roles;
drop table roles;
