import type { AuraMetrics } from '@aura/adapters/platform';
import type { RequestHandler } from 'express';

/**
 * Observes every response in the duration histogram, labelled by route pattern (never the
 * raw URL), and counts the requests in flight (what a graceful shutdown waits for).
 */
export function httpMetrics(metrics: AuraMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    metrics.httpRequestsInFlight.inc();
    // 'close' fires once per response, finished or aborted.
    res.once('close', () => metrics.httpRequestsInFlight.dec());
    res.on('finish', () => {
      const pattern = req.route?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
