"""``python -m assessor``: the same command line as the ``assessor`` script."""

from assessor.cli import main

if __name__ == "__main__":
    main(prog_name="assessor")
