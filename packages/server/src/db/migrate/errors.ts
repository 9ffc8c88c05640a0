/**
 * Errors `pnpm migrate` reports to the user: each says what went wrong and what to do next, and
 * means nothing was changed (except where a message says otherwise).
 */
export class MigrateError extends Error {
  override name = 'MigrateError';
  /** Process exit code for the CLI. */
  readonly exitCode: number = 1;
}

export class UsageError extends MigrateError {
  override name = 'UsageError';
  override readonly exitCode = 2;
}

export class UnknownRevisionError extends MigrateError {
  override name = 'UnknownRevisionError';
  constructor(
    readonly revision: string,
    readonly suggestions: string[],
    known: number,
  ) {
    const hint = suggestions.length
      ? `Did you mean:\n${suggestions.map((s) => `  ${s}`).join('\n')}`
      : known
        ? 'Run `pnpm migrate history` to list the revisions.'
        : 'There are no migration files.';
    super(`Unknown revision "${revision}". ${hint}`);
  }
}

export class LockHeldError extends MigrateError {
  override name = 'LockHeldError';
  constructor(
    readonly target: string,
    readonly reason: 'busy' | 'flag',
  ) {
    super(
      reason === 'busy'
        ? `Another migration is running against ${target} right now. Wait for it to finish and run the command again. ` +
            'If a crashed run left the lock behind, clear it with `pnpm migrate unlock`.'
        : `The migration lock on ${target} is held (knex_migrations_lock.is_locked = 1). If no other migration is ` +
            'running, a previous run was interrupted: clear the lock with `pnpm migrate unlock`, then run the command again.',
    );
  }
}

export class MigrationFailedError extends MigrateError {
  override name = 'MigrationFailedError';
  constructor(
    readonly revision: string,
    readonly direction: 'up' | 'down',
    override readonly cause: unknown,
    /** Revisions of this run that stayed applied/reverted (only when a migration ran outside a transaction). */
    readonly kept: string[] = [],
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const outcome = kept.length
      ? `Rolled back ${revision}; these steps of the run had already committed: ${kept.join(', ')}.`
      : 'Rolled back: nothing was changed.';
    super(`Migration ${revision} failed (${direction}): ${reason}\n${outcome}`);
  }
}

export class MissingRevisionsError extends MigrateError {
  override name = 'MissingRevisionsError';
  constructor(
    readonly missing: string[],
    dir: string,
  ) {
    super(
      `The database has applied revisions that are not in ${dir}: ${missing.join(', ')}. ` +
        'Check out the code that contains them (or `pnpm migrate stamp <rev>` to rewrite the record).',
    );
  }
}

export class DatabaseUnreachableError extends MigrateError {
  override name = 'DatabaseUnreachableError';
}
