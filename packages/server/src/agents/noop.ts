import { defineTask } from './queue/definition.js';

/** Does nothing: proves a worker is alive end to end, and is what the queue benchmark runs. */
export const noopAgent = defineTask('noop', {
  async handler({ input }) {
    return { ok: true, note: input.note ?? null };
  },
});
