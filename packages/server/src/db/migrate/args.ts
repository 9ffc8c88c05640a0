/** Parsing `pnpm migrate` arguments into a command. Flask-Migrate's verbs are accepted as aliases. */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export type MigrateCommand =
  | { name: 'up'; to?: string; sql: boolean }
  | { name: 'down'; to?: string; all: boolean; sql: boolean }
  | { name: 'stamp'; to: string }
  | { name: 'make'; message: string }
  | { name: 'current' | 'history' | 'status' | 'check' | 'unlock' | 'help' };

const ALIASES: Record<string, string> = {
  upgrade: 'up',
  downgrade: 'down',
  migrate: 'make',
  revision: 'make',
};

export const HELP = `Usage: pnpm migrate [command] [options]

  pnpm migrate                 apply every pending migration (same as \`up\`)
  pnpm migrate up [<rev>]      apply pending migrations, up to and including <rev>
  pnpm migrate down            revert the newest applied migration
  pnpm migrate down <rev>      revert every migration applied after <rev> (<rev> stays applied)
  pnpm migrate down --all      revert every migration (empty schema)
  pnpm migrate up --sql        print the SQL \`up\` would run and change nothing (also \`down --sql\`)
  pnpm migrate current         the newest applied revision
  pnpm migrate history         every revision in order: applied (with time) and pending
  pnpm migrate status          counts of applied and pending migrations
  pnpm migrate stamp <rev>     record revisions up to <rev> as applied without running them
  pnpm migrate make "message"  create migrations/<timestamp>_message.ts from the template
  pnpm migrate check           fail if migrations are pending or the schema differs from the migrations'
  pnpm migrate unlock          clear a migration lock left behind by an interrupted run

<rev> is a revision id (the file name without .ts), a unique prefix of one (the timestamp is
enough), \`head\` (the newest file) or \`base\` (before the first migration).

Database: DATABASE_URL when set, else the embedded PostgreSQL (EMBEDDED_PG_DIR, EMBEDDED_PG_PORT).
Flask-Migrate's verbs work too: upgrade, downgrade, migrate -m "message".
Exit status: 0 on success, 1 on failure (and when \`check\` finds a problem), 2 on a usage error.`;

export function parseMigrateArgs(argv: readonly string[]): MigrateCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nRun \`pnpm migrate --help\` for usage.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: 'help' };
  const [verb = 'up', ...rest] = positionals;
  const name = ALIASES[verb] ?? verb;
  const only = (allowed: string[]) => {
    const given = (['sql', 'all', 'message'] as const).filter(
      (o) => values[o] !== undefined && !allowed.includes(o),
    );
    if (given.length) throw new UsageError(`\`${verb}\` does not take --${given.join(', --')}.`);
  };
  const atMostOne = () => {
    if (rest.length > 1)
      throw new UsageError(`\`${verb}\` takes at most one revision, got: ${rest.join(' ')}`);
    return rest[0];
  };
  switch (name) {
    case 'up': {
      only(['sql']);
      const to = atMostOne();
      return { name, sql: values.sql === true, ...(to !== undefined && { to }) };
    }
    case 'down': {
      only(['sql', 'all']);
      const to = atMostOne();
      if (values.all && to !== undefined) throw new UsageError('Give either a revision or --all, not both.');
      return { name, all: values.all === true, sql: values.sql === true, ...(to !== undefined && { to }) };
    }
    case 'stamp': {
      only([]);
      const to = atMostOne();
      if (to === undefined) throw new UsageError('`stamp` needs a revision, e.g. `pnpm migrate stamp head`.');
      return { name, to };
    }
    case 'make': {
      only(['message']);
      const message = [values.message, ...rest]
        .filter((m) => m !== undefined)
        .join(' ')
        .trim();
      if (!message) throw new UsageError('`make` needs a message, e.g. `pnpm migrate make "add tax lots"`.');
      return { name, message };
    }
    case 'current':
    case 'history':
    case 'status':
    case 'check':
    case 'unlock':
    case 'help':
      only([]);
      if (rest.length) throw new UsageError(`\`${verb}\` takes no arguments, got: ${rest.join(' ')}`);
      return { name };
    default:
      throw new UsageError(`Unknown command "${verb}". Run \`pnpm migrate --help\` for the list.`);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      sql: { type: 'boolean' },
      all: { type: 'boolean' },
      message: { type: 'string', short: 'm' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Whether the command talks to the database (`make` and `help` do not). */
export function needsDatabase(command: MigrateCommand): boolean {
  return command.name !== 'make' && command.name !== 'help';
}
