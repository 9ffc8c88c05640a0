import { Decimal, todayIso, type zNetWorthHistoryInput } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import type { z } from 'zod';
import type { ServiceContext } from '../context.js';
import { computeNetWorth } from './netWorth.js';

type HistoryInput = z.output<typeof zNetWorthHistoryInput>;

export async function netWorth({ db, actor }: ServiceContext, asOf: string = todayIso()) {
  return computeNetWorth(db, actor.userId, asOf);
}

/**
 * One point per interval (the last snapshot in it), oldest first. The interval is one of the
 * schema's enum values, so it is inlined: bound twice it would be two parameters, and PostgreSQL
 * would not see DISTINCT ON and ORDER BY as the same expression.
 */
export async function netWorthHistory({ db, actor }: ServiceContext, input: HistoryInput) {
  const to = input.to ?? todayIso();
  const from = input.from ?? addDays(to, -365);
  const { rows } = await db.raw<{
    rows: {
      date: string;
      base_currency: string;
      total_assets: string;
      total_liabilities: string;
      net_worth: string;
      complete: boolean;
    }[];
  }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (date_trunc('${input.interval}', date)) date, base_currency, total_assets, total_liabilities,
              net_worth, complete
         FROM net_worth_snapshots
        WHERE user_id = :userId AND date BETWEEN :from::date AND :to::date
        ORDER BY date_trunc('${input.interval}', date), date DESC
     ) points ORDER BY date LIMIT 4000`,
    { userId: actor.userId, from, to },
  );
  return {
    from,
    to,
    interval: input.interval,
    points: rows.map((r) => ({
      date: r.date,
      baseCurrency: r.base_currency,
      totalAssets: new Decimal(r.total_assets),
      totalLiabilities: new Decimal(r.total_liabilities),
      netWorth: new Decimal(r.net_worth),
      complete: r.complete,
    })),
  };
}
