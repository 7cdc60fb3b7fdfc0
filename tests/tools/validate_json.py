#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates real `cmm ctl --json` output against the schemas of docs/api/.

    validate_json.py SCHEMAS LIST REPLIES EVENTS...

SCHEMAS  the schema folder (docs/api)
LIST     the node's `--json list-commands` reply: the commands and the watch
         line types that must each have a schema and a sample
REPLIES  a folder of NAME.out files, NAME a command with '-' for blanks;
         each line is one reply of that command (ok:false lines are checked
         against error.json)
EVENTS   files of `watch --json` lines

Prints one line per problem and exits 1 if there is any: a command or
event type without a schema, one that the test never produced, a line
that is not JSON or breaks its schema.  Cross-file references
("common.json#/$defs/NAME") are inlined here, so any jsonschema version
that knows draft 2020-12 works.
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is missing (make deps installs it)")
    sys.exit(77)


def load(path):
    with open(path) as f:
        return json.load(f)


class Schemas:
    def __init__(self, root):
        self.root = root
        self.common = load(os.path.join(root, "common.json"))
        self.cache = {}

    def inline(self, node, in_common):
        """Replaces every $ref to common.json (or, inside common.json,
        to #/$defs/...) by the definition itself."""
        if isinstance(node, list):
            return [self.inline(x, in_common) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if ref is not None:
            if ref.startswith("common.json#/$defs/"):
                name = ref[len("common.json#/$defs/"):]
            elif in_common and ref.startswith("#/$defs/"):
                name = ref[len("#/$defs/"):]
            else:
                raise ValueError("unknown $ref " + ref)
            rest = {k: v for k, v in node.items() if k != "$ref"}
            d = self.inline(self.common["$defs"][name], True)
            if rest:
                return {"allOf": [d, self.inline(rest, in_common)]}
            return d
        return {k: self.inline(v, in_common) for k, v in node.items()}

    def get(self, rel):
        """The validator of docs/api/REL, or None when the file is missing."""
        if rel not in self.cache:
            path = os.path.join(self.root, rel)
            if not os.path.exists(path):
                self.cache[rel] = None
            else:
                s = self.inline(load(path), False)
                cls = jsonschema.validators.validator_for(s)
                cls.check_schema(s)
                self.cache[rel] = cls(s)
        return self.cache[rel]


def check_line(schemas, rel, line, where, problems):
    try:
        obj = json.loads(line)
    except ValueError as e:
        problems.append("%s: not JSON (%s): %.200s" % (where, e, line))
        return None
    v = schemas.get(rel)
    if v is None:
        problems.append("%s: no schema docs/api/%s" % (where, rel))
        return obj
    for err in sorted(v.iter_errors(obj), key=lambda e: list(e.path)):
        path = "/".join(str(p) for p in err.path) or "(top)"
        problems.append("%s: breaks docs/api/%s at %s: %s" %
                        (where, rel, path, err.message[:300]))
    return obj


def check_seq(obj, expect, where, problems):
    """A stream opens with a snapshot (seq 0) and counts 1, 2, 3...; a
    "lost" line says where a gap starts and how long it is; after a "gap"
    (cmm ctl --reconnect) a new stream opens.  Returns the next seq due,
    or None after a gap."""
    t, seq = obj.get("type"), obj.get("seq")
    if t == "gap":
        return None
    if expect is None or expect == 0:
        if t != "snapshot" or seq != 0:
            problems.append("%s: a stream must open with a snapshot, "
                            "seq 0 (got %s seq %s)" % (where, t, seq))
        return 1
    if t == "lost":
        if seq != expect:
            problems.append("%s: lost from seq %s, %s was due" %
                            (where, seq, expect))
        return (seq if isinstance(seq, int) else expect) + \
            obj.get("count", 0)
    if seq != expect:
        problems.append("%s: seq %s, %s was due" % (where, seq, expect))
    return (seq if isinstance(seq, int) else expect) + 1


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    schemas = Schemas(argv[0])
    listing = json.loads(open(argv[1]).read())
    replies, events = argv[2], argv[3:]
    problems = []
    commands = [c["name"] for c in listing["commands"]]
    types = listing["events"]
    counted = 0

    # every command: a schema, and at least one reply the test produced
    for name in commands:
        base = name.replace(" ", "-")
        if schemas.get("reply/%s.json" % base) is None:
            problems.append("command '%s' has no schema: write "
                            "docs/api/reply/%s.json" % (name, base))
        out = os.path.join(replies, base + ".out")
        if not os.path.exists(out) or os.path.getsize(out) == 0:
            problems.append("command '%s' was never run with --json: add "
                            "it to tests/mp/api_schema.sh" % name)
            continue
        with open(out) as f:
            for n, line in enumerate(f, 1):
                where = "%s line %d" % (base + ".out", n)
                try:
                    ok = json.loads(line).get("ok")
                except ValueError:
                    ok = None
                rel = ("reply/%s.json" % base) if ok is not False \
                    else "error.json"
                check_line(schemas, rel, line, where, problems)
                counted += 1
    for f in sorted(os.listdir(replies)):
        if f.endswith(".out") and f[:-4] not in \
                [c.replace(" ", "-") for c in commands]:
            problems.append("%s: replies of a command the node does not "
                            "list" % f)

    # every watch line: its type's schema; every type seen at least once;
    # and the numbering of each stream
    seen = set()
    for path in events:
        expect = 0
        with open(path) as f:
            for n, line in enumerate(f, 1):
                where = "%s line %d" % (os.path.basename(path), n)
                try:
                    t = json.loads(line).get("type")
                except (ValueError, AttributeError):
                    t = None
                if isinstance(t, str):
                    expect = check_seq(json.loads(line), expect, where,
                                       problems)
                if not isinstance(t, str):
                    problems.append("%s: a watch line without a type: "
                                    "%.200s" % (where, line))
                    continue
                if t not in types:
                    problems.append("%s: type '%s' is not in list-commands' "
                                    "\"events\"" % (where, t))
                check_line(schemas, "event/%s.json" % t, line, where,
                           problems)
                seen.add(t)
                counted += 1
    for t in types:
        if schemas.get("event/%s.json" % t) is None:
            problems.append("event type '%s' has no schema: write "
                            "docs/api/event/%s.json" % (t, t))
        if t not in seen:
            problems.append("event type '%s' never happened in the test: "
                            "make tests/mp/api_schema.sh cause it" % t)

    for p in problems:
        print("FAIL: " + p)
    print("%d lines checked, %d commands, %d event types, %d problems" %
          (counted, len(commands), len(types), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
