import sys

from livedesk.cli import main

sys.exit(main())
