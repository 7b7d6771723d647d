/** @module Standalone runner of the sandbox API server: listen, write a kubeconfig, stop on request. */
import { randomBytes } from 'node:crypto';
import { createApiServer, type ApiServer, type ApiServerOptions } from './api-server.js';
import { bindyServiceAccount, serviceAccountUser } from './identities.js';
import type { BindyLine } from '../../../model/kinds.js';
import { defaultResources } from './default-resources.js';
import { writeKubeconfig } from './kubeconfig.js';

/** Options of runApiServer. */
export interface RunApiServerOptions extends ApiServerOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Where to write the kubeconfig (omit to write none). */
  kubeconfigPath?: string;
  /**
   * Where to write the operator twin's kubeconfig: a token of its own that authenticates as bindy's
   * ServiceAccount (system:serviceaccount:bindy-system:bindy), so APF and the API server tell its
   * requests from the tool's. Omit to write none (and accept no such token).
   */
  operatorKubeconfigPath?: string;
  /** Default namespace of the kubeconfig context. */
  namespace?: string;
  /** Serve HTTPS with a self-signed certificate (default true: kubectl sends tokens only over TLS). */
  tls?: boolean;
  /** Whose CRDs are installed: bindy's 0.6 line (12 kinds, the default) or 0.8 (13, with PTRRecord). */
  bindyLine?: BindyLine;
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
  operatorKubeconfigPath: string | undefined;
  /** Stops listening and ends every watch. */
  stop(): Promise<void>;
}

/**
 * Starts the API server on 127.0.0.1 with bindy's schema validation and, when asked, writes a
 * kubeconfig for it. The caller decides when to stop (a process wrapper stops on SIGTERM).
 */
export async function runApiServer(options: RunApiServerOptions = {}): Promise<RunningApiServer> {
  const { port, kubeconfigPath, operatorKubeconfigPath, namespace, tls, bindyLine, ...serverOptions } = options;
  const operatorToken = operatorKubeconfigPath === undefined ? undefined : randomBytes(32).toString('hex');
  const identities = [...(serverOptions.identities ?? []), ...(operatorToken === undefined ? [] : [{ token: operatorToken, user: serviceAccountUser(bindyServiceAccount) }])];
  const server = createApiServer({ resources: defaultResources(bindyLine), ...serverOptions, identities });
  const listening = await server.listen({ host: '127.0.0.1', port: port ?? 0, tls: tls ?? true });
  const write = (path: string, token: string): Promise<void> =>
    writeKubeconfig(path, {
      server: listening.url,
      token,
      ...(namespace ? { namespace } : {}),
      ...(listening.caCert ? { caCert: listening.caCert } : {}),
    });
  if (kubeconfigPath !== undefined) await write(kubeconfigPath, server.token);
  if (operatorKubeconfigPath !== undefined && operatorToken !== undefined) await write(operatorKubeconfigPath, operatorToken);
  return { server, url: listening.url, port: listening.port, token: server.token, caCert: listening.caCert, kubeconfigPath, operatorKubeconfigPath, stop: () => listening.close() };
}
