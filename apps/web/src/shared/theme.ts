import { useEffect, useState } from 'preact/hooks';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'ihf-theme';
const listeners = new Set<() => void>();

function apply(choice: ThemeChoice) {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  for (const l of listeners) l();
}

/** Applies the stored choice; called once before the first render. */
export function initTheme(): void {
  const stored = localStorage.getItem(KEY);
  apply(stored === 'light' || stored === 'dark' ? stored : 'system');
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => listeners.forEach((l) => l()));
}

export function setTheme(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  apply(choice);
}

export function currentTheme(): ThemeChoice {
  const t = document.documentElement.dataset.theme;
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** A number that changes whenever the colours in use change (a choice, or the system's scheme). */
export function useSchemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    listeners.add(bump);
    return () => void listeners.delete(bump);
  }, []);
  return version;
}
