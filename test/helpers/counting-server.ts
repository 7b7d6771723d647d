/** @module An HTTPS test server on loopback that counts TLS connections and remembers every request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { generateServingCert } from '../../src/targets/sandbox/apiserver/serving-cert.js';
import { kubeconfigYaml } from '../../src/targets/sandbox/apiserver/kubeconfig.js';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  authorization: string;
  contentType: string;
  body: string;
}

/** A running server: its URL, the CA that signed its certificate, what it saw, and close. */
export interface CountingServer {
  url: string;
  ca: string;
  seen: SeenRequest[];
  connections: () => number;
  close: () => Promise<void>;
}

/** Starts a server that answers with `answer` once each request's body is read. */
export async function startCountingServer(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<CountingServer> {
  const tls = await generateServingCert();
  const seen: SeenRequest[] = [];
  let connections = 0;
  const srv = createServer({ cert: tls.cert, key: tls.key, keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '', body });
      answer(req, body, res);
    });
  });
  srv.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: tls.cert,
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      }),
  };
}

/** A kubeconfig for `server` (namespace `ns`): `token`, a path prefix on its URL, and the CA to trust (default the server's own). */
export function kubeConfigFor(server: CountingServer, o: { token?: string; pathPrefix?: string; caCert?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server: `${server.url}${o.pathPrefix ?? ''}`, token: o.token ?? 't', namespace: 'ns', caCert: o.caCert ?? server.ca }));
  return kc;
}
