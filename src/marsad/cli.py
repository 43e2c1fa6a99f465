"""The ``marsad`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="marsad",
    help="marsad (مرصد): read Arabic news from many outlets, fold copies, group stories, "
    "extract who said what with evidence, and write cited briefs.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """marsad (مرصد): an offline observatory for Arabic news."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
