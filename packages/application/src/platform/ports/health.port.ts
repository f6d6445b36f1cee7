export type HealthState = 'up' | 'down';

export interface HealthReport {
  readonly status: HealthState;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * One dependency or module that readiness depends on. Bind any number under the
 * `HealthIndicator` token; `/health/ready` is 503 when any reports `down`.
 */
export interface HealthIndicator {
  readonly name: string;
  check(): Promise<HealthReport>;
}
export const HealthIndicator = Symbol.for('aura.platform.HealthIndicator');
