"""Run metadata: what made a result (files, hashes, overrides, seed, versions).

The result container of a run, :class:`econ.analysis.base_case.Results`, lives in the analysis stage
because its tables (the efficiency frontier, net benefit) are analyses.
"""
from __future__ import annotations

import datetime as _dt
import functools
import platform
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from econ.model.compile import CompiledScenario


def package_versions() -> dict:
    """Versions of Python and of the packages that affect results (a new dict each call)."""
    return dict(_installed_versions())


@functools.lru_cache(maxsize=1)
def _installed_versions() -> tuple:
    """Read once per process: reading the installed packages' metadata costs about 20 ms, and a process
    does not change the versions it has imported."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("peer-econ", "numpy", "scipy", "pandas", "SALib", "PyYAML", "pydantic"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return tuple(out.items())


class InstalledVersions(Mapping):
    """The versions of :func:`package_versions`, read when first looked at (a base-case run that
    writes no manifest never reads the installed packages' metadata; issue 19)."""

    def __getitem__(self, name: str) -> str:
        return package_versions()[name]

    def __iter__(self):
        return iter(package_versions())

    def __len__(self) -> int:
        return len(package_versions())

    def __repr__(self) -> str:
        return repr(package_versions())


@dataclass(frozen=True)
class RunMetadata:
    """What made a result: scenario files and hashes, overrides, seed, versions, command line.

    ``scenario_path`` is the scenario file as the user named it; the paths of ``files`` (the file
    and its ``extends:`` parents) and ``data_files`` are relative to its folder (e.g.
    ``../costs/unit_costs.csv``), with their SHA-256, so a manifest does not carry local folders.
    """

    scenario: str
    scenario_path: str
    files: list
    overrides: list
    seed: int | None
    n_draws: int
    price_year: str | None
    currency: str
    cycle_length: str
    n_cycles: int
    cycle_correction: str
    discount_first_cycle: bool
    synthetic: bool
    versions: Mapping = field(default_factory=InstalledVersions)  # read when looked at (a manifest)
    command_line: list = field(default_factory=lambda: list(sys.argv))
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    data_files: list = field(default_factory=list)
    perspectives: list = field(default_factory=list)
    effect: dict = field(default_factory=dict)  # the effect block: estimator (and its label), window, persistence
    followup: dict = field(default_factory=dict)  # loss to follow-up: method, share missing per arm and time point
    precedence: str = "--set overrides > scenario file > extends: parents > schema defaults"
    paths_relative_to: str = "the folder of scenario_path"

    def to_dict(self) -> dict:
        out = asdict(self)
        out["versions"] = dict(self.versions)
        return out


def relative_to_scenario(path: str, scenario_path: str) -> str:
    """``path`` relative to the folder of ``scenario_path`` (forward slashes), so a manifest names
    files without the local folders above them; unchanged when no relative path exists (another drive)."""
    import os
    from pathlib import Path

    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(scenario_path).resolve().parent)).as_posix()
    except (ValueError, OSError):
        return str(path)


def metadata_for(compiled: CompiledScenario, *, n_draws: int, seed: int | None, data_files=()) -> RunMetadata:
    """Build the RunMetadata of a run of ``compiled``."""
    from econ.model.effect import effect_summary

    loaded = compiled.loaded
    st = loaded.spec.settings
    return RunMetadata(
        scenario=loaded.spec.metadata.name, scenario_path=loaded.path,
        files=[{"path": relative_to_scenario(f.path, loaded.path), "sha256": f.sha256} for f in loaded.files],
        overrides=list(loaded.overrides), seed=seed, n_draws=n_draws, price_year=st.price_year,
        currency=st.currency, cycle_length=st.cycle_length, n_cycles=st.n_cycles,
        cycle_correction=st.cycle_correction, discount_first_cycle=st.discount_first_cycle,
        synthetic=compiled.synthetic or any(d.get("synthetic") for d in data_files),
        data_files=[{**d, "path": relative_to_scenario(d["path"], loaded.path)} if "path" in d else d
                    for d in data_files],
        perspectives=list(loaded.spec.cost_offset.perspectives) if loaded.spec.cost_offset is not None else [],
        effect=effect_summary(loaded.spec), followup=compiled.followup,
    )
