/**
 * The built-in agents: one file each, one line here. A worker runs the task types of the agents it
 * is given (`builtinAgents` unless told otherwise) and claims nothing else.
 */
import { cashFlowForecastAgent } from './cash-flow-forecast.js';
import { noopAgent } from './noop.js';
import { plaidSyncAgent } from './plaid-sync.js';
import { portfolioAnalysisAgent } from './portfolio-analysis.js';
import type { Agent } from './queue/definition.js';
import { rebalanceAgent } from './rebalance.js';
import { refreshNetWorthAgent } from './refresh-net-worth.js';
import { taxLossHarvestAgent } from './tax-loss-harvest.js';

export const builtinAgents: readonly Agent[] = [
  noopAgent,
  portfolioAnalysisAgent,
  cashFlowForecastAgent,
  refreshNetWorthAgent,
  rebalanceAgent,
  taxLossHarvestAgent,
  plaidSyncAgent,
];

export type { Agent, AgentContext, DefaultSchedule, TaskInfo } from './queue/definition.js';
export { defineAgent, defineTask, PermanentError, TaskAbortedError } from './queue/definition.js';
export { Worker, type WorkerOptions } from './queue/worker.js';
