"""An apply run in its own process, for the crash test to kill: python crash_child.py BASE ROOT."""

from __future__ import annotations

import sys
from pathlib import Path

from apply_market import Market, crash_catalog
from test_apply_run import QUICK

from reconciler.apply.report import Progress
from reconciler.apply.run import ApplyOptions
from reconciler.apply.session import ApplyRequest, ApplySession


def main(base: str, root: str) -> None:
    market = Market(base, Path(root))
    cat = crash_catalog(Path(root), market)
    options = ApplyOptions(pacing=QUICK, json_package_size=60, xml_package_size=40, upload_size=20)
    with market.client() as client:
        session = ApplySession(cat, client, Progress(print), ApplyRequest(options=options))
        session.apply(session.plan())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
