/**
 * @module A port-forward opened by the tool itself, as `kubectl port-forward pod/NAME PORT` does:
 * a listener on 127.0.0.1 whose every accepted connection is carried to the pod's port through the
 * API server (client-node's `PortForward`: a WebSocket to `pods/{name}/portforward`, the kubelet's
 * `v4.channel.k8s.io` channels). TCP only, as every port-forward. A connection the pod's side ends
 * (the WebSocket closes) ends the local one, so a client sees the close and can connect again (the
 * client's own handler does not). What the kubelet writes on the error channel (a refused port) is
 * kept as the last error.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { PortForward, type KubeConfig } from '@kubernetes/client-node';

/** Where a forwarded connection goes: a pod and its port. */
export interface ForwardTarget {
  pod: string;
  port: number;
}

/** A port-forward listening on 127.0.0.1. */
export interface OpenPortForward {
  host: '127.0.0.1';
  port: number;
  /** Connections carried so far. */
  readonly connections: number;
  /** The last error a connection met (the API server's refusal, the kubelet's error channel, no pod to go to), if any. */
  readonly lastError: string | null;
  /** Every pod a connection was carried to, in the order first used (more than one: the pod was replaced during the run). */
  readonly pods: readonly string[];
  /** Stops listening and ends every carried connection. */
  close(): Promise<void>;
}

/** Minimal view of the WebSocket client-node returns (the `ws` package's in Node). */
interface ForwardSocket {
  close(): void;
  on?(event: 'close', listener: () => void): void;
}

function messageOf(e: unknown): string {
  // The WebSocket's error event is an object with a message ("Unexpected server response: 404").
  return e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : String(e);
}

/**
 * Opens a listener on 127.0.0.1 (a free port) forwarding each connection into `namespace`: to a
 * fixed pod and port, or to where `to()` says at the time of each connection (a Service's current
 * pod: a pod the run's faults replace is followed, where `kubectl port-forward svc/…` stays on the
 * pod it chose first). A `to()` that throws ends that connection and becomes the last error.
 */
export async function openPortForward(kubeConfig: KubeConfig, namespace: string, to: ForwardTarget | (() => Promise<ForwardTarget>)): Promise<OpenPortForward> {
  const forward = new PortForward(kubeConfig);
  const open = new Set<Socket>();
  const pods: string[] = [];
  let connections = 0;
  let lastError: string | null = null;
  const fail = (local: Socket, e: unknown): void => {
    lastError = messageOf(e);
    open.delete(local);
    local.destroy();
  };
  const carry = (local: Socket, target: ForwardTarget): void => {
    if (!pods.includes(target.pod)) pods.push(target.pod);
    const errors = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = chunk.toString('utf8').trim();
        if (text !== '') lastError = text;
        done();
      },
    });
    forward.portForward(namespace, target.pod, [target.port], local, errors, local).then(
      (ws) => {
        const socket = ws as unknown as ForwardSocket | (() => ForwardSocket | null);
        // retryCount 0: the WebSocket itself; its end is the connection's end.
        if (typeof socket !== 'function') socket.on?.('close', () => local.destroy());
        if (local.destroyed) {
          if (typeof socket !== 'function') socket.close();
          return;
        }
        local.once('close', () => {
          open.delete(local);
          if (typeof socket !== 'function') socket.close();
        });
      },
      (e: unknown) => fail(local, e),
    );
  };
  const server: Server = createServer((local) => {
    connections++;
    open.add(local);
    local.on('error', () => undefined);
    if (typeof to !== 'function') {
      carry(local, to);
      return;
    }
    // Bytes the client writes while the pod is looked up wait in the socket (no 'data' listener yet: not flowing).
    to().then(
      (target) => {
        if (local.destroyed) return;
        carry(local, target);
      },
      (e: unknown) => fail(local, e),
    );
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    get lastError() {
      return lastError;
    },
    get pods() {
      return pods;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}
