import { z } from 'zod';

export const zSystemInfo = z.object({
  name: z.string(),
  version: z.string(),
  time: z.date(),
  database: z.object({
    kind: z.enum(['embedded', 'external']),
    serverVersion: z.string(),
  }),
  schema: z.object({
    revision: z.string().nullable(),
    applied: z.number().int(),
    pending: z.number().int(),
  }),
});
export type SystemInfo = z.infer<typeof zSystemInfo>;
