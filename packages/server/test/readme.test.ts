/**
 * The README's configuration table lists every variable env.ts reads, with a meaning, exactly as
 * `pnpm docs` renders it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END, envRows, README, renderEnvTable, START } from '../scripts/env-docs.js';

describe('README configuration table', () => {
  it('documents every variable in src/env.ts', () => {
    const undocumented = envRows()
      .filter((r) => !r.meaning)
      .map((r) => r.name);
    expect(undocumented, 'add a /** comment */ above these in src/env.ts').toEqual([]);
  });

  it('is up to date (run `pnpm docs` after changing src/env.ts)', () => {
    const readme = readFileSync(README, 'utf8');
    const table = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(table).toBe(renderEnvTable());
  });
});
