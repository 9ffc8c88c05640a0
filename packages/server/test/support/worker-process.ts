/**
 * A real worker process for the reliability tests: `pnpm worker`'s code path, with the test task
 * types registered next to the built-in ones. Configured through the environment like `pnpm worker`.
 */
import { builtinAgents } from '../../src/agents/index.js';
import { runStandaloneWorker } from '../../src/agents/runtime.js';
import { testAgents } from './task-test-agents.js';

await runStandaloneWorker({ agents: [...builtinAgents, ...testAgents] });
