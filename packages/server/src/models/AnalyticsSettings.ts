import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** A user's analytics settings; null columns fall back to the server's defaults. Keyed by user. */
export class AnalyticsSettings extends BaseModel {
  static override tableName = 'analytics_settings';
  static override idColumn = 'user_id';

  user_id!: string;
  benchmark_symbol!: string | null;
  risk_free_rate!: string | null;
  risk_free_symbol!: string | null;
  max_price_gap_days!: number | null;

  override $beforeInsert(): void {
    // The key is the user's id: no generated id.
    const now = new Date();
    this.created_at ??= now;
    this.updated_at ??= now;
  }

  static override modifiers = {
    visibleTo(query: QueryBuilder<AnalyticsSettings>, actor: Actor) {
      query.where('analytics_settings.user_id', actor.userId);
    },
  };
}
