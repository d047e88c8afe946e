#!/usr/bin/env python3
"""eve_schema.py - validate EVE lines against Suricata's EVE JSON schema.

    eve_schema.py SCHEMA [--per-type N] [--host NAME] FILE.eve.json...

The schema is used with every "additionalProperties": false turned into
true: otsentry adds fields of its own, but a field that both know must have
the schema's type and shape.  Of each file, the first N lines of each
event_type are checked (all lines when N is 0); with --host, every line
must also carry "host": NAME.  Prints one line per
failure (file, line number, JSON path, message) and a summary; exit 1 when
any line fails or is not JSON, 0 otherwise.
"""
import argparse
import json
import sys

import jsonschema


def relax(node):
    """additionalProperties: false -> true, everywhere in the schema."""
    if isinstance(node, dict):
        for key, val in node.items():
            if key == "additionalProperties" and val is False:
                node[key] = True
            else:
                relax(val)
    elif isinstance(node, list):
        for val in node:
            relax(val)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("schema")
    ap.add_argument("--per-type", type=int, default=0)
    ap.add_argument("--host")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()

    with open(args.schema, encoding="utf-8") as fp:
        schema = json.load(fp)
    relax(schema)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    checked = failed = 0
    types = {}
    for path in args.files:
        seen = {}
        with open(path, encoding="utf-8") as fp:
            for lineno, line in enumerate(fp, 1):
                try:
                    ev = json.loads(line)
                except ValueError as e:
                    print(f"{path}:{lineno}: not JSON: {e}")
                    failed += 1
                    continue
                et = ev.get("event_type", "?") if isinstance(ev, dict) else "?"
                if args.host is not None and ev.get("host") != args.host:
                    print(f"{path}:{lineno}: {et}: host is {ev.get('host')!r}, not {args.host!r}")
                    failed += 1
                    continue
                n = seen.get(et, 0)
                if args.per_type and n >= args.per_type:
                    continue
                seen[et] = n + 1
                types[et] = types.get(et, 0) + 1
                checked += 1
                errs = sorted(validator.iter_errors(ev), key=lambda e: list(e.absolute_path))
                if errs:
                    failed += 1
                for e in errs[:3]:
                    where = "/".join(str(p) for p in e.absolute_path) or "(top)"
                    print(f"{path}:{lineno}: {et}: {where}: {e.message[:200]}")
    summary = ", ".join(f"{k} {v}" for k, v in sorted(types.items()))
    print(f"eve_schema: {checked} lines checked ({summary}), {failed} failed")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
