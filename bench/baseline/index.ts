/**
 * The benchmark's baseline: the resource graph of a stack of the product's program, every custom resource
 * replaced by a no-op dynamic resource and every component by a component, with the same parents and
 * dependencies, read from the shape file named by `bench:shapeFile` (bench/shape.ts writes it from the
 * product stack's state). Its time is the engine's own for that graph: no plugin but the Node.js dynamic
 * provider, no request anywhere.
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import type { GraphShape } from "../shape";

interface NoOpInputs {
  label: string;
}

/** Does nothing; reads back what it holds, so `refresh` changes nothing. */
const noOpProvider: pulumi.dynamic.ResourceProvider<NoOpInputs, NoOpInputs> = {
  async create(inputs) {
    return { id: inputs.label, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async diff() {
    return { changes: false };
  },
  async delete() {},
};

class NoOpResource extends pulumi.dynamic.Resource {
  constructor(name: string, opts: pulumi.CustomResourceOptions) {
    super(noOpProvider, name, { label: name }, opts);
  }
}

class Component extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.registerOutputs({});
  }
}

const shapeFile = new pulumi.Config("bench").require("shapeFile");
const shape = JSON.parse(readFileSync(shapeFile, "utf8")) as GraphShape;
const declared = new Map<string, pulumi.Resource>();
for (const node of shape.nodes) {
  const parent = node.parent === undefined ? undefined : declared.get(node.parent);
  const dependsOn = node.dependsOn.flatMap((key) => declared.get(key) ?? []);
  const resource = node.custom
    ? new NoOpResource(node.name, { parent, dependsOn })
    : new Component(node.type, node.name, { parent, dependsOn });
  declared.set(node.key, resource);
}
