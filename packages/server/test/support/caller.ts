/**
 * Procedure calls without HTTP: `createCaller(createContextInner(...))`, as style.md describes.
 */
import type { Actor } from '../../src/actor.js';
import { createCaller } from '../../src/routers/index.js';
import { createContextInner } from '../../src/trpc/context.js';
import { getTestDb } from './db.js';

export async function callerAs(actor: Actor | null = null) {
  const db = await getTestDb();
  return createCaller(createContextInner({ db, actor }));
}

export async function anonymousCaller() {
  return callerAs(null);
}
