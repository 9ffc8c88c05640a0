import { z } from 'zod';
import { todayIso, zIsoDate } from '../dates.js';
import { zNetWorth } from '../portfolio.js';

/** `refresh_net_worth`: the day's net-worth snapshot (recurring by default, daily). */
export const zRefreshNetWorthInput = z.object({
  /** Day to snapshot; today by default. Today's run also refreshes the cached figure and holdings' valuations. */
  date: zIsoDate.refine((d) => d <= todayIso(), { message: 'must not be in the future' }).optional(),
});

/** The snapshot stored, with its breakdowns and warnings. */
export const zRefreshNetWorthResult = zNetWorth;
