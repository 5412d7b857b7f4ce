import { useEffect, useState } from 'react';

/** The width below which the window is the menu-bar popover: one pane at a time (the list, or a command). */
export const NARROW_QUERY = '(max-width: 560px)';

export function useNarrow(query = NARROW_QUERY): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setNarrow(list.matches);
    update();
    list.addEventListener('change', update);
    return () => list.removeEventListener('change', update);
  }, [query]);
  return narrow;
}
