/** @module The host facts a result records: name, platform, CPUs, memory, Node version. */
import os from 'node:os';
import type { HostInfo } from './types.js';

/** Facts about the machine this process runs on. */
export function hostInfo(): HostInfo {
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    nodeVersion: process.version,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
  };
}
