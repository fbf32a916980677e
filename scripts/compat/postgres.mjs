// A PostgreSQL database that exists for one run of the check and is dropped after it.
// Never touches a database it did not create (the name carries this process's id and a timestamp).

import pg from 'pg';

const ADMIN_URL = process.env.COMPAT_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function throwawayDatabase() {
  const name = `gatehouse_compat_${process.pid}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
