import { describeStartupError } from '../config/config.js';

/**
 * The runtimes' one start-up and shutdown path: run `main`; on failure print the start-up
 * error (its full message for configuration and module-graph errors) and exit 1; on the first
 * SIGTERM or SIGINT run `stop` once, then exit 0 (or 1 if stopping failed).
 */
export function runProcess(main: () => Promise<{ stop: (signal: string) => Promise<void> }>): void {
  main().then(
    ({ stop }) => {
      let stopping: Promise<void> | undefined;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          stopping ??= stop(signal);
          stopping.then(
            () => process.exit(0),
            (error: unknown) => {
              console.error(error);
              process.exit(1);
            },
          );
        });
      }
    },
    (error: unknown) => {
      console.error(describeStartupError(error));
      process.exit(1);
    },
  );
}
