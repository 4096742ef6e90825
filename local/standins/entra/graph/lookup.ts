import { graphBadRequest, resourceNotFound } from "../errors";
import { isGuid } from "../ids";
import type { GraphJson } from "../objects";
import type { GraphContext } from "./context";

/** Directory object ids are GUIDs; anything else is Graph's 400 before any lookup. */
export function objectId(id: string): string {
  if (!isGuid(id)) throw graphBadRequest(`Invalid object identifier '${id}'.`);
  return id;
}

/** The live object, or Graph's 404. Writes see the directory as it is; only GETs by id see replication lag. */
export function existing<Item>(items: ReadonlyMap<string, Item>, id: string): Item {
  const item = items.get(id);
  if (item === undefined) throw resourceNotFound(id);
  return item;
}

/**
 * A GET by id as a replica answers it: 404 while the object is too new to be seen, the last state while a
 * deleted one is still seen (see ../consistency.ts).
 */
export function readById<Item>(
  context: GraphContext,
  items: ReadonlyMap<string, Item>,
  id: string,
  view: (item: Item) => GraphJson,
): GraphJson {
  const { lag } = context.tenant;
  const item = items.get(id);
  if (item !== undefined && !lag.hidesNew(id)) return view(item);
  const lastState = item === undefined ? lag.lastStateOfDeleted(id) : undefined;
  if (lastState === undefined) throw resourceNotFound(id);
  return lastState;
}
