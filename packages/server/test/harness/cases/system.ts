import type { IsolationCases } from '../types.js';

export const systemCases: IsolationCases = {
  'system.info': { kind: 'public', reason: 'version and schema revision for health tooling; no user data' },
};
