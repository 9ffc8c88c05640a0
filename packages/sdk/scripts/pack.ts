/**
 * Building and packing the SDK, shared by the attw check and the pack test: the tarball is what a
 * consumer installs, so both look at exactly that (pnpm applies `publishConfig` when packing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES_DIR = path.dirname(SDK_DIR);
const OUTPUTS = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * True when dist is missing or older than any source it is built from: the SDK's own, the schema's
 * (bundled) and the server's (its router types are inlined into the declarations).
 */
export function isDistStale(): boolean {
  const outputs = OUTPUTS.map((f) => path.join(SDK_DIR, f));
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const sources = ['sdk/src', 'sdk/scripts', 'schema/src', 'server/src'].map((d) =>
    newestMtime(path.join(PACKAGES_DIR, d)),
  );
  return Math.max(...sources, statSync(path.join(SDK_DIR, 'package.json')).mtimeMs) > built;
}

export function buildSdk(): void {
  execFileSync('pnpm', ['run', 'build'], { cwd: SDK_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
}

export function ensureSdkBuilt(): void {
  if (isDistStale()) buildSdk();
}

/** Packs the SDK into `destination` (a fresh temporary directory by default); returns the tarball path. */
export async function packSdk(destination?: string): Promise<string> {
  const dir = destination ?? (await mkdtemp(path.join(os.tmpdir(), 'fo-sdk-pack-')));
  const out = execFileSync('pnpm', ['pack', '--pack-destination', dir], {
    cwd: SDK_DIR,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tarball = out
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack printed no tarball path:\n${out}`);
  return path.isAbsolute(tarball) ? tarball : path.join(dir, tarball);
}
