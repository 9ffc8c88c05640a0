import { zUpdateProfileInput, zUser } from '@fo/schema';
import { updateProfile } from '../services/users.js';
import { authedProcedure, router } from '../trpc/init.js';
import { clientOf } from './auth.js';

export const usersRouter = router({
  /** Name, risk tolerance, investment horizon and base currency of the signed-in user. */
  updateProfile: authedProcedure
    .input(zUpdateProfileInput)
    .output(zUser)
    .mutation(({ ctx, input }) =>
      updateProfile({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input),
    ),
});
