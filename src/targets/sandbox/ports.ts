/** @module Free loopback ports for sandbox servers: a port is handed out only if both TCP and UDP are free. */
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { TargetNotReadyError } from '../../errors.js';

/** Loopback address every sandbox server binds to. */
export const loopback = '127.0.0.1';

function listenTcp(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: loopback, port, exclusive: true }, () => resolve(server));
  });
}

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address: loopback, port, exclusive: true }, () => resolve(socket));
  });
}

function closeTcp(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function closeUdp(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * Returns `count` distinct ports on 127.0.0.1 that were free for both TCP and UDP at the time of the
 * call (DNS needs both). Every probe socket stays open until all ports are found, so no port is
 * returned twice; they are all closed before returning. Another process can still take a port
 * before the caller binds it, so callers that start a server should retry on EADDRINUSE.
 */
export async function freePorts(count: number, maxAttempts = 50): Promise<number[]> {
  const held: { tcp: Server; udp: Socket }[] = [];
  try {
    let attempts = 0;
    while (held.length < count) {
      if (attempts++ >= maxAttempts * count) {
        throw new TargetNotReadyError(`no free TCP+UDP port pair on ${loopback} after ${attempts - 1} attempts`);
      }
      const tcp = await listenTcp(0);
      if (tcp === undefined) continue;
      const address = tcp.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const udp = port === 0 ? undefined : await bindUdp(port);
      if (udp === undefined) {
        await closeTcp(tcp);
        continue;
      }
      held.push({ tcp, udp });
    }
    return held.map(({ tcp }) => {
      const address = tcp.address();
      return typeof address === 'object' && address !== null ? address.port : 0;
    });
  } finally {
    await Promise.all(held.flatMap(({ tcp, udp }) => [closeTcp(tcp), closeUdp(udp)]));
  }
}

/** One free TCP+UDP port on 127.0.0.1 (see {@link freePorts}). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new TargetNotReadyError('freePorts returned no port');
  return port;
}
