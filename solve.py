"""huishou command line: ``python solve.py --help``."""

from cli.app import main

if __name__ == "__main__":
    main()
