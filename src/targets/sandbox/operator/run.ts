/** @module Runs the operator twin as its own process: kubeconfig from a file, `/metrics` on its own port. */
import { createServer, type Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { createOperator, type Operator, type OperatorOptions } from './operator.js';

/** Options of {@link runOperator}. */
export interface RunOperatorOptions extends Omit<OperatorOptions, 'kubeConfig' | 'sidecar'> {
  readonly kubeconfigPath: string;
  readonly sidecarUrl: string;
  readonly token: string;
  /** Port of `/metrics` on 127.0.0.1 (bindy: 8080); 0 picks a free one. */
  readonly metricsPort?: number;
}

/** A running operator process part. */
export interface RunningOperator {
  readonly operator: Operator;
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly metricsUrl: string;
  close(): Promise<void>;
}

/** Loads the kubeconfig, starts the operator and its metrics listener. */
export async function runOperator(options: RunOperatorOptions): Promise<RunningOperator> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.kubeconfigPath);
  const { kubeconfigPath: _k, sidecarUrl, token, metricsPort, ...rest } = options;
  const operator = createOperator({ ...rest, kubeConfig, sidecar: { url: sidecarUrl, token } });
  const server: Server = createServer(operator.metricsHandler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(metricsPort ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  try {
    await operator.start();
  } catch (error) {
    await new Promise((r) => server.close(r));
    throw error;
  }
  return {
    operator,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    close: async () => {
      await operator.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
