/**
 * `pnpm --filter @fo/sdk attw`: "Are the types wrong?" on the packed tarball (the manifest a
 * consumer sees, after pnpm applies publishConfig), in every resolution mode TypeScript has.
 * No problem kind is ignored.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureSdkBuilt, packSdk, SDK_DIR } from './pack.js';

ensureSdkBuilt();
const tarball = await packSdk();
try {
  execFileSync('pnpm', ['exec', 'attw', tarball], { cwd: SDK_DIR, stdio: 'inherit' });
} catch {
  process.exitCode = 1;
} finally {
  await rm(path.dirname(tarball), { recursive: true, force: true });
}
