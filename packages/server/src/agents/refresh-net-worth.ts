import { todayIso } from '@fo/schema';
import { refreshNetWorthSnapshot } from '../services/portfolio/refresh.js';
import { defineTask } from './queue/definition.js';

/**
 * The daily net-worth snapshot behind `portfolio.netWorthHistory`. Every user gets a default
 * schedule (23:30 UTC, after the US close and the day's price loads); users pause it, or run it
 * for a past day to fill a gap.
 */
export const refreshNetWorthAgent = defineTask('refresh_net_worth', {
  defaultSchedule: { cron: '30 23 * * *', timezone: 'UTC' },
  async handler({ input, actor, db }) {
    return refreshNetWorthSnapshot(db, actor.userId, input.date ?? todayIso());
  },
});
