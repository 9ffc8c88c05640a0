/**
 * Turning what the user typed into a revision: a full name, a unique prefix (the 14-digit
 * timestamp is enough), a file path, or the aliases `head`/`latest` (newest file) and `base` (before
 * the first). An unknown revision lists the closest names.
 */
import path from 'node:path';
import { UnknownRevisionError, UsageError } from './errors.js';

/** `null` is the empty database (`base`). */
export type Revision = string | null;

export const HEAD_ALIASES = ['head', 'latest'];
export const BASE_ALIASES = ['base'];

export function resolveRevision(input: string, known: readonly string[]): Revision {
  const wanted = path.basename(input.trim()).replace(/\.ts$/, '');
  if (BASE_ALIASES.includes(wanted)) return null;
  if (HEAD_ALIASES.includes(wanted)) {
    const head = known.at(-1);
    if (!head) throw new UnknownRevisionError(input, [], 0);
    return head;
  }
  if (known.includes(wanted)) return wanted;
  const byPrefix = wanted ? known.filter((name) => name.startsWith(wanted)) : [];
  if (byPrefix.length === 1) return byPrefix[0]!;
  if (byPrefix.length > 1) {
    throw new UsageError(
      `Revision "${input}" is ambiguous; it matches:\n${byPrefix.map((n) => `  ${n}`).join('\n')}`,
    );
  }
  throw new UnknownRevisionError(input, closeMatches(wanted, known), known.length);
}

/**
 * Up to three known names nearest to `input`: by the fewest edits that turn `input` into some part
 * of the name, so a mistyped description ("gadgetz") or timestamp finds its revision.
 */
export function closeMatches(input: string, known: readonly string[], limit = 3): string[] {
  const needle = input.toLowerCase();
  if (!needle) return [];
  // Short inputs must appear as they are; longer ones may carry a typo per four characters.
  const threshold = needle.length < 4 ? 0 : Math.max(1, Math.floor(needle.length / 4));
  const scored = known.map((name) => ({ name, score: substringDistance(needle, name.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.score));
  // Only the names about as close as the closest one: a clear winner is shown alone.
  return scored
    .filter((s) => s.score <= threshold && s.score <= best + 1)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** Edit distance between `needle` and the closest substring of `haystack` (Sellers' algorithm). */
export function substringDistance(needle: string, haystack: string): number {
  // previous[j]: edits to match needle[0..i) ending at haystack position j; starting anywhere is free.
  let previous = new Array<number>(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    const current = [i];
    for (let j = 1; j <= haystack.length; j++) {
      const cost = needle[i - 1] === haystack[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return Math.min(...previous);
}
