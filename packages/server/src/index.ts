/** Public surface of the server package: the router type for the SDK, and the app entry points. */

export { buildServer } from './http/server.js';
export type { AppRouter, RouterInputs, RouterOutputs } from './routers/index.js';
export { appRouter, createCaller } from './routers/index.js';
export { createContextInner } from './trpc/context.js';
