import { z } from 'zod';

/** `noop`: does nothing and succeeds. Checks that workers are alive; the queue benchmark runs it. */
export const zNoopInput = z.object({ note: z.string().max(200).optional() });
export const zNoopResult = z.object({ ok: z.literal(true), note: z.string().nullable() });
