import { useState } from 'react';
import { collectionSchema, type Collection, type ReviewBoard } from '@showrec/protocol';
import { DownloadLink } from '../api/DownloadLink.js';
import { api } from '../api/http.js';

/**
 * Makes a collection of the selected RECords, in board order: its credits roll and its ZIP
 * (media, credits CSV/JSON and page) are then a click away; statements are made over the API.
 */
export function SelectsCollection(props: {
  board: ReviewBoard;
  secret: string;
  onError: (message: string) => void;
}) {
  const [collection, setCollection] = useState<Collection | null>(null);
  const make = () => {
    const records = props.board.items
      .filter((i) => i.record && i.review.review === 'selected')
      .map((i) => i.record!.id);
    api(
      'POST',
      '/api/collections',
      props.secret,
      { title: `${props.board.show.title} · selects`, records },
      collectionSchema,
    ).then(setCollection, (err: Error) => props.onError(err.message));
  };
  if (!collection)
    return (
      <button type="button" className="link" onClick={make}>
        collection of selects
      </button>
    );
  return (
    <DownloadLink
      path={`/api/collections/${collection.id}/export.zip`}
      secret={props.secret}
      onError={props.onError}
    >
      collection ZIP ({collection.records.length})
    </DownloadLink>
  );
}
