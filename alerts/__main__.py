from alerts.service import main

raise SystemExit(main())
