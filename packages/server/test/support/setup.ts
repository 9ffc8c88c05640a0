import { afterAll, beforeEach } from 'vitest';
import { ensureKeyring } from '../../src/crypto/dev-key.js';
import { getEnv } from '../../src/env.js';
import { closeTestDb, resetDb } from './db.js';

beforeEach(async () => {
  await resetDb();
});

afterAll(async () => {
  await closeTestDb();
});

// Tests run like development: without FO_ENCRYPTION_KEY, the generated development key.
ensureKeyring(getEnv());
