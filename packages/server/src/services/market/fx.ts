/**
 * Daily FX rates (1 base = rate quote), shared by every user. Upserts are one statement; the
 * latest-rate lookup also answers a pair from its stored inverse.
 */
import { type FxRateView, todayIso, type zFxLatestInput, type zFxUpsertInput } from '@fo/schema';
import type { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { loadRates } from '../fx/rates.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import type { UpsertCounts } from './prices.js';

type UpsertInput = z.output<typeof zFxUpsertInput>;
type LatestInput = z.output<typeof zFxLatestInput>;

export async function upsertFx({ db, actor }: ServiceContext, input: UpsertInput): Promise<UpsertCounts> {
  return withTransaction(db, async (trx) => {
    const { rows } = await trx.raw<{ rows: { inserted: boolean }[] }>(
      `INSERT INTO fx (base, quote, date, rate)
       SELECT * FROM unnest(?::text[], ?::text[], ?::date[], ?::numeric[])
       ON CONFLICT (base, quote, date) DO UPDATE SET rate = EXCLUDED.rate
        WHERE fx.rate IS DISTINCT FROM EXCLUDED.rate
       RETURNING (xmax = 0) AS inserted`,
      [
        input.rows.map((r) => r.base),
        input.rows.map((r) => r.quote),
        input.rows.map((r) => r.date),
        input.rows.map((r) => r.rate.toFixed()),
      ],
    );
    const inserted = rows.filter((r) => r.inserted).length;
    if (rows.length > 0) await refreshNetWorth(trx, actor.userId);
    return { inserted, updated: rows.length - inserted, unchanged: input.rows.length - rows.length };
  });
}

export async function latestFx({ db }: ServiceContext, input: LatestInput) {
  const asOf = input.asOf ?? todayIso();
  const table = await loadRates(
    db,
    input.pairs.map((p) => [p.base, p.quote] as [string, string]),
    asOf,
  );
  const rates: FxRateView[] = [];
  const missing: { base: string; quote: string }[] = [];
  for (const { base, quote } of input.pairs) {
    const rate = table.rate(base, quote);
    if (rate) rates.push({ ...rate, rate: rate.rate.toDecimalPlaces(12) });
    else missing.push({ base, quote });
  }
  return { asOf, rates, missing };
}
