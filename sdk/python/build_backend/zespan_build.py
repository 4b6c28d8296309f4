"""Minimal PEP 517 / PEP 660 build backend for the pure-Python `zespan` package.

Why not setuptools: a setuptools build needs `wheel` (or a recent setuptools)
from a package index, and installs must work offline. This backend uses only
the standard library and builds exactly one thing: the `zespan` package.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "zespan"


def _section(text, name):
    """The lines of one TOML table, e.g. [project] or [project.urls]."""
    lines, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            inside = stripped == "[" + name + "]"
            continue
        if inside:
            lines.append(line)
    return "\n".join(lines)


def _project():
    """Reads the strings and string arrays of [project] and the [project.urls] table.

    A deliberately small reader of the TOML this file uses (no tomllib on Python 3.9/3.10):
    `key = "value"` and `key = ["a", "b"]` (arrays may span lines).
    """
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    section = _section(text, "project")
    project = dict(re.findall(r'^([\w-]+)\s*=\s*"([^"]*)"', section, re.M))
    for key, body in re.findall(r'^([\w-]+)\s*=\s*\[(.*?)\]', section, re.M | re.S):
        project[key] = re.findall(r'"([^"]*)"', body)
    project["urls"] = re.findall(r'^([\w-]+)\s*=\s*"([^"]*)"', _section(text, "project.urls"), re.M)
    return project


def _metadata():
    project = _project()
    lines = ["Metadata-Version: 2.1", "Name: " + project["name"], "Version: " + project["version"],
             "Summary: " + project.get("description", ""), "Requires-Python: " + project.get("requires-python", ""),
             "License: " + project.get("license", "")]
    if project.get("keywords"):
        lines.append("Keywords: " + ",".join(project["keywords"]))
    lines += ["Classifier: " + classifier for classifier in project.get("classifiers", [])]
    lines += ["Project-URL: %s, %s" % pair for pair in project.get("urls", [])]
    readme = os.path.join(ROOT, project.get("readme", "README.md"))
    body = ""
    if os.path.isfile(readme):
        lines.append("Description-Content-Type: text/markdown")
        with open(readme, encoding="utf-8") as f:
            body = "\n" + f.read()
    return project, ("\n".join(lines) + "\n" + body).encode("utf-8")


def _dist_info_name(project):
    return "%s-%s.dist-info" % (project["name"].replace("-", "_"), project["version"])


def _wheel_name(project):
    return "%s-%s-py3-none-any.whl" % (project["name"].replace("-", "_"), project["version"])


def _package_files():
    for folder, dirs, files in os.walk(os.path.join(ROOT, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py") or name == "py.typed":
                full = os.path.join(folder, name)
                yield full, os.path.relpath(full, ROOT).replace(os.sep, "/")


def _write_wheel(directory, entries, project):
    """entries: list of (archive path, bytes). Adds dist-info and RECORD."""
    dist_info = _dist_info_name(project)
    _, metadata = _metadata()
    entries = list(entries) + [
        (dist_info + "/METADATA", metadata),
        (dist_info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: zespan_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (dist_info + "/top_level.txt", (PACKAGE + "\n").encode()),
    ]
    record = []
    path = os.path.join(directory, _wheel_name(project))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            wheel.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
        record.append(dist_info + "/RECORD,,")
        wheel.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return os.path.basename(path)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


# --- PEP 517 hooks ----------------------------------------------------------------
def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    project, metadata = _metadata()
    target = os.path.join(metadata_directory, _dist_info_name(project))
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "METADATA"), "wb") as f:
        f.write(metadata)
    return _dist_info_name(project)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    return _write_wheel(wheel_directory, [(arc, _read(full)) for full, arc in _package_files()], project)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth line puts the source folder on sys.path: edits take effect without reinstalling.
    project = _project()
    return _write_wheel(wheel_directory, [("__editable__.zespan.pth", (ROOT + "\n").encode())], project)


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (project["name"], project["version"])
    path = os.path.join(sdist_directory, base + ".tar.gz")
    files = [(full, arc) for full, arc in _package_files()]
    for extra in ("pyproject.toml", "README.md", "build_backend/zespan_build.py"):
        if os.path.isfile(os.path.join(ROOT, extra)):
            files.append((os.path.join(ROOT, extra), extra))
    with tarfile.open(path, "w:gz") as archive:
        for full, arc in files:
            archive.add(full, arcname=base + "/" + arc)
        _, metadata = _metadata()
        info = tarfile.TarInfo(base + "/PKG-INFO")
        info.size = len(metadata)
        archive.addfile(info, io.BytesIO(metadata))
    return os.path.basename(path)
