import sys

from mlm_siem.cli import main

sys.exit(main())
