/**
 * Runs a parsed `pnpm migrate` command and prints its outcome: the CLI is this plus argv and a
 * database connection. Returns the exit code; errors the user can act on are printed, not thrown.
 */
import path from 'node:path';
import { REPO_ROOT } from '../../env.js';
import { describeConnectError } from '../database.js';
import type { MigrateCommand } from './args.js';
import { HELP } from './args.js';
import { type CheckContext, checkSchema } from './check.js';
import { MigrateError } from './errors.js';
import { MIGRATIONS_DIR } from './files.js';
import { makeMigration } from './make.js';
import {
  type HistoryEntry,
  migrateDown,
  migrateUp,
  readHistory,
  readStatus,
  stamp,
  unlock,
} from './operations.js';

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const time = (d: Date) =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

export async function executeCommand(
  command: MigrateCommand,
  ctx: CheckContext | null,
  io: CommandIo,
): Promise<number> {
  try {
    if (command.name === 'help') {
      io.out(HELP);
      return 0;
    }
    if (command.name === 'make') {
      const made = await makeMigration(command.message, ctx?.dir ?? MIGRATIONS_DIR);
      io.out(`Created ${path.relative(REPO_ROOT, made.file) || made.file} (revision ${made.revision})`);
      return 0;
    }
    if (!ctx) throw new MigrateError(`\`${command.name}\` needs a database.`);
    return await withDatabase(command, ctx, io);
  } catch (err) {
    if (err instanceof MigrateError) {
      io.err(err.message);
      return err.exitCode;
    }
    const readable = ctx ? describeConnectError(err, ctx.target) : null;
    if (readable) {
      io.err(readable);
      return 1;
    }
    throw err;
  }
}

async function withDatabase(command: MigrateCommand, ctx: CheckContext, io: CommandIo): Promise<number> {
  switch (command.name) {
    case 'up': {
      const sql: string[] = [];
      const applied = await migrateUp(ctx, {
        to: command.to,
        dryRun: command.sql,
        onSql: (s) => sql.push(s),
      });
      if (command.sql) return printPreview(io, sql, applied, 'applied');
      if (!applied.length) {
        const status = await readStatus(ctx);
        io.out(
          command.to
            ? `Nothing to apply: ${command.to} is already applied (current: ${status.current}).`
            : `Already up to date (current: ${status.current ?? 'none'}).`,
        );
        return 0;
      }
      io.out(`Applied ${plural(applied.length, 'migration')} to ${ctx.target}:`);
      for (const name of applied) io.out(`  + ${name}`);
      return 0;
    }
    case 'down': {
      const sql: string[] = [];
      const reverted = await migrateDown(ctx, {
        to: command.to,
        all: command.all,
        dryRun: command.sql,
        onSql: (s) => sql.push(s),
      });
      if (command.sql) return printPreview(io, sql, reverted, 'reverted');
      const current = (await readStatus(ctx)).current;
      if (!reverted.length) {
        io.out(
          current
            ? `Nothing to revert (current: ${current}).`
            : 'Nothing to revert: no migration is applied.',
        );
        return 0;
      }
      io.out(`Reverted ${plural(reverted.length, 'migration')} on ${ctx.target}:`);
      for (const name of reverted) io.out(`  - ${name}`);
      io.out(`Current: ${current ?? 'none (no migration applied)'}`);
      return 0;
    }
    case 'current': {
      const status = await readStatus(ctx);
      if (!status.current)
        io.out(`No migration applied (${plural(status.pending.length, 'pending migration')}).`);
      else if (status.current === status.head && !status.pending.length) io.out(`${status.current} (head)`);
      else
        io.out(
          `${status.current} (${plural(status.pending.length, 'pending migration')}; head is ${status.head})`,
        );
      for (const name of status.missing)
        io.err(`warning: applied revision ${name} has no file in migrations/`);
      return 0;
    }
    case 'history': {
      const entries = await readHistory(ctx);
      if (!entries.length) io.out('No migrations.');
      for (const entry of entries) io.out(formatHistoryEntry(entry, entries));
      return 0;
    }
    case 'status': {
      const status = await readStatus(ctx);
      io.out(
        `${ctx.target}: ${status.applied.length} applied, ${status.pending.length} pending (current: ${status.current ?? 'none'})`,
      );
      for (const file of status.pending) io.out(`  pending: ${file.name}`);
      for (const name of status.missing) io.out(`  applied but missing from migrations/: ${name}`);
      return 0;
    }
    case 'stamp': {
      const result = await stamp(ctx, command.to);
      io.out(`Stamped ${ctx.target} (no migration was run):`);
      for (const name of result.marked) io.out(`  marked applied:     ${name}`);
      for (const name of result.unmarked) io.out(`  marked not applied: ${name}`);
      if (!result.marked.length && !result.unmarked.length) io.out('  the record already matched');
      return 0;
    }
    case 'check':
      return printCheck(ctx, io);
    case 'unlock': {
      const wasLocked = await unlock(ctx);
      io.out(
        wasLocked
          ? `Cleared the migration lock on ${ctx.target}.`
          : `The migration lock on ${ctx.target} was not set.`,
      );
      return 0;
    }
    default:
      throw new MigrateError(`Unhandled command ${command.name}`);
  }
}

function printPreview(io: CommandIo, sql: string[], names: string[], verb: string): number {
  for (const statement of sql) io.out(statement);
  io.out(
    names.length
      ? `-- Dry run: ${plural(names.length, 'migration')} would be ${verb}; nothing was changed.`
      : `-- Dry run: nothing would be ${verb}.`,
  );
  return 0;
}

function formatHistoryEntry(entry: HistoryEntry, all: HistoryEntry[]): string {
  const applied = all.filter((e) => e.state !== 'pending');
  const marks = [
    entry === all.filter((e) => e.state !== 'missing').at(-1) ? 'head' : null,
    entry === applied.at(-1) ? 'current' : null,
    entry.state === 'missing' ? 'file missing' : null,
  ].filter(Boolean);
  const when = entry.appliedAt ? `${time(entry.appliedAt)} (batch ${entry.batch})` : 'pending';
  const label = entry.description ? `  ${entry.description}` : '';
  const suffix = marks.length ? ` (${marks.join(', ')})` : '';
  return `${entry.state === 'pending' ? '[ ]' : entry.state === 'missing' ? '[!]' : '[x]'} ${entry.revision}${suffix}  ${when}${label}`;
}

async function printCheck(ctx: CheckContext, io: CommandIo): Promise<number> {
  const result = await checkSchema(ctx);
  if (result.ok) {
    io.out(
      `OK: ${ctx.target} is at ${result.current ?? 'base'}, nothing is pending, and its schema matches the migrations.`,
    );
    return 0;
  }
  if (result.pending.length) {
    io.err(`${plural(result.pending.length, 'migration')} pending (run \`pnpm migrate\`):`);
    for (const name of result.pending) io.err(`  ${name}`);
  }
  if (result.missing.length)
    io.err(`Applied revisions with no file in migrations/: ${result.missing.join(', ')}`);
  if (result.differences.length) {
    io.err(`The schema of ${ctx.target} differs from what its applied migrations produce:`);
    for (const line of result.differences) io.err(`  ${line}`);
  }
  return 1;
}
