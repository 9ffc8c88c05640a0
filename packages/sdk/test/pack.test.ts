/**
 * The SDK as a consumer gets it: `pnpm pack`, installed into a scratch project outside the
 * workspace (so nothing resolves to the workspace's sources or its @fo/server), typechecked with
 * tsc against the published declarations, then run as ESM and as CJS against a live server.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrationFiles } from '../../server/src/db/migrations.js';
import { startTestServer } from '../../server/test/support/http.js';
import { ensureSdkBuilt, packSdk } from '../scripts/pack.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
// The versions the workspace uses, so pnpm finds them in its store.
const TYPESCRIPT = 'typescript@5.9.3';
const NODE_TYPES = '@types/node@20.19.43';

let scratch: string;

beforeAll(async () => {
  ensureSdkBuilt();
  const tarball = await packSdk();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'fo-sdk-consumer-'));
  await writeFile(
    path.join(scratch, 'package.json'),
    JSON.stringify({ name: 'fo-sdk-consumer', private: true, type: 'module' }),
  );
  for (const file of ['consumer.ts', 'consumer.cts', 'tsconfig.json']) {
    await cp(path.join(here, 'consumer', file), path.join(scratch, file));
  }
  await run('pnpm', ['add', tarball, TYPESCRIPT, NODE_TYPES, '--prefer-offline'], { cwd: scratch });
  await rm(path.dirname(tarball), { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the packed SDK in a consumer project', () => {
  it('installs a manifest with published dependencies only and exports pointing at dist', async () => {
    const manifest = JSON.parse(
      await readFile(path.join(scratch, 'node_modules/@fo/sdk/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string>; exports: Record<string, unknown> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      '@trpc/client',
      '@trpc/server',
      'decimal.js',
      // Subscriptions (SSE) on Node 20, which has no global EventSource.
      'eventsource',
      'superjson',
    ]);
    expect(Object.values(manifest.dependencies).every((range) => /^\^\d/.test(range))).toBe(true);
    // The workspace-only source condition is stripped by publishConfig.
    expect(manifest.exports['.']).toEqual({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    });
  });

  it('typechecks against the published declarations and runs as ESM and CJS', {
    timeout: 180_000,
  }, async () => {
    await run(path.join(scratch, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: scratch });

    await using server = await startTestServer();
    const revision = listMigrationFiles().at(-1)?.name;
    const esm = await run(process.execPath, ['out/consumer.js', server.url], { cwd: scratch });
    expect(JSON.parse(esm.stdout)).toEqual({
      module: 'esm',
      timeIsDate: true,
      revision,
      decimalRevived: true,
      errorIsApiError: true,
    });
    const cjs = await run(process.execPath, ['out/consumer.cjs', server.url], { cwd: scratch });
    expect(JSON.parse(cjs.stdout)).toEqual({
      module: 'cjs',
      timeIsDate: true,
      revision,
      decimalRevived: true,
    });
  });
});
