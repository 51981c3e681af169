"""`python -m search_api.cli`: the same parser as the `sophub` script."""

import sys

from search_api.cli.main import main

sys.exit(main())
