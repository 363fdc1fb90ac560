import type { MouseEvent, ReactNode } from 'react';
import { downloadLinkSchema } from '@showrec/protocol';
import { api } from './http.js';

/**
 * A download the browser follows: on click it asks for a short-lived signed link (the key goes
 * in a header, never in the URL, so it stays out of history and proxy logs) and follows that.
 */
export function DownloadLink(props: {
  path: string;
  secret: string;
  onError: (message: string) => void;
  children: ReactNode;
}) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    api('POST', '/api/download-links', props.secret, { path: props.path }, downloadLinkSchema).then(
      ({ url }) => window.location.assign(url),
      (err: Error) => props.onError(err.message),
    );
  };
  return (
    <a href={props.path} onClick={follow}>
      {props.children}
    </a>
  );
}
