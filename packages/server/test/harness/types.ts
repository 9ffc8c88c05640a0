/**
 * Contract of the access-control harnesses (test/harness/isolation.test.ts and fuzz.test.ts walk
 * the whole app router). Every procedure needs an entry in one of the files under `cases/`,
 * re-exported from `cases/index.ts`; a procedure without one fails the suite until it has one.
 *
 * - `foreign`: `arrange` creates the owner's records (through `owner`'s caller or factories) and
 *   returns the input the intruder sends — input naming the owner's ids. The harness calls the
 *   procedure as the intruder and expects NOT_FOUND (or `expect`), and checks that no table changed.
 * - `ownData`: the procedure takes no ids of records (lists, `auth.me`, creates). `arrange` creates
 *   the owner's records and returns a valid input for the intruder; the call must succeed, and the
 *   harness checks the answer contains none of the owner's ids (nor email) and that none of the
 *   owner's rows changed (rows with their user_id, or of their accounts).
 * - `public`: callable without authentication by design (say why).
 *
 * `owner` and `intruder` are real users with real sessions (test/support/auth-factories.ts), whose
 * password is TEST_PASSWORD; the callers inject their actors.
 */
import type { Actor } from '../../src/actor.js';
import type { Knex } from '../../src/db/knex.js';
import type { createCaller } from '../../src/routers/index.js';

export type Caller = ReturnType<typeof createCaller>;

export interface IsolationEnv {
  db: Knex;
  owner: Actor;
  intruder: Actor;
  ownerCaller: Caller;
  intruderCaller: Caller;
}

export type IsolationCase =
  | {
      kind: 'foreign';
      arrange: (env: IsolationEnv) => Promise<unknown>;
      expect?: 'NOT_FOUND' | 'FORBIDDEN';
    }
  | { kind: 'ownData'; arrange: (env: IsolationEnv) => Promise<unknown> }
  | { kind: 'public'; reason: string };

/** Keyed by procedure path, e.g. `accounts.byId`. */
export type IsolationCases = Record<string, IsolationCase>;
