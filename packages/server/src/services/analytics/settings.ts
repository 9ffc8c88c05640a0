/**
 * Per-user analytics settings (analytics.settings.get / .set): benchmark, risk-free rate or series,
 * and the longest price gap bridged. Unset fields fall back to the server's defaults.
 */
import {
  type AnalyticsSettingsChanges,
  type AnalyticsSettings as AnalyticsSettingsDto,
  Decimal,
} from '@fo/schema';
import { getEnv } from '../../env.js';
import { AnalyticsSettings } from '../../models/index.js';
import type { ServiceContext } from '../context.js';

/** Settings with defaults applied, as the engine uses them. */
export interface EffectiveSettings {
  benchmarkSymbol: string;
  riskFreeRate: number;
  riskFreeSymbol: string | null;
  maxPriceGapDays: number;
}

export interface StoredSettings {
  benchmark_symbol: string | null;
  risk_free_rate: string | null;
  risk_free_symbol: string | null;
  max_price_gap_days: number | null;
}

export function effectiveSettings(row: StoredSettings | null | undefined): EffectiveSettings {
  const env = getEnv();
  return {
    benchmarkSymbol: row?.benchmark_symbol ?? env.ANALYTICS_BENCHMARK_SYMBOL,
    riskFreeRate: row?.risk_free_rate != null ? Number(row.risk_free_rate) : env.ANALYTICS_RISK_FREE_RATE,
    riskFreeSymbol: row?.risk_free_symbol ?? null,
    maxPriceGapDays: row?.max_price_gap_days ?? env.ANALYTICS_MAX_PRICE_GAP_DAYS,
  };
}

function toDto(row: AnalyticsSettings | undefined): AnalyticsSettingsDto {
  const env = getEnv();
  const eff = effectiveSettings(row);
  return {
    benchmarkSymbol: eff.benchmarkSymbol,
    riskFreeRate: new Decimal(row?.risk_free_rate ?? String(env.ANALYTICS_RISK_FREE_RATE)),
    riskFreeSymbol: eff.riskFreeSymbol,
    maxPriceGapDays: eff.maxPriceGapDays,
    custom: {
      benchmarkSymbol: row?.benchmark_symbol != null,
      riskFreeRate: row?.risk_free_rate != null,
      riskFreeSymbol: row?.risk_free_symbol != null,
      maxPriceGapDays: row?.max_price_gap_days != null,
    },
  };
}

export async function getAnalyticsSettings(ctx: ServiceContext): Promise<AnalyticsSettingsDto> {
  const row = await AnalyticsSettings.query(ctx.db).modify('visibleTo', ctx.actor).first();
  return toDto(row);
}

type SettingsPatch = Partial<Pick<AnalyticsSettings, keyof StoredSettings>>;

export async function setAnalyticsSettings(
  ctx: ServiceContext,
  input: AnalyticsSettingsChanges,
): Promise<AnalyticsSettingsDto> {
  const patch: SettingsPatch = {};
  if (input.benchmarkSymbol !== undefined) patch.benchmark_symbol = input.benchmarkSymbol;
  if (input.riskFreeRate !== undefined) {
    patch.risk_free_rate = input.riskFreeRate === null ? null : input.riskFreeRate.toFixed();
  }
  if (input.riskFreeSymbol !== undefined) patch.risk_free_symbol = input.riskFreeSymbol;
  if (input.maxPriceGapDays !== undefined) patch.max_price_gap_days = input.maxPriceGapDays;
  const columns = Object.keys(patch);
  if (columns.length === 0) return getAnalyticsSettings(ctx);
  // One statement: creates the row on first change, updates the named columns otherwise.
  const row = await AnalyticsSettings.query(ctx.db)
    .insert({ user_id: ctx.actor.userId, ...patch })
    .onConflict('user_id')
    .merge(columns)
    .returning('*');
  return toDto(row);
}
