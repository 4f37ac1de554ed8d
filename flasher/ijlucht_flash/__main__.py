"""python -m ijlucht_flash"""

from ijlucht_flash.cli import main

raise SystemExit(main())
