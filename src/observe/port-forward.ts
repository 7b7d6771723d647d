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

/** A port-forward listening on 127.0.0.1. */
export interface OpenPortForward {
  host: '127.0.0.1';
  port: number;
  /** Connections carried so far. */
  readonly connections: number;
  /** The last error a connection met (the API server's refusal, the kubelet's error channel), if any. */
  readonly lastError: string | null;
  /** Stops listening and ends every carried connection. */
  close(): Promise<void>;
}

/** Minimal view of the WebSocket client-node returns (the `ws` package's in Node). */
interface ForwardSocket {
  close(): void;
  on?(event: 'close', listener: () => void): void;
}

/** Opens a listener on 127.0.0.1 (a free port) forwarding each connection to `pod`'s `port` in `namespace`. */
export async function openPortForward(kubeConfig: KubeConfig, namespace: string, pod: string, port: number): Promise<OpenPortForward> {
  const forward = new PortForward(kubeConfig);
  const open = new Set<Socket>();
  let connections = 0;
  let lastError: string | null = null;
  const server: Server = createServer((local) => {
    connections++;
    open.add(local);
    local.on('error', () => undefined);
    const errors = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = chunk.toString('utf8').trim();
        if (text !== '') lastError = text;
        done();
      },
    });
    forward.portForward(namespace, pod, [port], local, errors, local).then(
      (ws) => {
        const socket = ws as unknown as ForwardSocket | (() => ForwardSocket | null);
        // retryCount 0: the WebSocket itself; its end is the connection's end.
        if (typeof socket !== 'function') socket.on?.('close', () => local.destroy());
        local.once('close', () => {
          open.delete(local);
          if (typeof socket !== 'function') socket.close();
        });
      },
      (e: unknown) => {
        // The WebSocket's error event (an object with a message), e.g. "Unexpected server response: 404".
        lastError = e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : String(e);
        open.delete(local);
        local.destroy();
      },
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}
