import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Aura } from '@aura/adapters/platform';
import type { Express } from 'express';

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** Stops accepting connections and waits (up to the timeout) for requests in flight. */
  close(): Promise<void>;
}

/** Listens on HOST:PORT; `close()` drains in-flight requests, then drops idle keep-alive connections. */
export async function startHttpServer(aura: Aura, app: Express): Promise<RunningServer> {
  const server = createServer(app);
  // Longer than the usual load-balancer idle timeout (60 s), so the balancer closes idle
  // connections first and never sends a request on one this server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(aura.config.PORT, aura.config.HOST, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), aura.config.SHUTDOWN_TIMEOUT_MS);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
