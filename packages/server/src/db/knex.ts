/**
 * Knex instance factory. Type parsers are process-wide in node-postgres, so they are installed once
 * here: `numeric` stays a string (exact, ready for Decimal), `date` stays 'YYYY-MM-DD' (never a JS
 * Date, which would shift with the time zone), `int8` becomes a number when it is safe to.
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

const PG_OIDS = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;

let parsersInstalled = false;
export function installTypeParsers(): void {
  if (parsersInstalled) return;
  pg.types.setTypeParser(PG_OIDS.NUMERIC, (value) => value);
  pg.types.setTypeParser(PG_OIDS.DATE, (value) => value);
  pg.types.setTypeParser(PG_OIDS.INT8, (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
    return n;
  });
  parsersInstalled = true;
}

export interface KnexOptions {
  connectionString: string;
  poolMax?: number;
  applicationName?: string;
  /** Overrides Knex's console logger (e.g. to drop the pool's own copy of a connect error). */
  log?: Knex.Logger;
}

export function createKnex({
  connectionString,
  poolMax = 10,
  applicationName = 'fo-server',
  log,
}: KnexOptions): Knex {
  installTypeParsers();
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: applicationName },
    pool: {
      min: 0,
      max: poolMax,
      // Every session works in UTC so `now()::date` and timestamptz rendering never depend on the host.
      afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
        conn.query("SET TIME ZONE 'UTC'", (err: Error | null) => done(err, conn));
      },
    },
    acquireConnectionTimeout: 10_000,
    ...(log && { log }),
  });
}

/** A connection target safe to print: host, port and database, never the password. */
export function describeConnection(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const db = url.pathname.replace(/^\//, '') || '(default)';
    return `${url.hostname || 'localhost'}:${url.port || '5432'}/${db}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export type { Knex };
