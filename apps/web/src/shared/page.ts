import { useEffect } from 'preact/hooks';

/** Sets the tab's title for the page on screen (the first thing a screen reader announces). */
export function usePageTitle(title: string, app: string): void {
  useEffect(() => {
    document.title = `${title} · ${app}`;
  }, [title, app]);
}
