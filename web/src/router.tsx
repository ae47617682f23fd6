import { useSyncExternalStore } from 'react';

/** A minimal history router: the server answers every non-API path with index.html. */
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

export function navigate(path: string, replace = false): void {
  if (window.location.pathname === path) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export const usePath = (): string => useSyncExternalStore(subscribe, () => window.location.pathname);

export const ROUTES = {
  login: '/login',
  password: '/password',
  catalog: '/catalog',
  search: '/search',
  users: '/users',
  rights: '/rights',
  audit: '/audit',
  preservation: '/preservation',
  transfers: '/transfers',
} as const;
