/**
 * @module A command run in a pod's container through the API server, as `kubectl exec` runs it
 * (client-node's `Exec`: a WebSocket to `pods/{name}/exec`, the kubelet's channel protocol), its
 * output collected and its exit code read from the Status the kubelet ends it with. Bounded in
 * time: a command that does not end is abandoned (its connection closed) with an error.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { CoreV1Api, Exec, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';

/** How a command run in a container ended. */
export interface ExecResult {
  /** 0 on success; the command's own exit code otherwise. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The exit code a kubelet's end Status carries (pure): 0 for Success; the ExitCode cause of a NonZeroExitCode; null when the Status says the command did not run. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return null;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) ? n : null;
}

/** Collects what a stream writes, up to `limit` bytes (the rest is counted, not kept). */
class Collector extends Writable {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  #dropped = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    const room = Math.max(0, this.limit - this.#kept);
    if (room > 0) this.#chunks.push(chunk.subarray(0, room));
    this.#kept += Math.min(room, chunk.length);
    this.#dropped += Math.max(0, chunk.length - room);
    done();
  }
  text(): string {
    const t = Buffer.concat(this.#chunks).toString('utf8');
    return this.#dropped > 0 ? `${t}… (${this.#dropped} more bytes)` : t;
  }
}

/** The channel protocols offered, newest first (v5 closes one stream at a time; kube-apiserver ≥ 1.30). */
const execProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

/** The API server's words when it refuses an upgrade (its Status's message), else the HTTP status (pure). */
export function refusalText(statusCode: number | undefined, body: string): string {
  try {
    const s = JSON.parse(body) as { message?: unknown };
    if (typeof s.message === 'string' && s.message !== '') return `${statusCode ?? ''} ${s.message}`.trim();
  } catch {
    // Not a Status: the code says it.
  }
  return `HTTP ${statusCode ?? 'error'}${body.trim() === '' ? '' : `: ${body.trim().slice(0, 200)}`}`;
}

/**
 * client-node's WebSocket connection for Exec, with the API server's refusal read: its own handler
 * reports only "Unexpected server response: 400", and the Status says why (no such container, pod
 * not running, RBAC).
 */
class ExecSocket {
  constructor(private readonly kubeConfig: KubeConfig) {}
  async connect(path: string, _text: ((text: string) => boolean) | null, binary: ((stream: number, buff: Buffer) => boolean) | null): Promise<WebSocket> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster === null) throw new Error('the kubeconfig names no current cluster');
    // The server's own path is kept (an API server behind a proxy has one), as client-node does.
    const url = `${cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
    const opts: WebSocket.ClientOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, execProtocols, opts);
      ws.once('open', () => resolve(ws));
      // Before the open: the connection failed; after it, execInPod's own listener hears it.
      ws.on('error', reject);
      ws.on('unexpected-response', (req, res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          req.destroy();
          reject(new Error(refusalText(res.statusCode, body)));
        });
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        // 255 closes one stream (v5): the end Status on channel 3 is what ends the command here.
        if (!isBinary || data.length === 0 || binary === null || data.readUInt8(0) === 255) return;
        if (!binary(data.readUInt8(0), data.subarray(1))) ws.close();
      });
    });
  }
}

/** Where and what to run. */
export interface ExecOptions {
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
  /** Abandon the command after this long, ms. */
  timeoutMs: number;
  /** At most this many bytes of each of stdout and stderr are kept (default 64 KiB). */
  outputLimit?: number;
  /**
   * Bytes sent to the command's stdin. Stdin is never closed (over v4 closing it closes the whole
   * connection before the command's end is said), so the command must read exactly these bytes
   * (e.g. `head -c N`) and not wait for its end.
   */
  stdin?: Buffer;
}

/** Stdin frames are at most this long (a zone file of many MiB goes as many frames, not one). */
const stdinChunkBytes = 256 * 1024;

/** A stream that gives `data` in chunks and never ends (see {@link ExecOptions.stdin}). */
function stdinOf(data: Buffer): PassThrough {
  const s = new PassThrough();
  for (let at = 0; at < data.length; at += stdinChunkBytes) s.write(data.subarray(at, at + stdinChunkBytes));
  return s;
}

/**
 * Runs `command` in the container and resolves with its exit code and output; rejects when it
 * could not be run (no such pod or container, no permission: the API server's words), when the
 * connection ended without the command's end, or after `timeoutMs`.
 */
export async function execInPod(kubeConfig: KubeConfig, o: ExecOptions): Promise<ExecResult> {
  const stdout = new Collector(o.outputLimit ?? 65_536);
  const stderr = new Collector(o.outputLimit ?? 65_536);
  const where = `${o.namespace}/${o.pod} (container ${o.container})`;
  let status: V1Status | null = null;
  const stdin = o.stdin === undefined ? null : stdinOf(o.stdin);
  const ws = await new Exec(kubeConfig, new ExecSocket(kubeConfig))
    .exec(o.namespace, o.pod, o.container, [...o.command], stdout, stderr, stdin, false, (s) => {
      status = s;
    })
    .catch((e: unknown) => {
      stdin?.destroy();
      throw new Error(`exec in ${where} refused: ${e instanceof Error ? e.message : String(e)}`);
    });
  const ended = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`exec in ${where}: ${o.command.join(' ')} did not end within ${Math.round(o.timeoutMs / 1000)} s`));
    }, o.timeoutMs);
    ws.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.on('error', (e: Error) => {
      clearTimeout(timer);
      reject(new Error(`exec in ${where}: ${e.message}`));
    });
  });
  // What the command did not read is dropped with the connection.
  await ended.finally(() => stdin?.destroy());
  const end = status as V1Status | null;
  if (end === null) throw new Error(`exec in ${where}: the connection closed before the command's end was said`);
  const code = exitCodeOf(end);
  if (code === null) throw new Error(`exec in ${where}: ${end.message ?? end.reason ?? 'the command did not run'}`);
  return { exitCode: code, stdout: stdout.text(), stderr: stderr.text() };
}

/** One line for a command that ended with a non-zero exit (pure): what it was, its code, the last two lines it said (stderr, else stdout). */
export function execFailedText(what: string, r: ExecResult): string {
  const said = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-2).join('; ');
  return `${what} exited ${r.exitCode}${said === '' ? '' : `: ${said}`}`;
}

/** The pod a run worked in, if it is still that pod (same uid); `deleted` or `replaced` (a new pod of that name) when not. Other read errors are thrown. */
export async function samePod(kubeConfig: KubeConfig, p: { namespace: string; pod: string; podUid: string }): Promise<V1Pod | 'deleted' | 'replaced'> {
  try {
    const pod = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedPod({ name: p.pod, namespace: p.namespace });
    return pod.metadata?.uid === p.podUid ? pod : 'replaced';
  } catch (e) {
    if (typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 404) return 'deleted';
    throw e;
  }
}
