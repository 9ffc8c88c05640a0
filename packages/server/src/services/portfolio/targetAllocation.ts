/**
 * Target allocation per user (portfolio.targetAllocation.get / .set / .reset) and the resolution
 * the `rebalance` agent uses: the user's own set, or the default model portfolio of their risk
 * tolerance (DEFAULT_MODEL_PORTFOLIOS in @fo/schema).
 */
import {
  type AssetClass,
  DEFAULT_MODEL_PORTFOLIOS,
  DEFAULT_REBALANCE_BAND,
  Decimal,
  type RiskTolerance,
  type TargetAllocation as TargetAllocationDto,
  type zSetTargetAllocationInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Knex } from '../../db/knex.js';
import { allQueries, type Db, withTransaction } from '../../db/transaction.js';
import { TargetAllocation, User } from '../../models/index.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError } from '../errors.js';

type SetInput = z.output<typeof zSetTargetAllocationInput>;

export interface ResolvedTarget {
  assetClass: AssetClass;
  weight: Decimal;
  band: Decimal;
}

/** Largest weight first, then by class name: the order every answer uses. */
function ordered(targets: ResolvedTarget[]): ResolvedTarget[] {
  return [...targets].sort((a, b) => b.weight.cmp(a.weight) || a.assetClass.localeCompare(b.assetClass));
}

export function defaultModel(tolerance: RiskTolerance): ResolvedTarget[] {
  return ordered(
    DEFAULT_MODEL_PORTFOLIOS[tolerance].map((t) => ({
      assetClass: t.assetClass,
      weight: new Decimal(t.weight),
      band: new Decimal(DEFAULT_REBALANCE_BAND),
    })),
  );
}

/** The targets in force for a user: their own set when they have one, else their model portfolio. */
export async function resolveTargets(db: Db, userId: string): Promise<TargetAllocationDto> {
  const [user, rows] = await allQueries(db, [
    () => User.query(db).findById(userId).select('risk_tolerance'),
    () => TargetAllocation.query(db).where('user_id', userId),
  ]);
  if (!user) throw new NotFoundError('User');
  if (rows.length === 0) {
    return {
      source: 'default',
      riskTolerance: user.risk_tolerance,
      targets: defaultModel(user.risk_tolerance),
      updatedAt: null,
    };
  }
  return {
    source: 'user',
    riskTolerance: user.risk_tolerance,
    targets: ordered(
      rows.map((r) => ({
        assetClass: r.asset_class,
        weight: new Decimal(r.weight),
        band: new Decimal(r.band),
      })),
    ),
    updatedAt: new Date(Math.max(...rows.map((r) => r.updated_at.getTime()))),
  };
}

export function getTargetAllocation({ db, actor }: ServiceContext): Promise<TargetAllocationDto> {
  return resolveTargets(db, actor.userId);
}

/** Serializes writers of one user's set, so two concurrent replacements never interleave. */
async function lockUserTargets(trx: Knex.Transaction, userId: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [`target_allocations/${userId}`]);
}

/** Replaces the user's whole set in one transaction (the schema checked that weights sum to 1). */
export async function setTargetAllocation(
  { db, actor }: ServiceContext,
  input: SetInput,
): Promise<TargetAllocationDto> {
  return withTransaction(db, async (trx) => {
    await lockUserTargets(trx, actor.userId);
    await TargetAllocation.query(trx).modify('visibleTo', actor).delete();
    await TargetAllocation.query(trx).insert(
      input.targets.map((t) => ({
        user_id: actor.userId,
        asset_class: t.assetClass,
        weight: t.weight.toFixed(),
        band: t.band.toFixed(),
      })),
    );
    return resolveTargets(trx, actor.userId);
  });
}

/** Deletes the user's set: the default model of their risk tolerance applies again. */
export async function resetTargetAllocation({ db, actor }: ServiceContext): Promise<TargetAllocationDto> {
  return withTransaction(db, async (trx) => {
    await lockUserTargets(trx, actor.userId);
    await TargetAllocation.query(trx).modify('visibleTo', actor).delete();
    return resolveTargets(trx, actor.userId);
  });
}
