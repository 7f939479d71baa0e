"""The typer application: one module per subcommand, each with ``register(app)``."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape

from network.errors import HuishouError

app = typer.Typer(
    name="solve.py",
    help=(
        "回收 huishou — plan recycling networks. 规划县乡村三级回收体系与退役风电光伏设备循环利用基地.\n\n"
        "Subcommands: regions (bundled regions 内置区域), inspect (check inputs 检查数据), "
        "plan (three-tier network 三级网络), route (collection routes 收运线路), "
        "bases (wind/PV recycling bases 循环利用基地), map (maps 地图), batch (scenario sweeps 批量情景)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

# Subcommand modules, in the order --help lists them.
COMMAND_MODULES = ("regions", "inspect", "plan", "route", "bases", "map", "batch")


def _register_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"cli.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name == f"cli.{name}_cmd":
                continue
            raise
        module.register(app)


@app.callback()
def _main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show solver progress logs 显示详细日志.")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=err_console, show_path=False)])


_register_commands()


def main() -> None:
    """Entry point: run the app and turn huishou errors into a clear message and exit code 2."""
    try:
        app()
        code: int | str | None = 0
    except HuishouError as exc:
        kind = type(exc).__name__
        err_console.print(f"[bold red]{kind}[/]: {escape(str(exc))}", markup=True, highlight=False)
        code = 2
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code: int | str | None) -> None:
    """Leave with ``code``, without the interpreter's teardown while a solver thread still runs.

    A MIP the solve stopped waiting for (interrupted, or past its limit) keeps
    its thread inside the backend's C++ code; tearing the interpreter down
    around it aborted the process (SIGABRT, exit 134, after the output was
    complete). See ``solver.mip.backends_running``.
    """
    mip = sys.modules.get("solver.mip")  # not imported: no solver ran
    if mip is None or not mip.backends_running():
        sys.exit(code)
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
