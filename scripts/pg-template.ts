// `node --import tsx scripts/pg-template.ts URL NAME`: creates database NAME on the server at URL
// and applies every migration to it. The test runner makes one before the tests start, and
// each test's fresh PostgreSQL database is then a copy of it (CREATE DATABASE … TEMPLATE),
// rather than running every migration again (the partitioning of person tables alone creates
// a few hundred relations).
import pg from 'pg';
import { connect } from '../src/db/connect.ts';
import { migrate } from '../src/services.ts';

const [url, name] = process.argv.slice(2);
if (!url || !name || !/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('usage: pg-template.ts URL NAME');
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`drop database if exists ${name}`);
await admin.query(`create database ${name}`);
await admin.end();
const u = new URL(url);
u.pathname = `/${name}`;
const db = connect(u.toString(), { poolSize: 1 });
try {
  await migrate(db);
} finally {
  await db.close();
}
