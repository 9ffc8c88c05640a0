import { afterAll, beforeEach } from 'vitest';
import { closeTestDb, resetDb } from './db.js';

beforeEach(async () => {
  await resetDb();
});

afterAll(async () => {
  await closeTestDb();
});
