/**
 * Calls `system.info` with the SDK, as any internal app or script would.
 *   FO_URL=http://localhost:3000 pnpm --filter @fo/examples exec tsx system-info.ts
 */
import { createClient, describeError } from '@fo/sdk';

const url = process.env.FO_URL ?? 'http://localhost:3000';
const fo = createClient({ url });

try {
  const info = await fo.system.info.query();
  console.log(`${info.name} ${info.version}`);
  console.log(`database: ${info.database.kind} PostgreSQL ${info.database.serverVersion}`);
  console.log(
    `schema:   ${info.schema.revision ?? '(empty)'} (${info.schema.applied} applied, ${info.schema.pending} pending)`,
  );
  console.log(`time:     ${info.time.toISOString()}`);
} catch (err) {
  console.error(describeError(err));
  process.exit(1);
}
