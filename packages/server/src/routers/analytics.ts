import {
  zAllocationResult,
  zAnalyticsAllocationInput,
  zAnalyticsRangesInput,
  zAnalyticsSeriesInput,
  zAnalyticsSettings,
  zAnalyticsSettingsInput,
  zPerformanceResult,
  zRiskResult,
  zSeriesResult,
} from '@fo/schema';
import {
  analyticsAllocation,
  analyticsPerformance,
  analyticsRisk,
  analyticsSeries,
} from '../services/analytics/service.js';
import { getAnalyticsSettings, setAnalyticsSettings } from '../services/analytics/settings.js';
import { authedProcedure, router } from '../trpc/init.js';

export const analyticsRouter = router({
  performance: authedProcedure
    .input(zAnalyticsRangesInput)
    .output(zPerformanceResult)
    .query(({ ctx, input }) => analyticsPerformance(ctx, input)),
  risk: authedProcedure
    .input(zAnalyticsRangesInput)
    .output(zRiskResult)
    .query(({ ctx, input }) => analyticsRisk(ctx, input)),
  series: authedProcedure
    .input(zAnalyticsSeriesInput)
    .output(zSeriesResult)
    .query(({ ctx, input }) => analyticsSeries(ctx, input)),
  allocation: authedProcedure
    .input(zAnalyticsAllocationInput)
    .output(zAllocationResult)
    .query(({ ctx, input }) => analyticsAllocation(ctx, input)),
  settings: router({
    get: authedProcedure.output(zAnalyticsSettings).query(({ ctx }) => getAnalyticsSettings(ctx)),
    set: authedProcedure
      .input(zAnalyticsSettingsInput)
      .output(zAnalyticsSettings)
      .mutation(({ ctx, input }) => setAnalyticsSettings(ctx, input)),
  }),
});
