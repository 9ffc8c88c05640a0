import { zApiToken, zCreateApiTokenInput, zCreatedApiToken, zOk, zRevokeApiTokenInput } from '@fo/schema';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../services/apiTokens.js';
import { authedProcedure, router } from '../trpc/init.js';
import { clientOf } from './auth.js';

/** API tokens for scripts. Managed with a session only: a token never mints or revokes tokens. */
export const apiTokensRouter = router({
  /** Returns the plaintext token once (`fo_pat_...`); only its hash is kept. */
  create: authedProcedure
    .meta({ sessionOnly: true })
    .input(zCreateApiTokenInput)
    .output(zCreatedApiToken)
    .mutation(({ ctx, input }) =>
      createApiToken({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input),
    ),
  list: authedProcedure
    .meta({ sessionOnly: true })
    .output(z.array(zApiToken))
    .query(({ ctx }) => listApiTokens({ db: ctx.db, actor: ctx.actor })),
  revoke: authedProcedure
    .meta({ sessionOnly: true })
    .input(zRevokeApiTokenInput)
    .output(zOk)
    .mutation(async ({ ctx, input }) => {
      await revokeApiToken({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input);
      return { ok: true as const };
    }),
});
