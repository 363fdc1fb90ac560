import { useEffect } from 'react';

/** Keyboard shortcuts, ignored while typing in a field. */
export function useShortcuts(bindings: Record<string, () => void>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, textarea, select') || e.metaKey || e.ctrlKey || e.altKey) return;
      const action =
        bindings[e.key === ' ' ? 'Space' : e.key.length === 1 ? e.key.toLowerCase() : e.key];
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [bindings]);
}

export const SHORTCUTS: Array<[string, string]> = [
  ['Space', 'GO'],
  ['← / b', 'Back'],
  ['s', 'Standby on/off'],
  ['r', 'Start capture'],
  ['t', 'Stop capture'],
  ['m', 'Message phones'],
  ['w', 'Wall on stage / down'],
  ['x', 'Featured phone off screen'],
  ['[ / ]', 'Page of live tiles'],
];
