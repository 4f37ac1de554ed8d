from ingest.worker import main

main()
