/**
 * `pnpm bench [name ...]`: runs every suite in bench/suites (or those named), in file-name order.
 * Each suite prints its own figures next to a baseline measured in the same run. Nothing here is
 * a test: no figure fails the run.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchSuite {
  /** Short name used to select the suite on the command line. */
  name: string;
  run(): Promise<void>;
}

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'suites');
const wanted = new Set(process.argv.slice(2));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { suite: BenchSuite };
  if (wanted.size && !wanted.has(mod.suite.name)) continue;
  console.log(`\n=== ${mod.suite.name} (${file}) ===`);
  await mod.suite.run();
}
