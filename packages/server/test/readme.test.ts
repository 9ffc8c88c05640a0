/**
 * The README's configuration table lists every variable env.ts reads, with a meaning, exactly as
 * `pnpm docs:env` renders it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envRows, normalizeTable, README, renderEnvTable, tableOf } from '../scripts/env-docs.js';

describe('README configuration table', () => {
  it('documents every variable in src/env.ts', () => {
    const undocumented = envRows()
      .filter((r) => !r.meaning)
      .map((r) => r.name);
    expect(undocumented, 'add a /** comment */ above these in src/env.ts').toEqual([]);
  });

  it('is up to date (run `pnpm docs:env` after changing src/env.ts)', () => {
    const table = tableOf(readFileSync(README, 'utf8'));
    expect(normalizeTable(table)).toBe(normalizeTable(renderEnvTable()));
  });
});
