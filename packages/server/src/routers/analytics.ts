import { zAnalyticsSettings, zAnalyticsSettingsInput } from '@fo/schema';
import { getAnalyticsSettings, setAnalyticsSettings } from '../services/analytics/settings.js';
import { authedProcedure, router } from '../trpc/init.js';

export const analyticsRouter = router({
  settings: router({
    get: authedProcedure.output(zAnalyticsSettings).query(({ ctx }) => getAnalyticsSettings(ctx)),
    set: authedProcedure
      .input(zAnalyticsSettingsInput)
      .output(zAnalyticsSettings)
      .mutation(({ ctx, input }) => setAnalyticsSettings(ctx, input)),
  }),
});
