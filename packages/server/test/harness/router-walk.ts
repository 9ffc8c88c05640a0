/**
 * Shared by the isolation and fuzz harnesses: every procedure of the app router, found by walking
 * `appRouter._def.procedures` (tRPC's flat path → procedure record), so procedures added later are
 * picked up without anyone registering them.
 */
import type { z } from 'zod';
import { appRouter } from '../../src/routers/index.js';
import type { ProcedureMeta } from '../../src/trpc/init.js';
import type { Caller } from './types.js';

export interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The input parsers (zod schemas), in .input() order; empty for procedures without input. */
  inputs: z.ZodType[];
  meta: ProcedureMeta | undefined;
}

interface ProcedureDef {
  _def: { type: ProcedureInfo['type']; inputs: unknown[]; meta?: ProcedureMeta };
}

export function listProcedures(): ProcedureInfo[] {
  const record = appRouter._def.procedures as unknown as Record<string, ProcedureDef>;
  return Object.entries(record)
    .map(([path, procedure]) => ({
      path,
      type: procedure._def.type,
      inputs: procedure._def.inputs as z.ZodType[],
      meta: procedure._def.meta,
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The caller's function for a dotted path. */
export function procedureOf(caller: Caller, path: string): (input?: unknown) => Promise<unknown> {
  let node: unknown = caller;
  for (const segment of path.split('.')) {
    node = (node as Record<string, unknown>)[segment];
  }
  if (typeof node !== 'function') throw new Error(`No procedure at ${path}`);
  return node as (input?: unknown) => Promise<unknown>;
}

/** The tRPC code of a thrown error, or 'OK' when the call succeeded. */
export async function outcomeOf(
  call: Promise<unknown>,
): Promise<{ code: string; error?: unknown; value?: unknown }> {
  try {
    return { code: 'OK', value: await call };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'NOT_A_TRPC_ERROR', error };
  }
}
