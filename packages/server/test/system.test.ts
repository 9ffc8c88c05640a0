import { describe, expect, it } from 'vitest';
import { listMigrationFiles } from '../src/db/migrations.js';
import { anonymousCaller } from './support/caller.js';
import { startTestServer } from './support/http.js';

describe('system.info', () => {
  const latest = listMigrationFiles().at(-1)?.name;

  it('reports version, database and the applied schema revision through the caller', async () => {
    const caller = await anonymousCaller();
    const info = await caller.system.info();
    expect(info.name).toBe('Family Office Platform');
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.schema).toEqual({ revision: latest, applied: listMigrationFiles().length, pending: 0 });
    expect(info.database.serverVersion).toMatch(/^\d+/);
    expect(info.time).toBeInstanceOf(Date);
  });

  it('is served over HTTP and reaches the SDK with real Dates', async () => {
    await using server = await startTestServer();
    const info = await server.client().system.info.query();
    expect(info.schema.revision).toBe(latest);
    expect(info.time).toBeInstanceOf(Date);
  });

  it('answers /healthz and /readyz', async () => {
    await using server = await startTestServer();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', revision: latest });
  });

  it('echoes a caller-supplied request id', async () => {
    await using server = await startTestServer();
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
