/**
 * The security audit log: one row per event, with who (user, session or API token), from where
 * (address, user agent) and when. Users read their own through auth.auditLog.
 */
import type { AuditEvent as AuditEventDto, AuditEventType } from '@fo/schema';
import type { Actor } from '../actor.js';
import type { ClientInfo } from '../auth/sessions.js';
import type { Db } from '../db/transaction.js';
import { AuditEvent } from '../models/index.js';
import { ValidationError } from './errors.js';

export interface AuditInput {
  userId: string | null;
  event: AuditEventType;
  actor?: Actor | null;
  client?: ClientInfo;
  /** Never secrets: names, ids, reasons. */
  details?: Record<string, unknown>;
  /** When the actor is not the one the event is about (e.g. sign-in creates the session). */
  sessionId?: string | null;
}

export async function recordAuditEvent(db: Db, input: AuditInput): Promise<void> {
  await AuditEvent.query(db).insert({
    user_id: input.userId,
    event: input.event,
    session_id: input.sessionId ?? input.actor?.sessionId ?? null,
    api_token_id: input.actor?.tokenId ?? null,
    ip: input.client?.ip?.slice(0, 64) ?? null,
    user_agent: input.client?.userAgent?.slice(0, 512) ?? null,
    details: input.details ?? {},
  });
}

function toDto(row: AuditEvent): AuditEventDto {
  return {
    id: row.id,
    event: row.event,
    at: row.created_at,
    ip: row.ip,
    userAgent: row.user_agent,
    sessionId: row.session_id,
    apiTokenId: row.api_token_id,
    details: row.details,
  };
}

function encodeCursor(row: AuditEvent): string {
  return Buffer.from(`${row.created_at.toISOString()}|${row.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : null;
  if (!date || Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ValidationError(['cursor'], 'is not a cursor this list returned');
  }
  return { at: date, id };
}

/** The actor's own events, newest first, keyset-paginated. */
export async function listAuditEvents(
  ctx: { db: Db; actor: Actor },
  input: { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditEventDto[]; nextCursor: string | null }> {
  const query = AuditEvent.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(input.limit + 1);
  if (input.cursor) {
    const { at, id } = decodeCursor(input.cursor);
    query.whereRaw('(created_at, id) < (?, ?)', [at, id]);
  }
  const rows = await query;
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(toDto),
    nextCursor: rows.length > input.limit && page.length ? encodeCursor(page.at(-1)!) : null,
  };
}
