import { useShallow } from 'zustand/react/shallow';
import { routeHash } from '../state/route';
import { useCockpit } from '../state/store';
import { PANELS, panelLink, useCurrentPanel } from './panels';

export function Nav() {
  const current = useCurrentPanel().id;
  const hrefs = useCockpit(useShallow((s) => PANELS.map((panel) => routeHash(panelLink(panel, s)))));
  return (
    <nav className="nav" aria-label="Panels">
      <ul>
        {PANELS.map((panel, index) => {
          const available = panel.availability === 'available';
          return (
            <li key={panel.id}>
              <a
                href={hrefs[index]}
                className={`nav-link${current === panel.id ? ' active' : ''}${available ? '' : ' unavailable'}`}
                aria-current={current === panel.id ? 'page' : undefined}
                title={`${panel.label} (Alt+${panel.shortcut})${available ? '' : ' — not yet available'}`}
              >
                <span className="nav-label">{panel.label}</span>
                {available ? <kbd>{panel.shortcut}</kbd> : <span className="nav-soon">soon</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
