/**
 * `@incident-cockpit/drill-cluster`: the one entry the app imports. The cluster itself (API
 * server, world, streams, backends) runs in its own process (`child.ts`, forked by the app) and
 * is reached the way real clients reach a cluster: the kubeconfig it writes, and its control API
 * (`DrillControlClient`). Nothing here imports a runtime module, so src/shared may re-export the
 * scenario names and the renderer's bundle stays clean.
 */
export * from './protocol';
export { DrillControlClient, DrillControlError } from './control-client';

/** The namespace the drill's workloads run in (the one the printed kubectl line uses). */
export const DRILL_NAMESPACE = 'codesign-production';

/** How to fork the drill's process: the module to run and the Node options it needs. */
export interface DrillChildModule {
  /** Absolute path of the module to fork. */
  modulePath: string;
  /** `execArgv` for the fork: a TypeScript loader when running from source, else nothing. */
  execArgv: string[];
}

/**
 * Where the drill's process entry is. Built, this module is bundled into `out/main/*.js` and the
 * child is `out/main/drill-child.js` beside it (scripts/build.mjs); from source (tests, tsx) it is
 * `child.ts` next to this file, run through tsx.
 */
export function drillChildModule(): DrillChildModule {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const url = new URL(fromSource ? './child.ts' : './drill-child.js', here);
  return { modulePath: decodeURIComponent(url.pathname), execArgv: fromSource ? ['--import', 'tsx'] : [] };
}
