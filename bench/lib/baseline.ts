/**
 * The baseline every HTTP figure is compared with: a raw `node:http` server answering JSON, in its
 * own process like the API server. Per request it does what any JSON endpoint must (build the
 * object, stringify it, set headers), nothing else.
 */
import { freePort, spawnUntilReady } from './process.js';

export interface Baseline {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const SERVER = `
import http from 'node:http';
const version = process.version;
http
  .createServer((req, res) => {
    const body = JSON.stringify({
      name: 'Family Office Platform',
      version,
      time: new Date(),
      database: { kind: 'embedded', serverVersion: '18.0' },
      schema: { revision: '20261124000000_core_schema', applied: 1, pending: 0 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

export async function startRawBaseline(): Promise<Baseline> {
  const port = await freePort();
  const server = await spawnUntilReady({
    command: process.execPath,
    args: ['--input-type=module', '-e', SERVER],
    env: { PORT: String(port) },
    probe: `http://127.0.0.1:${port}/`,
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: server.child.pid ?? 0,
    async stop() {
      await server.stop();
    },
  };
}
