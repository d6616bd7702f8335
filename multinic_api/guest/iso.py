"""The config drive as an ISO 9660 image labelled ``config-2``, built in memory.

Nova runs ``genisoimage -J -r -V config-2`` over a directory; here pycdlib writes the same
kind of image without a temporary tree or a subprocess. Each file has three names: a strict
ISO 9660 level-3 name (upper case, ``A-Z 0-9 _``) for the oldest readers, and its real name
in the Rock Ridge and Joliet records, which is what Linux, BSD and Windows guests show.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pycdlib

VOLUME_LABEL = "config-2"
PUBLISHER = "multinic"
_NOT_D1 = re.compile(r"[^A-Z0-9_]")


def _iso_component(name: str, is_file: bool, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".") if is_file and "." in name else (name, "", "")
    stem = _NOT_D1.sub("_", stem.upper())[:24] or "_"
    extension = _NOT_D1.sub("_", extension.upper())[:3] if dot else ""
    candidate = f"{stem}.{extension}" if is_file else stem
    counter = 0
    while candidate in taken:  # two real names that map to one ISO name: number them
        counter += 1
        suffix = f"_{counter}"
        candidate = (f"{stem[:24 - len(suffix)]}{suffix}.{extension}" if is_file
                     else f"{stem[:24 - len(suffix)]}{suffix}")
    taken.add(candidate)
    return candidate


def build_iso(files: Mapping[str, bytes]) -> bytes:
    """An ISO image holding ``files`` (paths relative to the root, ``/``-separated)."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, joliet=3, rock_ridge="1.09", vol_ident=VOLUME_LABEL,
            pub_ident_str=PUBLISHER, app_ident_str=PUBLISHER)
    iso_dirs: dict[str, str] = {"": ""}  # real directory path -> ISO path
    taken: dict[str, set[str]] = {"": set()}  # ISO names used, per real directory
    try:
        for path in sorted(files):
            parts = path.strip("/").split("/")
            real_dir = ""
            for part in parts[:-1]:
                child = f"{real_dir}/{part}" if real_dir else part
                if child not in iso_dirs:
                    iso_dirs[child] = (f"{iso_dirs[real_dir]}/"
                                       f"{_iso_component(part, False, taken[real_dir])}")
                    taken[child] = set()
                    iso.add_directory(iso_dirs[child], rr_name=part, joliet_path=f"/{child}")
                real_dir = child
            name = parts[-1]
            iso_name = _iso_component(name, True, taken[real_dir])
            data = files[path]
            iso.add_fp(io.BytesIO(data), len(data), f"{iso_dirs[real_dir]}/{iso_name};1",
                       rr_name=name, joliet_path=f"/{'/'.join(parts)}")
        out = io.BytesIO()
        iso.write_fp(out)
        return out.getvalue()
    finally:
        iso.close()


def read_iso(image: bytes) -> dict[str, bytes]:
    """Every file of an ISO by its Rock Ridge path: the inverse of :func:`build_iso`."""
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(image))
    try:
        files: dict[str, bytes] = {}
        for root, _dirs, names in iso.walk(rr_path="/"):
            for name in names:
                path = f"{root.rstrip('/')}/{name}"
                out = io.BytesIO()
                iso.get_file_from_iso_fp(out, rr_path=path)
                files[path.lstrip("/")] = out.getvalue()
        return files
    finally:
        iso.close()
