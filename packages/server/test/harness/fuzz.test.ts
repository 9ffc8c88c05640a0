/**
 * Fuzz harness over the WHOLE app router: every procedure that takes input gets malformed inputs
 * derived from its zod schema (see malformed.ts), called as a signed-in user. An input the schema
 * rejects must answer BAD_REQUEST; one it happens to accept must still never answer
 * INTERNAL_SERVER_ERROR (the database or a service choking on an edge value). Bounded: a fixed
 * number of runs per procedure. New procedures are picked up by walking the router.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createUserWithSession } from '../support/auth-factories.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { jsonSchemaOf, malformedInput } from './malformed.js';
import { listProcedures, outcomeOf, procedureOf } from './router-walk.js';

const RUNS_PER_PROCEDURE = 20;

function acceptedBy(schemas: z.ZodType[], input: unknown): boolean {
  return schemas.every((schema) => schema.safeParse(input).success);
}

function describeInput(input: unknown): string {
  const text = (() => {
    try {
      return JSON.stringify(input);
    } catch {
      return String(input);
    }
  })();
  return text && text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : String(text);
}

const withInput = listProcedures().filter((p) => p.inputs.length > 0);

describe('fuzz harness', () => {
  it('finds procedures to fuzz', () => {
    expect(withInput.length).toBeGreaterThan(0);
  });

  it.each(withInput.map((p) => [p.path, p] as const))(
    '%s answers malformed input with BAD_REQUEST',
    async (path, procedure) => {
      const db = await getTestDb();
      const { actor } = await createUserWithSession(db);
      const caller = await callerAs(actor);
      const call = procedureOf(caller, path);
      const arbitrary = malformedInput(jsonSchemaOf(procedure.inputs[0]!));
      await fc.assert(
        fc.asyncProperty(arbitrary, async (input) => {
          const outcome = await outcomeOf(call(input));
          const label = `${path}(${describeInput(input)}) → ${outcome.code}: ${String((outcome.error as Error | undefined)?.message ?? '')}`;
          if (acceptedBy(procedure.inputs, input)) {
            expect(outcome.code, label).not.toBe('INTERNAL_SERVER_ERROR');
            expect(outcome.code, label).not.toBe('NOT_A_TRPC_ERROR');
          } else {
            expect(outcome.code, label).toBe('BAD_REQUEST');
          }
        }),
        { numRuns: RUNS_PER_PROCEDURE },
      );
    },
  );
});
