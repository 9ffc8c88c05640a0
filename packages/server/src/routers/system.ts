import { zSystemInfo } from '@fo/schema';
import { getSystemInfo } from '../services/system.js';
import { publicProcedure, router } from '../trpc/init.js';

export const systemRouter = router({
  /** Version, database kind and schema revision. Public: health tooling and the SDK call it. */
  info: publicProcedure.output(zSystemInfo).query(({ ctx }) => getSystemInfo(ctx.db, ctx.databaseKind)),
});
