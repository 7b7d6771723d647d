/** @module Standalone runner of the sandbox API server: listen, write a kubeconfig, stop on request. */
import { createApiServer, type ApiServer, type ApiServerOptions } from './api-server.js';
import { defaultResources } from './default-resources.js';
import { writeKubeconfig } from './kubeconfig.js';

/** Options of runApiServer. */
export interface RunApiServerOptions extends ApiServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Where to write the kubeconfig (omit to write none). */
  kubeconfigPath?: string;
  /** Default namespace of the kubeconfig context. */
  namespace?: string;
  /** Serve HTTPS with a self-signed certificate (default true: kubectl sends tokens only over TLS). */
  tls?: boolean;
}

/** A running server. */
export interface RunningApiServer {
  server: ApiServer;
  url: string;
  port: number;
  token: string;
  /** PEM of the serving certificate when TLS is on. */
  caCert: string | undefined;
  kubeconfigPath: string | undefined;
  /** Stops listening and ends every watch. */
  stop(): Promise<void>;
}

/**
 * Starts the API server on 127.0.0.1 with bindy's schema validation and, when asked, writes a
 * kubeconfig for it. The caller decides when to stop (a process wrapper stops on SIGTERM).
 */
export async function runApiServer(options: RunApiServerOptions = {}): Promise<RunningApiServer> {
  const { port, kubeconfigPath, namespace, tls, ...serverOptions } = options;
  const server = createApiServer({ resources: defaultResources(), ...serverOptions });
  const listening = await server.listen({ host: '127.0.0.1', port: port ?? 0, tls: tls ?? true });
  if (kubeconfigPath !== undefined) {
    await writeKubeconfig(kubeconfigPath, {
      server: listening.url,
      token: server.token,
      ...(namespace ? { namespace } : {}),
      ...(listening.caCert ? { caCert: listening.caCert } : {}),
    });
  }
  return { server, url: listening.url, port: listening.port, token: server.token, caCert: listening.caCert, kubeconfigPath, stop: () => listening.close() };
}
