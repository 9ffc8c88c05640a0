import path from 'node:path';
import { freePort, REPO_ROOT, spawnUntilReady } from './process.js';

/** The rungs of the cost ladder; stack-server.ts describes each. */
export const RUNGS = ['fastify', 'trpc', 'trpc-superjson'] as const;
export type Rung = (typeof RUNGS)[number];

export interface StackServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** One rung of the cost ladder (see stack-server.ts) in its own process. */
export async function startStackServer(rung: Rung): Promise<StackServer> {
  const port = await freePort();
  const server = await spawnUntilReady({
    command: process.execPath,
    args: [
      '--conditions=@fo/source',
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'bench/lib/stack-server.ts'),
      rung,
      String(port),
    ],
    cwd: path.join(REPO_ROOT, 'packages/server'),
    probe: `http://127.0.0.1:${port}/ready`,
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: server.child.pid ?? 0,
    async stop() {
      await server.stop();
    },
  };
}
