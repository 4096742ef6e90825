/**
 * The resource graph of a deployed stack, as the baseline program re-creates it: each custom resource (a
 * no-op there) and each component, with its parent and dependencies; providers and the stack itself left out
 * (the baseline has neither to declare).
 */

/** A resource of the product's stack, as the baseline declares it. */
export interface ShapeNode {
  /** Its URN in the product's stack: how parents and dependencies refer to it. */
  key: string;
  /** The product's type token; the baseline uses it for components. */
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  dependsOn: string[];
}

export interface GraphShape {
  nodes: ShapeNode[];
}

/** The part of `pulumi stack export`'s resources this reads. */
export interface ExportedResource {
  urn: string;
  type: string;
  custom?: boolean;
  parent?: string;
  dependencies?: string[];
}

/** The shape of an exported deployment; its resources are in dependency order, parents first. */
export function graphShape(resources: readonly ExportedResource[]): GraphShape {
  const kept = resources.filter(
    (resource) => resource.type !== "pulumi:pulumi:Stack" && !resource.type.startsWith("pulumi:providers:"),
  );
  const keys = new Set(kept.map((resource) => resource.urn));
  const namesTaken = new Set<string>();
  const nodes = kept.map((resource): ShapeNode => {
    const base = resource.urn.split("::").pop() ?? resource.urn;
    let name = base;
    for (let suffix = 2; namesTaken.has(`${resource.custom === true}:${name}`); suffix++) name = `${base}-${suffix}`;
    namesTaken.add(`${resource.custom === true}:${name}`);
    return {
      key: resource.urn,
      type: resource.type,
      name,
      custom: resource.custom === true,
      ...(resource.parent !== undefined && keys.has(resource.parent) ? { parent: resource.parent } : {}),
      dependsOn: (resource.dependencies ?? []).filter((dependency) => keys.has(dependency)),
    };
  });
  return { nodes };
}
