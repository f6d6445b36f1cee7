import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
  server.on('clientError', answerClientError);
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

/**
 * Requests Node refuses before Express sees them (a request line or headers past Node's limit,
 * a malformed request) get problem+json like every other answer: `431` for oversized headers
 * (a long query string included), `400` otherwise. Node's own answer has no body.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({
    type: `urn:aura:problem:${tooLarge ? 'request_header_fields_too_large' : 'bad_request'}`,
    title: tooLarge ? 'Request header fields too large' : 'Bad request',
    status,
    detail: tooLarge
      ? 'the request line or headers (a query string included) are larger than the server reads'
      : 'the request could not be parsed as HTTP',
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/problem+json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
