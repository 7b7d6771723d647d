/**
 * @module API clients that keep their connections alive. client-node 1.x builds a new
 * `https.Agent` (keep-alive off) for every request, so every call of the operator paid a TCP and
 * TLS handshake on both ends. A real controller does not: kube-rs (hyper) keeps a connection pool
 * per client. This wraps the kubeconfig's authentication, keeps everything it sets on the request
 * (headers, tokens, TLS material), and swaps the throw-away agent for a pooled keep-alive agent
 * built from the same options.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { createConfiguration, ServerConfiguration, type Configuration, type KubeConfig, type RequestContext, type SecurityAuthentication } from '@kubernetes/client-node';

/** How long an idle pooled connection is kept (below the sandbox API server's 65 s keep-alive). */
const idleMs = 30_000;

/** The options that decide which connection a request may reuse, as a comparable string. */
function agentKey(o: AgentOptions): string {
  const part = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString('base64') : Array.isArray(v) ? v.map(part) : v);
  return JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.passphrase, o.servername, o.rejectUnauthorized].map(part));
}

/**
 * The kubeconfig's authentication with pooled keep-alive agents. Only plain `http.Agent`s and
 * `https.Agent`s are swapped; proxy agents are left as client-node made them.
 */
export class PooledAuthentication implements SecurityAuthentication {
  readonly #kubeConfig: KubeConfig;
  readonly #agents = new Map<string, HttpAgent>();

  constructor(kubeConfig: KubeConfig) {
    this.#kubeConfig = kubeConfig;
  }

  getName(): string {
    return 'pooled-kubeconfig';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.#kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (fresh !== undefined) context.setAgent(this.pooledAgent(fresh));
  }

  /** The pooled keep-alive agent with `fresh`'s options (created once per distinct TLS options); proxy agents come back unchanged. */
  pooledAgent(fresh: HttpAgent): HttpAgent {
    // Exactly these classes: proxy agents (subclasses) are left alone.
    const https = fresh.constructor === HttpsAgent;
    if (!https && fresh.constructor !== HttpAgent) return fresh;
    const options: AgentOptions = fresh instanceof HttpsAgent ? fresh.options : {};
    const key = `${https ? 'https' : 'http'}:${agentKey(options)}`;
    let pooled = this.#agents.get(key);
    if (pooled === undefined) {
      // `timeout` closes idle pooled sockets only (Node's agent destroys a timed-out socket when it is free).
      const keep = { ...options, keepAlive: true, timeout: idleMs, scheduling: 'lifo' as const };
      pooled = https ? new HttpsAgent(keep) : new HttpAgent(keep);
      this.#agents.set(key, pooled);
    }
    return pooled;
  }

  /** Closes every pooled connection. */
  destroy(): void {
    for (const a of this.#agents.values()) a.destroy();
    this.#agents.clear();
  }
}

/** `kubeConfig.makeApiClient(type)`, but sharing `auth`'s pooled connections. */
export function makePooledApiClient<T>(kubeConfig: KubeConfig, auth: PooledAuthentication, apiClientType: new (config: Configuration) => T): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error('No active cluster!');
  return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: auth } }));
}
