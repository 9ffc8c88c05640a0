/**
 * Key rotation: re-encrypts every stored secret that is not yet under the keyring's current key.
 * Rows are processed in id order, in batches, each batch in its own transaction with its rows
 * locked, so the server can keep running while it proceeds and a second run finds nothing to do.
 */
import type { Knex } from '../db/knex.js';
import { ENCRYPTED_FIELDS, type EncryptedField } from './encrypted-fields.js';
import { type Keyring, parseSealed } from './keyring.js';

export interface FieldRotation {
  field: string;
  reEncrypted: number;
  /** Rows that could not be opened (their key is not configured, or the ciphertext is damaged). */
  failed: { id: string; reason: string }[];
}

export interface KeyUsage {
  field: string;
  /** Rows per key id. */
  byKeyId: Record<string, number>;
}

const BATCH = 200;

async function tableExists(db: Knex, table: string): Promise<boolean> {
  return db.schema.hasTable(table);
}

async function rotatePair(
  db: Knex,
  keyring: Keyring,
  field: Extract<EncryptedField, { kind: 'pair' }>,
): Promise<FieldRotation> {
  const result: FieldRotation = { field: field.name, reEncrypted: 0, failed: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db.transaction(async (trx) => {
      const rows: { id: string; ciphertext: string; key_id: string }[] = await trx(field.table)
        .select('id', { ciphertext: field.ciphertextColumn, key_id: field.keyIdColumn })
        .whereNotNull(field.ciphertextColumn)
        .whereNot(field.keyIdColumn, keyring.currentKeyId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .forUpdate();
      for (const row of rows) {
        try {
          const plaintext = keyring.decrypt(
            { keyId: row.key_id, ciphertext: row.ciphertext },
            field.context(row.id),
          );
          const sealed = keyring.encrypt(plaintext, field.context(row.id));
          await trx(field.table)
            .where('id', row.id)
            .update({ [field.ciphertextColumn]: sealed.ciphertext, [field.keyIdColumn]: sealed.keyId });
          result.reEncrypted += 1;
        } catch (err) {
          result.failed.push({ id: row.id, reason: (err as Error).message });
        }
      }
      return rows;
    });
    if (batch.length < BATCH) break;
    after = batch.at(-1)!.id;
  }
  return result;
}

async function rotateSealed(
  db: Knex,
  keyring: Keyring,
  field: Extract<EncryptedField, { kind: 'sealed' }>,
): Promise<FieldRotation> {
  const result: FieldRotation = { field: field.name, reEncrypted: 0, failed: [] };
  const currentPrefix = `fo1:${keyring.currentKeyId}:%`;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await db.transaction(async (trx) => {
      const rows: { id: string; value: string }[] = await trx(field.table)
        .select('id', { value: field.column })
        .whereNotNull(field.column)
        .whereNot(field.column, 'like', currentPrefix)
        .where('id', '>', after)
        .orderBy('id')
        .limit(BATCH)
        .forUpdate();
      for (const row of rows) {
        try {
          parseSealed(row.value);
          const plaintext = keyring.open(row.value, field.context(row.id));
          await trx(field.table)
            .where('id', row.id)
            .update({ [field.column]: keyring.seal(plaintext, field.context(row.id)) });
          result.reEncrypted += 1;
        } catch (err) {
          result.failed.push({ id: row.id, reason: (err as Error).message });
        }
      }
      return rows;
    });
    if (batch.length < BATCH) break;
    after = batch.at(-1)!.id;
  }
  return result;
}

export async function rotateEncryptionKeys(
  db: Knex,
  keyring: Keyring,
  fields: readonly EncryptedField[] = ENCRYPTED_FIELDS,
): Promise<FieldRotation[]> {
  const results: FieldRotation[] = [];
  for (const field of fields) {
    if (!(await tableExists(db, field.table))) continue;
    results.push(
      field.kind === 'pair' ? await rotatePair(db, keyring, field) : await rotateSealed(db, keyring, field),
    );
  }
  return results;
}

/** How many stored secrets each key id still protects. */
export async function encryptionKeyUsage(
  db: Knex,
  fields: readonly EncryptedField[] = ENCRYPTED_FIELDS,
): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const field of fields) {
    if (!(await tableExists(db, field.table))) continue;
    const keyExpr =
      field.kind === 'pair'
        ? db.raw('??', [field.keyIdColumn])
        : db.raw(`split_part(??, ':', 2)`, [field.column]);
    const notNull = field.kind === 'pair' ? field.ciphertextColumn : field.column;
    const rows: { key_id: string; n: number }[] = await db(field.table)
      .select({ key_id: keyExpr })
      .count<{ key_id: string; n: number }[]>({ n: '*' })
      .whereNotNull(notNull)
      .groupByRaw('1');
    usage.push({
      field: field.name,
      byKeyId: Object.fromEntries(rows.map((r) => [r.key_id, Number(r.n)])),
    });
  }
  return usage;
}
