#!/usr/bin/env python3
"""Regenerate the JSON Schema of diagnostic.json from the pydantic models.

cyberdiag/schemas/diagnostic.schema.json is shipped with the package; tests/test_diagnostic.py
keeps it in step with cyberdiag.diagnostic.json_schema(). Run this after changing a model of the
record (and raise models.SCHEMA_VERSION, with a migration in cyberdiag/diagnostic.py, when older
files need one).

    python tools/gen_schema.py            # rewrite the shipped schema
    python tools/gen_schema.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cyberdiag.diagnostic import SCHEMA_PATH, json_schema  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the schema is stale")
    args = parser.parse_args()
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.check:
        current = SCHEMA_PATH.read_text(encoding="utf-8")
        if json.loads(current) != json.loads(text):
            print(f"{SCHEMA_PATH} is out of date: python tools/gen_schema.py", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
