import { routeHash } from '../state/route';
import { useCockpit } from '../state/store';
import { PANELS } from './panels';

export function Nav() {
  const current = useCockpit((s) => s.route.panel);
  return (
    <nav className="nav" aria-label="Panels">
      <ul>
        {PANELS.map((panel) => (
          <li key={panel.id}>
            <a
              href={routeHash({ panel: panel.id })}
              className={`nav-link${current === panel.id ? ' active' : ''}${panel.available ? '' : ' unavailable'}`}
              aria-current={current === panel.id ? 'page' : undefined}
              title={`${panel.label} (Alt+${panel.key})${panel.available ? '' : ' — not yet available'}`}
            >
              <span className="nav-label">{panel.label}</span>
              {panel.available ? <kbd>{panel.key}</kbd> : <span className="nav-soon">soon</span>}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
