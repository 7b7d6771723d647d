/**
 * @module `pods/{name}/portforward` over WebSocket, as kube-apiserver serves it (proxied to the
 * kubelet's streaming server): the channel protocol `v4.channel.k8s.io`, binary. Per requested port
 * a data channel (2i) and an error channel (2i+1), each opened by a frame carrying the port
 * (uint16, little-endian); every frame is its channel's byte, then the bytes. The twin's kubelet
 * connects to the pod's `status.podIP` at the port: the pods a test creates say where their process
 * listens (loopback on the sandbox). Refused before the upgrade, with a Status, where Kubernetes
 * refuses: no such pod (404), a pod with no node (400, the API server's own words), a pod not
 * Running, no or bad `ports` (400). What the kubelet writes on an error channel is the same shape:
 * `error forwarding port P to pod NAME, uid UID: ...`. A pod deleted, or no longer Running, ends
 * its forwarded connections, as the end of its containers does on a node.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiStatusError, failure } from './status.js';
import type { Registry } from './registry.js';
import { refuseUpgrade, upgradedPod, watchPodEnds } from './pod-stream.js';
import type { KubeObject } from './store.js';

/** The channel protocol the kubelet's port-forward speaks over WebSocket (binary frames). */
export const portForwardProtocol = 'v4.channel.k8s.io';

const path = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;

/** Whether `pathname` is a pod's portforward subresource. */
export function isPortForwardPath(pathname: string): boolean {
  return path.test(pathname);
}

/** The ports of a portforward request (`?ports=53&ports=8080` or `ports=53,8080`), or a 400 (pure). */
export function requestedPorts(params: URLSearchParams): number[] {
  const raw = params.getAll('ports').flatMap((p) => p.split(','));
  if (raw.length === 0) throw new ApiStatusError(failure(400, 'BadRequest', 'at least one port must be specified'));
  return raw.map((p) => {
    const n = Number(p.trim());
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ApiStatusError(failure(400, 'BadRequest', `invalid port "${p}"`));
    return n;
  });
}

/** The pod a portforward may reach, or the refusal Kubernetes gives (pure). */
export function forwardablePod(pod: KubeObject, name: string): { podIP: string; uid: string } {
  const spec = (pod as { spec?: { nodeName?: unknown } }).spec;
  const status = (pod as { status?: { phase?: unknown; podIP?: unknown } }).status;
  if (typeof spec?.nodeName !== 'string' || spec.nodeName === '') throw new ApiStatusError(failure(400, 'BadRequest', `pod ${name} does not have a host assigned`));
  if (status?.phase !== 'Running' || typeof status.podIP !== 'string' || status.podIP === '') {
    throw new ApiStatusError(failure(400, 'BadRequest', `unable to upgrade connection: pod ${name} is not running (phase ${typeof status?.phase === 'string' ? status.phase : 'unknown'})`));
  }
  return { podIP: status.podIP, uid: pod.metadata.uid ?? '' };
}

/** A frame: the channel's byte, then `data`. */
function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

function portBytes(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

/** Serves portforward upgrades for `registry`'s pods; `authenticate` throws the API server's 401. */
export class PortForwardServer {
  readonly #registry: Registry;
  readonly #authenticate: (authorization: string | undefined) => void;
  readonly #wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(portForwardProtocol) ? portForwardProtocol : false) });
  readonly #open = new Set<WebSocket>();
  /** Open bridges by the pod's uid: a pod deleted or no longer Running ends them, as its container's end does on a node. */
  readonly #byPod = new Map<string, Set<WebSocket>>();
  #unwatch: (() => void) | null = null;

  constructor(registry: Registry, authenticate: (authorization: string | undefined) => void) {
    this.#registry = registry;
    this.#authenticate = authenticate;
  }

  /** Follows the pods once the first forward opens: a deleted pod, or one no longer Running, ends its forwarded connections. */
  #watchPods(): void {
    this.#unwatch ??= watchPodEnds(this.#registry, (uid) => {
      for (const ws of this.#byPod.get(uid) ?? []) ws.terminate();
    });
  }

  /** Handles an HTTP upgrade on a portforward path (the caller checked the path): refuses with a Status, or bridges. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let target: { podIP: string; uid: string; name: string; ports: number[] };
    try {
      const { url, name, pod } = upgradedPod(this.#registry, this.#authenticate, req, path);
      const ports = requestedPorts(url.searchParams);
      target = { ...forwardablePod(pod, name), name, ports };
    } catch (e) {
      refuseUpgrade(socket, e);
      return;
    }
    this.#watchPods();
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#bridge(ws, target));
  }

  /** Closes every forwarded connection. */
  close(): void {
    for (const ws of this.#open) ws.terminate();
    this.#open.clear();
    this.#byPod.clear();
    this.#unwatch?.();
    this.#unwatch = null;
    this.#wss.close();
  }

  #bridge(ws: WebSocket, t: { podIP: string; uid: string; name: string; ports: number[] }): void {
    this.#open.add(ws);
    const mine = this.#byPod.get(t.uid) ?? new Set<WebSocket>();
    mine.add(ws);
    this.#byPod.set(t.uid, mine);
    const conns: Socket[] = [];
    t.ports.forEach((port, i) => {
      ws.send(frame(2 * i, portBytes(port)));
      ws.send(frame(2 * i + 1, portBytes(port)));
      const c = connect({ host: t.podIP, port });
      conns.push(c);
      c.on('data', (d: Buffer) => ws.send(frame(2 * i, d)));
      c.on('error', (e) => {
        ws.send(frame(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${t.name}, uid ${t.uid}: ${e.message}`)));
        ws.close();
      });
      c.on('close', () => ws.close());
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data.readUInt8(0);
      // Data goes on a port's data channel; the error channels are the server's to write.
      const c = channel % 2 === 0 ? conns[channel / 2] : undefined;
      c?.write(data.subarray(1));
    });
    ws.on('close', () => {
      this.#open.delete(ws);
      mine.delete(ws);
      if (mine.size === 0 && this.#byPod.get(t.uid) === mine) this.#byPod.delete(t.uid);
      for (const c of conns) c.destroy();
    });
    ws.on('error', () => undefined);
  }
}
