/**
 * @module `pods/{name}/exec` over WebSocket, as kube-apiserver serves it (proxied to the kubelet's
 * streaming server): the channel protocols `v5.channel.k8s.io` (which adds closing one stream:
 * frame 255, stream) and `v4.channel.k8s.io`. Channel 0 is stdin, 1 stdout, 2 stderr, 3 the
 * command's end as a Status (Success, or Failure with reason NonZeroExitCode and the exit code as
 * a cause), 4 terminal resizes. The twin's kubelet runs the command on this machine as the
 * container's process would run: in the container's `workingDir` with its `env` values (the pods a
 * test creates say where, as they say where their process listens for a port-forward). Refused
 * before the upgrade, with a Status, where kube-apiserver refuses: no such pod (404), a pod with no
 * node or not Running (400), no container named when the pod has several, or one it does not have
 * (400, the API server's own words), no command, no stream asked for (400). A pod deleted, or no
 * longer Running, ends its commands, as the end of its containers does on a node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiStatusError, failure, type StatusBody } from './status.js';
import { forwardablePod } from './port-forward.js';
import { refuseUpgrade, upgradedPod, watchPodEnds } from './pod-stream.js';
import type { Registry } from './registry.js';
import type { KubeObject } from './store.js';

/** The channel protocols exec speaks, newest first (v5 can close stdin alone). */
export const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const path = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;

/** Whether `pathname` is a pod's exec subresource. */
export function isExecPath(pathname: string): boolean {
  return path.test(pathname);
}

/** What one exec runs, and where. */
export interface ExecRequest {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** The container's working directory (undefined: the server's). */
  workingDir: string | undefined;
  /** The container's env values. */
  env: Record<string, string>;
}

function flag(params: URLSearchParams, name: string): boolean {
  const v = params.get(name);
  return v === 'true' || v === '1';
}

interface ContainerSpec {
  name?: unknown;
  workingDir?: unknown;
  env?: unknown;
}

/** The exec a request asks of `pod`, or the refusal kube-apiserver gives (pure). */
export function execRequest(pod: KubeObject, name: string, params: URLSearchParams): ExecRequest {
  const command = params.getAll('command');
  if (!flag(params, 'stdin') && !flag(params, 'stdout') && !flag(params, 'stderr')) throw new ApiStatusError(failure(400, 'BadRequest', 'you must specify at least one of stdin, stdout, stderr'));
  if (command.length === 0) throw new ApiStatusError(failure(400, 'BadRequest', 'you must specify at least one command for the container'));
  const containers = (((pod as { spec?: { containers?: unknown } }).spec?.containers ?? []) as ContainerSpec[]).filter((c) => typeof c.name === 'string');
  const names = containers.map((c) => c.name as string);
  let wanted = params.get('container') ?? '';
  if (wanted === '') {
    if (names.length !== 1) throw new ApiStatusError(failure(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`));
    wanted = names[0] ?? '';
  }
  const c = containers.find((x) => x.name === wanted);
  if (c === undefined) throw new ApiStatusError(failure(400, 'BadRequest', `container ${wanted} is not valid for pod ${name}`));
  const env: Record<string, string> = {};
  for (const e of Array.isArray(c.env) ? (c.env as { name?: unknown; value?: unknown }[]) : []) if (typeof e.name === 'string' && typeof e.value === 'string') env[e.name] = e.value;
  return { command, container: wanted, stdin: flag(params, 'stdin'), stdout: flag(params, 'stdout'), stderr: flag(params, 'stderr'), workingDir: typeof c.workingDir === 'string' && c.workingDir !== '' ? c.workingDir : undefined, env };
}

/** The Status a command's end writes on channel 3 (pure): Success, or the exit code or signal as the kubelet words it. */
export function execEndStatus(command: readonly string[], code: number | null, signal: string | null, startError: string | null): Omit<StatusBody, 'kind' | 'apiVersion' | 'code'> & { code?: number } {
  if (startError !== null) return { metadata: {}, status: 'Failure', message: startError, reason: 'InternalError', code: 500 };
  if (code === 0) return { metadata: {}, status: 'Success' };
  // A command killed by a signal ends, as in a container, with 128 + the signal's number.
  const exit = code ?? 128 + (signal === null ? 0 : signalNumber(signal));
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exit}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exit) }] },
  };
}

function signalNumber(signal: string): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** Serves exec upgrades for `registry`'s pods; `authenticate` throws the API server's 401. */
export class ExecServer {
  readonly #registry: Registry;
  readonly #authenticate: (authorization: string | undefined) => void;
  readonly #wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => execProtocols.find((p) => offered.has(p)) ?? false });
  readonly #running = new Map<ChildProcess, string>();
  #unwatch: (() => void) | null = null;

  constructor(registry: Registry, authenticate: (authorization: string | undefined) => void) {
    this.#registry = registry;
    this.#authenticate = authenticate;
  }

  /** Follows the pods once the first exec starts: a deleted pod, or one no longer Running, ends its commands. */
  #watchPods(): void {
    this.#unwatch ??= watchPodEnds(this.#registry, (uid) => {
      for (const [child, of] of this.#running) if (of === uid) child.kill('SIGKILL');
    });
  }

  /** Handles an HTTP upgrade on an exec path (the caller checked the path): refuses with a Status, or runs the command. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let target: { uid: string; exec: ExecRequest };
    try {
      const { url, name, pod } = upgradedPod(this.#registry, this.#authenticate, req, path);
      const exec = execRequest(pod, name, url.searchParams);
      target = { uid: forwardablePod(pod, name).uid, exec };
    } catch (e) {
      refuseUpgrade(socket, e);
      return;
    }
    this.#watchPods();
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#run(ws, target.uid, target.exec));
  }

  /** Ends every command and connection. */
  close(): void {
    for (const child of this.#running.keys()) child.kill('SIGKILL');
    this.#running.clear();
    this.#unwatch?.();
    this.#unwatch = null;
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
  }

  #run(ws: WebSocket, uid: string, x: ExecRequest): void {
    const [program, ...args] = x.command;
    let child: ChildProcess;
    try {
      child = spawn(program ?? '', args, { cwd: x.workingDir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...x.env }, stdio: [x.stdin ? 'pipe' : 'ignore', x.stdout ? 'pipe' : 'ignore', x.stderr ? 'pipe' : 'ignore'] });
    } catch (e) {
      ws.send(frame(3, Buffer.from(JSON.stringify(execEndStatus(x.command, null, null, e instanceof Error ? e.message : String(e))))));
      ws.close();
      return;
    }
    this.#running.set(child, uid);
    let ended = false;
    const end = (code: number | null, signal: string | null, startError: string | null): void => {
      if (ended) return;
      ended = true;
      this.#running.delete(child);
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame(3, Buffer.from(JSON.stringify(execEndStatus(x.command, code, signal, startError)))));
      ws.close(1000);
    };
    child.stdout?.on('data', (d: Buffer) => ws.send(frame(1, d)));
    child.stderr?.on('data', (d: Buffer) => ws.send(frame(2, d)));
    child.stdin?.on('error', () => undefined);
    // The runtime's words for a program it cannot start.
    child.on('error', (e: NodeJS.ErrnoException) => end(null, null, e.code === 'ENOENT' ? `exec: "${program ?? ''}": executable file not found in $PATH` : e.message));
    child.on('close', (code, signal) => end(code, signal, null));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data.readUInt8(0);
      // v5: 255, stream closes that stream (stdin: the command reads its end).
      if (channel === 255 && ws.protocol === 'v5.channel.k8s.io') {
        if (data.readUInt8(1) === 0) child.stdin?.end();
        return;
      }
      if (channel === 0) child.stdin?.write(data.subarray(1));
    });
    ws.on('close', () => {
      // The client went away: the command's input ends, as kubectl's does; it runs to its end.
      child.stdin?.end();
    });
    ws.on('error', () => undefined);
  }
}
