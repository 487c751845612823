import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Client } from '../shared/api.js';
import { usePageTitle } from '../shared/page.js';

export interface ConsoleSession {
  client: Client;
  signOut: (reason?: string) => void;
}

export const SessionContext = createContext<ConsoleSession | null>(null);

export function useSession(): ConsoleSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export const useConsoleTitle = (title: string) => usePageTitle(title, 'IHF operator console');
