"""``python -m thresher``: the same entry point as the ``thresher`` command."""

import sys

from thresher.cli.main import main

sys.exit(main())
