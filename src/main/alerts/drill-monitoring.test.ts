import { describe, expect, it } from 'vitest';
import { withDrillMonitoring } from './drill-monitoring';

describe('the drill’s own Prometheus', () => {
  it('is asked for by default, with the rules file, keeping the other child options', () => {
    expect(withDrillMonitoring({ child: { postgres: 'none' } }, {}, '/app/resources/prometheus/codesign-alerts.yml')).toEqual({
      child: { postgres: 'none', monitoring: { rulesFile: '/app/resources/prometheus/codesign-alerts.yml' } },
    });
    expect(withDrillMonitoring(undefined, { COCKPIT_DRILL_SCRAPE_SECONDS: '5' }, '/r.yml')?.child?.monitoring).toEqual({ rulesFile: '/r.yml', scrapeIntervalSeconds: 5 });
    expect(withDrillMonitoring(undefined, { COCKPIT_DRILL_SCRAPE_SECONDS: '0.001' }, '/r.yml')?.child?.monitoring).toEqual({ rulesFile: '/r.yml' });
  });

  it('is not started when switched off or when a Prometheus is already named for the drill', () => {
    const options = { child: { postgres: 'none' as const } };
    expect(withDrillMonitoring(options, { COCKPIT_DRILL_MONITORING: 'off' }, '/r.yml')).toBe(options);
    expect(withDrillMonitoring(options, { COCKPIT_PROMETHEUS_URL: 'http://127.0.0.1:9090' }, '/r.yml')).toBe(options);
  });
});
