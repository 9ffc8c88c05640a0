/**
 * Writes the per-holding metrics (assets.return_1y, return_total, volatility, beta, alpha,
 * metrics_as_of) computed by a portfolio-wide run, in one statement, once per data version.
 */
import type { Db } from '../../db/transaction.js';
import type { ResolvedCall } from './context.js';
import type { SessionResponse } from './engine/session.js';
import { Lru } from './lru.js';

const written = new Lru<string, true>(1024);

/** numeric(20,10) holds |x| < 1e10; anything else (or NaN) is stored as null. */
function rate(x: number | null): string | null {
  if (x === null || !Number.isFinite(x) || Math.abs(x) >= 1e9) return null;
  return x.toFixed(10);
}

export async function refreshHoldingMetrics(db: Db, call: ResolvedCall, res: SessionResponse): Promise<void> {
  const key = `${call.ctx.userId}:${call.ctx.version}:${call.endDay}`;
  if (written.get(key)) return;
  const rows: (string | null)[][] = [];
  for (const m of res.result.holdingMetrics) {
    const pos = res.positions[m.position];
    const holding = pos && call.meta.holdingByPosition.get(`${pos.account}|${pos.symbol}`);
    if (!holding) continue;
    rows.push([
      holding.id,
      rate(m.return1y),
      rate(m.returnTotal),
      rate(m.volatility),
      rate(m.beta),
      rate(m.alpha),
    ]);
  }
  // Chunks keep each statement well under PostgreSQL's 65,535 bind parameters.
  for (let start = 0; start < rows.length; start += 5000) {
    const chunk = rows.slice(start, start + 5000);
    const values = chunk
      .map(() => '(?::uuid, ?::numeric, ?::numeric, ?::numeric, ?::numeric, ?::numeric)')
      .join(', ');
    await db.raw(
      `UPDATE assets a
          SET return_1y = v.r1y, return_total = v.rt, volatility = v.vol, beta = v.beta, alpha = v.alpha,
              metrics_as_of = now()
         FROM (VALUES ${values}) AS v(id, r1y, rt, vol, beta, alpha)
        WHERE a.id = v.id AND a.user_id = ?`,
      [...chunk.flat(), call.ctx.userId],
    );
  }
  written.set(key, true);
}
