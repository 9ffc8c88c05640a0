/**
 * `pnpm fo <command>`: operator commands.
 *
 *   keys:generate   print a fresh FO_ENCRYPTION_KEY value
 *   keys:status     how many stored secrets each key id protects
 *   keys:rotate     re-encrypt every stored secret under the current FO_ENCRYPTION_KEY
 *
 * Rotating keys: put the new key in FO_ENCRYPTION_KEY and the old one in
 * FO_ENCRYPTION_PREVIOUS_KEYS, restart the servers, run `pnpm fo keys:rotate`, then drop the old
 * key from FO_ENCRYPTION_PREVIOUS_KEYS.
 */
import { generateKeySpec, getKeyring, KeyConfigError } from '../crypto/keyring.js';
import { encryptionKeyUsage, rotateEncryptionKeys } from '../crypto/rotate.js';
import { describeConnectError, openDatabase } from '../db/database.js';
import { ConfigError, getEnv } from '../env.js';
import { DomainError } from '../services/errors.js';

type Command = (args: string[]) => Promise<number>;

async function withDatabase<T>(
  work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(getEnv(), { poolMax: 2, applicationName: 'fo-cli' });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

const commands: Record<string, { summary: string; run: Command }> = {
  'keys:generate': {
    summary: 'print a fresh FO_ENCRYPTION_KEY value (32 random bytes with a key id)',
    async run() {
      console.log(generateKeySpec());
      return 0;
    },
  },
  'keys:status': {
    summary: 'count stored secrets per encryption key id',
    async run() {
      const keyring = getKeyring();
      return withDatabase(async ({ knex }) => {
        console.log(`current key: ${keyring.currentKeyId}`);
        for (const { field, byKeyId } of await encryptionKeyUsage(knex)) {
          const parts = Object.entries(byKeyId).map(
            ([id, n]) =>
              `${id}${id === keyring.currentKeyId ? ' (current)' : keyring.has(id) ? '' : ' (NOT CONFIGURED)'}: ${n}`,
          );
          console.log(`${field}: ${parts.length ? parts.join(', ') : 'none stored'}`);
        }
        return 0;
      });
    },
  },
  'keys:rotate': {
    summary: 're-encrypt every stored secret under the current FO_ENCRYPTION_KEY',
    async run() {
      const keyring = getKeyring();
      return withDatabase(async ({ knex }) => {
        const results = await rotateEncryptionKeys(knex, keyring);
        let failed = 0;
        for (const r of results) {
          console.log(`${r.field}: ${r.reEncrypted} re-encrypted under ${keyring.currentKeyId}`);
          for (const f of r.failed) console.error(`  ${r.field} ${f.id}: ${f.reason}`);
          failed += r.failed.length;
        }
        if (failed) {
          console.error(`${failed} secret(s) could not be opened; configure their keys and run again`);
          return 1;
        }
        return 0;
      });
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'usage: pnpm fo <command>',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name && name !== 'help' ? `unknown command: ${name}\n\n${usage()}` : usage());
    return name && name !== 'help' ? 2 : 0;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof DomainError || err instanceof KeyConfigError) {
      console.error(err.message);
    } else console.error(describeConnectError(err, 'the database') ?? err);
    process.exit(1);
  },
);
