/** @module The one table of CLI commands. Register only commands that work. */
import type { CommandModule } from '../command-module.js';
import { configCommand } from './config.js';
import { sandboxCommand } from './sandbox.js';
import { fixturesCommand } from './fixtures.js';
import { burstCommand } from './burst.js';
import { sustainedCommand } from './sustained.js';
import { chaosCommand } from './chaos.js';
import { e2eCommand } from './e2e.js';
import { bindCommand } from './bind.js';
import { discoveryCommand } from './discovery.js';
import { backpressureCommand } from './backpressure.js';
import { cleanupCommand } from './cleanup.js';
import { reportCommand } from './report.js';
import { baselineCommand } from './baseline.js';
import { analyzeCommand } from './analyze.js';
import { clusterCommand } from './cluster.js';
import { burstShardCommand } from './burst-shard.js';

/** Every command, in the order `--help` lists them. */
export const commands: readonly CommandModule[] = [burstCommand, sustainedCommand, chaosCommand, e2eCommand, backpressureCommand, bindCommand, discoveryCommand, cleanupCommand, reportCommand, baselineCommand, analyzeCommand, fixturesCommand, configCommand, sandboxCommand, clusterCommand, burstShardCommand];
