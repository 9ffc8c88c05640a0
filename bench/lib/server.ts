/**
 * The real API server for benchmarks: `packages/server/src/cli/start.ts` (fastify + tRPC, the
 * same code `pnpm start` runs) in its own process, on DATABASE_URL when set, else on an embedded
 * PostgreSQL kept in .data/postgres-bench between runs.
 */
import path from 'node:path';
import { freePort, REPO_ROOT, spawnUntilReady } from './process.js';

export interface BenchServer {
  url: string;
  /** The database the server uses, for suites that seed data directly. */
  databaseUrl: string;
  kind: 'embedded' | 'external';
  /** The server process, for CPU figures (see `measure`). */
  pid: number;
  stop(): Promise<void>;
}

export const BENCH_PG_DIR = path.join(REPO_ROOT, '.data/postgres-bench');
/** The embedded server's credentials (see packages/server/src/db/embedded.ts). */
const EMBEDDED_CREDENTIALS = 'postgres:fo-embedded';

export interface StartApiServerOptions {
  /** Default `warn`: request logging is not what is being measured. */
  logLevel?: string;
  /** Extra environment for the server (feature settings). */
  env?: Record<string, string>;
}

export async function startApiServer(options: StartApiServerOptions = {}): Promise<BenchServer> {
  const port = await freePort();
  const external = process.env.DATABASE_URL;
  const pgPort = external ? undefined : await freePort();
  const server = await spawnUntilReady({
    command: process.execPath,
    args: ['--conditions=@fo/source', '--import', 'tsx', 'src/cli/start.ts'],
    cwd: path.join(REPO_ROOT, 'packages/server'),
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: options.logLevel ?? 'warn',
      ...(external
        ? {}
        : { DATABASE_URL: '', EMBEDDED_PG_DIR: BENCH_PG_DIR, EMBEDDED_PG_PORT: String(pgPort) }),
      ...options.env,
    },
    probe: `http://127.0.0.1:${port}/readyz`,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl: external ?? `postgres://${EMBEDDED_CREDENTIALS}@127.0.0.1:${pgPort}/family_office`,
    kind: external ? 'external' : 'embedded',
    pid: server.child.pid ?? 0,
    async stop() {
      const code = await server.stop();
      if (code !== 0) console.warn(`  (server exited with ${code})\n${server.output()}`);
    },
  };
}
