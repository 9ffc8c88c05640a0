/**
 * Allocation and concentration of a set of valued items (positions and cash), in the base currency.
 */

export interface WeightedGroup {
  key: string;
  value: number;
  /** value / total (the total includes every item, cash too). */
  weight: number;
}

/** Sums values per key; largest first. Weights are shares of the grand total. */
export function groupBy(items: readonly { key: string; value: number }[]): {
  total: number;
  groups: WeightedGroup[];
} {
  const sums = new Map<string, number>();
  let total = 0;
  for (const { key, value } of items) {
    sums.set(key, (sums.get(key) ?? 0) + value);
    total += value;
  }
  const groups = [...sums.entries()]
    .map(([key, value]) => ({ key, value, weight: total !== 0 ? value / total : 0 }))
    .sort((x, y) => y.value - x.value || (x.key < y.key ? -1 : 1));
  return { total, groups };
}

export interface Concentration {
  /** Holdings counted (positive values only). */
  count: number;
  /** Combined weight of the ten largest holdings. */
  top10Weight: number | null;
  /** Herfindahl–Hirschman index Σ wᵢ² over holdings' weights (1 = a single holding). */
  herfindahl: number | null;
}

/** Concentration of holdings with positive value; weights are shares of their sum. */
export function concentration(values: readonly number[]): Concentration {
  const positive = values.filter((v) => v > 0).sort((a, b) => b - a);
  const sum = positive.reduce((s, v) => s + v, 0);
  if (positive.length === 0 || sum <= 0) return { count: 0, top10Weight: null, herfindahl: null };
  let top10 = 0;
  let hhi = 0;
  positive.forEach((v, i) => {
    const w = v / sum;
    if (i < 10) top10 += w;
    hhi += w * w;
  });
  return { count: positive.length, top10Weight: top10, herfindahl: hhi };
}
