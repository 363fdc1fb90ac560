import { useEffect, useRef, useState } from 'react';
import type { ViewerWatch } from '@showrec/protocol';
import type { ShowSocket } from '../show/use-show-socket.js';
import { emptyFeed, WallViewer, type WallFeed } from './wall-viewer.js';

type Watch = Omit<ViewerWatch, 'width' | 'height'>;

/** The phones' live video on this screen; `watch` (control panel) says what it looks at. */
export function useWallFeed(socket: ShowSocket | null, watch: Watch | null): WallFeed {
  const [feed, setFeed] = useState<WallFeed>(emptyFeed);
  const viewer = useRef<WallViewer | null>(null);
  const watchRef = useRef(watch);
  useEffect(() => {
    watchRef.current = watch;
  });
  useEffect(() => {
    if (!socket) return;
    const made = new WallViewer(socket, watchRef.current, setFeed);
    viewer.current = made;
    return () => {
      made.close();
      viewer.current = null;
    };
  }, [socket]);
  const key = JSON.stringify(watch);
  useEffect(() => {
    // Scrolling fires many changes: tell the server once things settle.
    const timer = setTimeout(
      () => watchRef.current && viewer.current?.watch(watchRef.current),
      150,
    );
    return () => clearTimeout(timer);
  }, [key]);
  return feed;
}
