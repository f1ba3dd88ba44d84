#!/usr/bin/env python3
"""Every claim's verdict, effect and 95% interval as a Markdown list, from
`opimp claims --results FILE --json` (README, "What the study's results
say", is written from it):  opimp claims --results results/paper.json --json | scripts/claims_md.py"""
import json
import sys


def number(v):
    return f"{v:+.4f}" if abs(v) < 0.1 else f"{v:+.3f}"


def main():
    claims = json.load(sys.stdin)
    for c in claims:
        effects = "; ".join(
            f"{e['what']} {number(e['value'])} [{number(e['lo'])}, {number(e['hi'])}] (claim {e['claim']})"
            for e in c["effects"]
        )
        extra = f" {c['context']}" if c.get("context") else ""
        need = f" Needs {c['needs']}." if c.get("needs") else ""
        print(f"- **[{c['verdict']}]** {c['claim']} — {effects}.{extra}{need}")


if __name__ == "__main__":
    main()
