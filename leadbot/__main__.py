import sys

from leadbot.cli import main

sys.exit(main())
