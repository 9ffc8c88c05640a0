/**
 * Investment horizon on the user's profile (users.updateProfile): whole years until the money is
 * needed, 1-100, or null when not given. Analytics and risk guidance read it with risk_tolerance.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.smallint('investment_horizon_years');
    t.check(
      'investment_horizon_years IS NULL OR investment_horizon_years BETWEEN 1 AND 100',
      [],
      'users_investment_horizon_years_range',
    );
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropChecks(['users_investment_horizon_years_range']);
    t.dropColumn('investment_horizon_years');
  });
}
