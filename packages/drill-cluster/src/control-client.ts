/**
 * The client half of the drill's control API, as the app uses it: plain `fetch` to
 * `http://127.0.0.1:<port>` with the bearer token the drill's process announced. No runtime
 * imports, so it runs wherever `fetch` does.
 */
import type { DrillControlState, ScenarioName } from './protocol';

/** A control API call that failed: HTTP status (0 when unreachable) and the server's message. */
export class DrillControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DrillControlError';
  }
}

export class DrillControlClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  state(signal?: AbortSignal): Promise<DrillControlState> {
    return this.call('GET', '/v1/state', undefined, signal);
  }

  /**
   * Long-poll: answers as soon as the state's version is past `afterVersion`, or with the current
   * state after `waitMs` (the server caps it). Call it in a loop to follow changes live.
   */
  next(afterVersion: number, waitMs = 25_000, signal?: AbortSignal): Promise<DrillControlState> {
    return this.call('GET', `/v1/state?after=${afterVersion}&waitMs=${waitMs}`, undefined, signal);
  }

  setScenario(name: ScenarioName, active: boolean): Promise<DrillControlState> {
    return this.call('PUT', `/v1/scenarios/${encodeURIComponent(name)}`, { active });
  }

  /** Back to the seed: every object, the rollout history, the clock and the scenarios. */
  reset(): Promise<DrillControlState> {
    return this.call('POST', '/v1/reset', {});
  }

  private async call(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<DrillControlState> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new DrillControlError(0, `the drill control API at ${this.url} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new DrillControlError(response.status, message || `HTTP ${response.status}`);
    }
    return JSON.parse(text) as DrillControlState;
  }
}
