import type { Me } from '@ihf/contract';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Client } from '../shared/api.js';
import { usePageTitle } from '../shared/page.js';

export interface PortalSession {
  client: Client;
  me: Me;
  signOut: () => void;
}

export const SessionContext = createContext<PortalSession | null>(null);

export function useSession(): PortalSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside an open portal');
  return session;
}

export const usePortalTitle = (title: string) => usePageTitle(title, 'IHF developer portal');
