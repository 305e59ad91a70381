#!/usr/bin/env python3
"""Derive the wrangler "key tree" (schemas/wrangler-keys.json) from wrangler's config-schema.json.

doforge embeds the tree to report keys wrangler does not know, at any depth, with a suggestion.
It is derived from the JSON Schema that ships in the wrangler npm package, installed by
scripts/setup-oracle.sh:

    scripts/setup-oracle.sh
    python3 scripts/gen-wrangler-keys.py            # rewrite schemas/wrangler-keys.json
    python3 scripts/gen-wrangler-keys.py --stdout   # print it instead (tests compare this)
    python3 scripts/gen-wrangler-keys.py --check    # exit 1 when the committed file is stale

The schema is read from --schema, else $DOFORGE_ORACLE_DIR/node_modules/wrangler/config-schema.json,
else <repo>/target/oracle/node_modules/wrangler/config-schema.json. Standard library only.

Shape format (one JSON object per place in a config; every member is optional):

    {"keys": {"<key>": <shape>, ...},   known properties of an object at this place
     "items": <shape>,                 the value may be an array; shape of its elements
     "values": <shape>,                shape of the values of keys NOT in "keys" (additionalProperties
                                       is a real schema: maps such as env, vars, define, exports)
     "open": true}                     keys not in "keys" are accepted and not checked
                                       (additionalProperties true, {} or absent; also "any value")

* A scalar (string, number, boolean, enum, const) is `{}`.
* An object value is checked for unknown keys only where "keys" is non-empty and neither "values"
  nor "open" is set; with "values" every other key is accepted and its value is walked with it.
* `$ref`s are resolved (JSON Pointers into the schema). `anyOf`/`oneOf`/`allOf` branches are
  unioned: keys of all object branches, items of all array branches; "open" if any branch is open.
  So `routes[]` (string | zone-id route | zone-name route | custom domain) knows every route key.
* A recursive definition (wrangler's `Json`, used by `vars` values) becomes `{"open": true}`:
  anything is accepted below it.
* Deprecated keys (JSON Schema `deprecated`, e.g. `site.entry-point`, `pipelines[].pipeline`) stay
  known: wrangler accepts them and warns itself.
* Repair: wrangler's schema generator emits indexed-access types such as
  `Pick<EnvironmentInheritable, "observability">` (used by `previews.*`) as a $ref to the whole
  anonymous `interface-...` definition. When property K refers to an anonymous `interface-*`
  definition that itself has a property K, K's own schema there is used instead.

Output: sorted keys, 1-space indent, trailing newline; a "$comment" member on the root shape
names the wrangler version and points here.
"""

import argparse
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "schemas", "wrangler-keys.json")
STRUCTURAL = ("type", "const", "enum", "$ref", "anyOf", "oneOf", "allOf", "properties",
              "additionalProperties", "patternProperties", "items", "not")


def oracle_dir():
    return os.environ.get("DOFORGE_ORACLE_DIR") or os.path.join(REPO, "target", "oracle")


class Deriver:
    def __init__(self, schema):
        self.schema = schema  # `repair` looks up refs in the original
        self.schema = self._repaired(schema)
        self.recursive = self._recursive_refs()

    def _repaired(self, node):
        """A copy of `node` with every property schema passed through `repair`."""
        if isinstance(node, list):
            return [self._repaired(v) for v in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                out[key] = {n: self._repaired(self.repair(n, sub)) for n, sub in value.items()}
            else:
                out[key] = self._repaired(value)
        return out

    def lookup(self, ref):
        if not ref.startswith("#"):
            raise SystemExit(f"gen-wrangler-keys: external $ref not supported: {ref}")
        node = self.schema
        for raw in [p for p in ref[1:].split("/") if p]:
            token = raw.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def _refs_in(self, node, acc):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                acc.add(ref)
            for v in node.values():
                self._refs_in(v, acc)
        elif isinstance(node, list):
            for v in node:
                self._refs_in(v, acc)
        return acc

    def _recursive_refs(self):
        """The $ref targets that can reach themselves again."""
        graph, todo = {}, list(self._refs_in(self.schema, set()))
        while todo:
            ref = todo.pop()
            if ref in graph:
                continue
            graph[ref] = self._refs_in(self.lookup(ref), set())
            todo.extend(graph[ref])
        recursive = set()
        for start in graph:
            seen, stack = set(), list(graph[start])
            while stack:
                r = stack.pop()
                if r == start:
                    recursive.add(start)
                    break
                if r not in seen:
                    seen.add(r)
                    stack.extend(graph.get(r, ()))
        return recursive

    def shape(self, node, depth=0):
        if depth > 200:
            raise SystemExit("gen-wrangler-keys: schema nests too deeply")
        if node is True or node == {}:
            return {"open": True}
        if not isinstance(node, dict) or node is False:
            return {}
        if not any(k in node for k in STRUCTURAL):
            return {"open": True}  # no constraint at all: any value
        out = {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            merge(out, {"open": True} if ref in self.recursive else self.shape(self.lookup(ref), depth + 1))
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in node.get(key, ()):
                merge(out, self.shape(branch, depth + 1))
        types = node.get("type")
        types = set(types) if isinstance(types, list) else {types} if types else set()
        is_object = "object" in types or any(
            k in node for k in ("properties", "additionalProperties", "patternProperties"))
        if is_object:
            keys = {}
            for name, sub in node.get("properties", {}).items():
                keys[name] = self.shape(sub, depth + 1)
            obj = {"keys": keys}
            ap = node.get("additionalProperties", True)
            if node.get("patternProperties"):
                obj["open"] = True
            elif ap is True or ap == {}:
                obj["open"] = True
            elif ap is not False:
                obj["values"] = self.shape(ap, depth + 1)
            merge(out, obj)
        items = node.get("items")
        if "array" in types or items is not None:
            if isinstance(items, list):
                elem = {}
                for it in items:
                    merge(elem, self.shape(it, depth + 1))
            elif items is None or items is True or items == {}:
                elem = {"open": True}
            else:
                elem = self.shape(items, depth + 1)
            merge(out, {"items": elem})
        return out

    def repair(self, name, sub):
        """`T[K]` emitted as a $ref to the whole anonymous interface T: use T's property K."""
        if isinstance(sub, dict) and set(sub) <= {"$ref", "description", "markdownDescription"}:
            ref = sub.get("$ref", "")
            if ref.startswith("#/definitions/interface-"):
                target = self.lookup(ref)
                props = target.get("properties", {}) if isinstance(target, dict) else {}
                if name in props:
                    return props[name]
        return sub


def merge(into, other):
    """Union `other` into `into` (both shapes)."""
    for name, sub in other.get("keys", {}).items():
        keys = into.setdefault("keys", {})
        if name in keys:
            merge(keys[name], sub)
        else:
            keys[name] = sub
    for part in ("items", "values"):
        if part in other:
            if part in into:
                merge(into[part], other[part])
            else:
                into[part] = other[part]
    if other.get("open"):
        into["open"] = True
    return into


def compact(shape):
    """Drop empty members; an open shape needs no `values`."""
    out = {}
    keys = {k: compact(v) for k, v in shape.get("keys", {}).items()}
    if keys:
        out["keys"] = keys
    if "items" in shape:
        out["items"] = compact(shape["items"])
    if shape.get("open"):
        out["open"] = True
    elif "values" in shape:
        out["values"] = compact(shape["values"])
    return out


def derive(schema, version):
    root = compact(Deriver(schema).shape(schema))
    comment = (
        f"Keys accepted by wrangler {version}, derived from its config-schema.json by "
        "scripts/gen-wrangler-keys.py (do not edit; see that script for the format). "
        "Shape: keys = known properties, items = array element shape, values = shape of any "
        "other key's value (maps), open = other keys accepted unchecked; {} = scalar."
    )
    doc = {"$comment": comment}
    doc.update(root)
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schema", help="path to wrangler's config-schema.json")
    ap.add_argument("--out", default=OUT, help="where to write (default: schemas/wrangler-keys.json)")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--stdout", action="store_true", help="print the tree instead of writing it")
    group.add_argument("--check", action="store_true", help="exit 1 when --out differs from the derived tree")
    args = ap.parse_args()

    schema_path = args.schema or os.path.join(oracle_dir(), "node_modules", "wrangler", "config-schema.json")
    if not os.path.isfile(schema_path):
        print(f"gen-wrangler-keys: {schema_path} not found: run scripts/setup-oracle.sh", file=sys.stderr)
        return 2
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    version = "unknown"
    pkg = os.path.join(os.path.dirname(schema_path), "package.json")
    if os.path.isfile(pkg):
        with open(pkg, encoding="utf-8") as f:
            version = json.load(f).get("version", version)

    text = derive(schema, version)
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        try:
            with open(args.out, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print(f"gen-wrangler-keys: {args.out} is stale: run python3 scripts/gen-wrangler-keys.py",
                  file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"gen-wrangler-keys: wrote {args.out} ({len(text)} bytes, wrangler {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
