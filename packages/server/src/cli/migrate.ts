/** `pnpm migrate`: applies pending migrations (the full command set arrives next). */
import { openDatabase } from '../db/database.js';
import { migrateLatest } from '../db/migrations.js';
import { getEnv } from '../env.js';

const env = getEnv();
const database = await openDatabase(env, { poolMax: 2, applicationName: 'fo-migrate' });
try {
  const applied = await migrateLatest(database.knex);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date');
} finally {
  await database.close();
}
