/**
 * Speculative execution: for an idempotent request, further executions start
 * on the plan's next hosts while the first is slow. They share the run's plan
 * and retry count; the first answer wins and only the winner is finished.
 * @module
 */

import { ConnectionError } from "../errors.ts";
import type { SpeculativeExecutionPolicy } from "../policies/speculative.ts";
import type { RequestObserver } from "../observability/observer.ts";
import type { Run } from "./run.ts";

/**
 * Runs `run` as speculative executions: starts one every `policy.delayMs`
 * (at most `policy.maxExecutions`) until one answers. The first answer wins,
 * is finished and ends the request; later ones are dropped.
 * @param run the request, its plan shared by every execution
 * @param policy how many executions, how far apart
 * @param observer told of each further execution and of the request's end
 * @throws {ScyllaError} a definite failure of any execution, or the last one when all ran out of hosts
 */
export function speculate<T, R>(
  run: Run<T, R>,
  policy: SpeculativeExecutionPolicy,
  observer: RequestObserver | null,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let running = 0;
    let started = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      run.done = true;
      clearTimeout(timer);
    };
    const start = () => {
      const fiber = started++;
      running++;
      if (fiber > 0) observer?.speculativeStart(run.state);
      run.execute(fiber).then(
        (v) => {
          if (!run.done) {
            finish();
            observer?.end(run.state, run.elapsed(), undefined, fiber > 0);
            resolve(run.finished(v as T));
          }
        },
        (e) => {
          running--;
          if (run.done) return;
          // A definite answer (e.g. a syntax error) ends the request; running out of hosts
          // ends it only when no other execution is still waiting for an answer.
          if (running === 0 || !(e instanceof ConnectionError)) {
            finish();
            observer?.end(run.state, run.elapsed(), e, false);
            reject(e);
          }
        },
      );
      if (started < policy.maxExecutions) {
        timer = setTimeout(() => !run.done && start(), policy.delayMs);
      }
    };
    start();
  });
}
