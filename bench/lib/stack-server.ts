/**
 * Servers for the cost ladder of bench/suites/01-http.ts: the same JSON answer through each layer
 * of the API stack in turn, so the difference between rungs is the cost of one layer. Run as a
 * child process: `node --import tsx bench/lib/stack-server.ts <rung> <port>`.
 *
 *   fastify          a plain fastify route
 *   trpc             + tRPC (fastifyTRPCPlugin from @trpc/server), no transformer, no middleware
 *   trpc-superjson   + the API's superjson transformer (Dates and Decimals)
 *
 * The full API server (context, middleware, output validation, logging) is the next rung; the
 * suite starts it with startApiServer.
 */
import { transformer } from '@fo/schema/transformer';
import { initTRPC } from '@trpc/server';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify from 'fastify';
import { RUNGS, type Rung } from './stack.js';

function payload() {
  return {
    name: 'Family Office Platform',
    version: '0.1.0',
    time: new Date(),
    database: { kind: 'embedded', serverVersion: '18.0' },
    schema: { revision: '20261124000000_core_schema', applied: 1, pending: 0 },
  };
}

const plain = initTRPC.create();
const plainRouter = plain.router({ system: plain.router({ info: plain.procedure.query(() => payload()) }) });
const withTransformer = initTRPC.create({ transformer });
const transformerRouter = withTransformer.router({
  system: withTransformer.router({ info: withTransformer.procedure.query(() => payload()) }),
});

async function main(rung: Rung, port: number): Promise<void> {
  const app = Fastify({ logger: false });
  if (rung === 'fastify') {
    app.get('/trpc/system.info', async () => ({ result: { data: payload() } }));
  } else if (rung === 'trpc') {
    await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router: plainRouter } });
  } else {
    await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router: transformerRouter } });
  }
  app.get('/ready', async () => 'ok');
  await app.listen({ host: '127.0.0.1', port });
}

const [rung, port] = process.argv.slice(2);
if (!RUNGS.includes(rung as Rung)) throw new Error(`unknown rung ${rung}; one of ${RUNGS.join(', ')}`);
await main(rung as Rung, Number(port));
