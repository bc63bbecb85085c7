"""``python -m ganbench``: the ``ganbench`` command without its script on the PATH."""

from ganbench.cli import main

if __name__ == "__main__":
    main(prog_name="ganbench")
