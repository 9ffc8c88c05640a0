import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SystemInfo } from '@fo/schema';
import type { DatabaseKind } from '../db/database.js';
import type { Knex } from '../db/knex.js';
import { readMigrationState } from '../db/migrations.js';
import { allQueries } from '../db/transaction.js';
import { REPO_ROOT } from '../env.js';

export const VERSION: string = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;

interface SchemaSnapshot {
  serverVersion: string;
  schema: SystemInfo['schema'];
  readAt: number;
}

// The schema revision changes only when someone migrates; reading it (a directory listing and two
// queries) on every call would dominate this procedure's cost, so it is kept for a few seconds.
const SNAPSHOT_TTL_MS = 5_000;
const snapshots = new WeakMap<Knex, SchemaSnapshot>();

async function readSnapshot(db: Knex): Promise<SchemaSnapshot> {
  const cached = snapshots.get(db);
  if (cached && Date.now() - cached.readAt < SNAPSHOT_TTL_MS) return cached;
  const [state, versionRow] = await allQueries(db, [
    () => readMigrationState(db),
    () => db.raw<{ rows: { server_version: string }[] }>('SHOW server_version'),
  ]);
  const snapshot: SchemaSnapshot = {
    serverVersion: versionRow.rows[0]?.server_version ?? 'unknown',
    schema: { revision: state.current, applied: state.applied.length, pending: state.pending.length },
    readAt: Date.now(),
  };
  snapshots.set(db, snapshot);
  return snapshot;
}

export async function getSystemInfo(db: Knex, databaseKind: DatabaseKind): Promise<SystemInfo> {
  const snapshot = await readSnapshot(db);
  return {
    name: 'Family Office Platform',
    version: VERSION,
    time: new Date(),
    database: { kind: databaseKind, serverVersion: snapshot.serverVersion },
    schema: snapshot.schema,
  };
}
