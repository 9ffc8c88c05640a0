/**
 * Access-control harness over the WHOLE app router: every procedure needs a case in cases/ (a
 * procedure without one fails here, by name). As the intruder:
 * - `foreign`: input naming the owner's records → NOT_FOUND (or the case's `expect`), nothing
 *   changed in any table, and nothing of the owner's in the error;
 * - `ownData`: the call succeeds, its answer holds none of the owner's ids, and none of the
 *   owner's rows changed;
 * - `public`: callable without credentials by design (the case says why).
 */
import { transformer } from '@fo/schema/transformer';
import { describe, expect, it } from 'vitest';
import { createUserWithSession } from '../support/auth-factories.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { isolationCases } from './cases/index.js';
import { listProcedures, outcomeOf, procedureOf } from './router-walk.js';
import { ownedIdentifiers, snapshotAll, snapshotOwned } from './snapshot.js';
import type { IsolationEnv } from './types.js';

const procedures = listProcedures();

async function makeEnv(): Promise<IsolationEnv> {
  const db = await getTestDb();
  const owner = await createUserWithSession(db, { name: 'Owner' });
  const intruder = await createUserWithSession(db, { name: 'Intruder' });
  return {
    db,
    owner: owner.actor,
    intruder: intruder.actor,
    ownerCaller: await callerAs(owner.actor),
    intruderCaller: await callerAs(intruder.actor),
  };
}

function serialize(value: unknown): string {
  return JSON.stringify(transformer.serialize(value));
}

describe('isolation harness', () => {
  it('has a case for every procedure and no case for a procedure that does not exist', () => {
    const paths = new Set(procedures.map((p) => p.path));
    const missing = [...paths].filter((p) => !(p in isolationCases));
    const stale = Object.keys(isolationCases).filter((p) => !paths.has(p));
    expect(
      missing,
      `procedures without an isolation case in test/harness/cases/: ${missing.join(', ')}`,
    ).toEqual([]);
    expect(stale, `isolation cases for procedures that do not exist: ${stale.join(', ')}`).toEqual([]);
  });

  it.each(procedures.map((p) => [p.path, p] as const))('%s', async (path) => {
    const testCase = isolationCases[path];
    if (!testCase) {
      throw new Error(
        `Procedure "${path}" has no isolation case: add one to packages/server/test/harness/cases/<area>.ts (see types.ts)`,
      );
    }
    if (testCase.kind === 'public') {
      expect(testCase.reason.trim().length, `${path}: say why it is public`).toBeGreaterThan(10);
      return;
    }
    const env = await makeEnv();
    const input = await testCase.arrange(env);
    const call = () => procedureOf(env.intruderCaller, path)(input);

    if (testCase.kind === 'foreign') {
      const before = await snapshotAll(env.db);
      const ownerIds = await ownedIdentifiers(env.db, env.owner.userId);
      const outcome = await outcomeOf(call());
      expect(outcome.code, `${path} as the intruder with the owner's ids`).toBe(
        testCase.expect ?? 'NOT_FOUND',
      );
      // An error may echo the id the intruder sent ("Account <id> not found"), nothing else of the owner's.
      const message = String((outcome.error as Error | undefined)?.message ?? '');
      const sent = serialize(input);
      for (const id of ownerIds.filter((i) => !sent.includes(i))) {
        expect(message, `${path}: the error names the owner's ${id}`).not.toContain(id);
      }
      expect(await snapshotAll(env.db), `${path}: a refused call changed a table`).toEqual(before);
      return;
    }

    const before = await snapshotOwned(env.db, env.owner.userId);
    const ownerIds = await ownedIdentifiers(env.db, env.owner.userId);
    const outcome = await outcomeOf(call());
    expect(outcome.code, `${path} on the intruder's own data: ${String(outcome.error)}`).toBe('OK');
    const answer = serialize(outcome.value);
    for (const id of ownerIds)
      expect(answer, `${path}: the answer holds the owner's ${id}`).not.toContain(id);
    expect(await snapshotOwned(env.db, env.owner.userId), `${path}: the owner's rows changed`).toEqual(
      before,
    );
  });
});
