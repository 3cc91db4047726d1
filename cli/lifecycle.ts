import type { Logger } from 'pino';

/** Something started by the composition root that must be stopped on shutdown. */
export interface Stoppable {
  readonly name: string;
  stop(): Promise<void> | void;
}

/**
 * Stops components in reverse start order (consumers before the store they write to), each
 * given its share of the grace period; one failing stop does not keep the others running.
 */
export class Lifecycle {
  private readonly started: Stoppable[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  add(component: Stoppable): void {
    this.started.push(component);
  }

  stopAll(timeoutMs: number): Promise<void> {
    this.stopping ??= this.runStops(timeoutMs);
    return this.stopping;
  }

  private async runStops(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const component of [...this.started].reverse()) {
      const remainingMs = Math.max(1, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve(component.stop()),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`timed out after ${remainingMs} ms`)),
              remainingMs,
            );
          }),
        ]);
        this.logger.info({ component: component.name }, 'stopped');
      } catch (error) {
        this.logger.error({ component: component.name, err: error }, 'stop failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
