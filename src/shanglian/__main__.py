from shanglian.cli import main

main()
