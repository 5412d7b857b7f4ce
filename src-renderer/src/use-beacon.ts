import { useEffect, useState } from 'react';
import type { BeaconEvent, BeaconSnapshot } from '../../src-main/core/contract/types.js';
import type { LinkState, UiClient } from './transport/index.js';
import { errorMessage } from './format.js';

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** The snapshot (refetched on every (re)connection, then kept current by 'snapshot' events), the link and notices. */
export function useBeacon(client: UiClient): {
  snapshot: BeaconSnapshot | null;
  link: LinkState;
  loadError: string | null;
  notices: Notice[];
  dismissNotice(id: number): void;
  addNotice(level: Notice['level'], message: string): void;
} {
  const [snapshot, setSnapshot] = useState<BeaconSnapshot | null>(null);
  const [link, setLink] = useState<LinkState>(client.link());
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);

  const addNotice = (level: Notice['level'], message: string): void => {
    const id = Date.now() + Math.random();
    setNotices((list) => [...list.slice(-3), { id, level, message }]);
    // Information fades; warnings and errors stay until dismissed.
    if (level === 'info') setTimeout(() => setNotices((list) => list.filter((notice) => notice.id !== id)), 8000);
  };

  useEffect(() => {
    const offEvents = client.subscribe((event: BeaconEvent) => {
      if (event.type === 'snapshot') setSnapshot(event.snapshot);
      else if (event.type === 'notice') addNotice(event.level, event.message);
    });
    const offLink = client.onLink(setLink);
    // The link may have changed between the first render and this subscription.
    setLink(client.link());
    return () => {
      offEvents();
      offLink();
    };
  }, [client]);

  useEffect(() => {
    if (link.state !== 'connected') return;
    let current = true;
    client.getSnapshot().then(
      (value) => {
        if (!current) return;
        setSnapshot(value);
        setLoadError(null);
      },
      (error: unknown) => current && setLoadError(errorMessage(error)),
    );
    return () => {
      current = false;
    };
  }, [client, link.state, link.generation]);

  return {
    snapshot,
    link,
    loadError,
    notices,
    dismissNotice: (id) => setNotices((list) => list.filter((notice) => notice.id !== id)),
    addNotice,
  };
}

/** A clock that ticks every second while mounted (elapsed times). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
