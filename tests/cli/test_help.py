"""Every help text of the command line shows what its source says."""

import pytest
import typer
from rich.text import Text

from cli.app import app

COMMAND = typer.main.get_command(app)


def _helps() -> list[tuple[str, str]]:
    out = [("solve.py", COMMAND.help or "")]
    for name, command in COMMAND.commands.items():
        out.append((name, command.help or ""))
        out += [(f"{name} {param.name}", getattr(param, "help", None) or "") for param in command.params]
    return out


@pytest.mark.parametrize(("where", "text"), _helps(), ids=[w for w, _ in _helps()])
def test_help_texts_lose_no_bracketed_words_to_rich_markup(where: str, text: str) -> None:
    # typer renders help through rich markup: an unescaped "[network]" is read as a style tag and vanishes.
    assert Text.from_markup(text).plain == text.replace("\\[", "["), where
