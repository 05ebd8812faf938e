"""Checks that built wheels install where Fink and its users run: every
shared object in each wheel needs no glibc symbol newer than 2.17 (the
manylinux2014 policy), and auditwheel (from PyPI) agrees that the wheel is
manylinux_2_17. A symbol that needs a newer glibc is named with its version,
so that a later change cannot slip one in unnoticed.

usage: python scripts/check_wheel.py WHEEL...   (the maturin virtualenv's
Python: it has auditwheel and its pyelftools; scripts/wheel runs it)
"""

import io
import re
import subprocess
import sys
import zipfile

from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection, GNUVerSymSection

MAX_GLIBC = (2, 17)
GLIBC = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")


def glibc_needs(shared_object):
    """{symbol: glibc version} of the symbols `shared_object` (bytes)
    imports with a GLIBC_x.y version."""
    elf = ELFFile(io.BytesIO(shared_object))
    versions = {}
    for section in elf.iter_sections():
        if isinstance(section, GNUVerNeedSection):
            for _, auxiliaries in section.iter_versions():
                for auxiliary in auxiliaries:
                    versions[auxiliary["vna_other"]] = auxiliary.name
    symbols = elf.get_section_by_name(".dynsym")
    version_of = next((s for s in elf.iter_sections() if isinstance(s, GNUVerSymSection)), None)
    needs = {}
    if symbols is None or version_of is None:
        return needs
    for index, symbol in enumerate(symbols.iter_symbols()):
        if symbol["st_shndx"] != "SHN_UNDEF" or not symbol.name:
            continue
        version = versions.get(version_of.get_symbol(index)["ndx"])
        if version and GLIBC.match(version):
            needs[symbol.name] = version
    return needs


def version_tuple(version):
    match = GLIBC.match(version)
    return tuple(int(part) for part in match.groups() if part is not None)


def problems_of(wheel):
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        objects = [name for name in archive.namelist() if name.endswith(".so") or ".so." in name]
        if not objects:
            problems.append(f"{wheel}: no shared object in the wheel")
        for name in objects:
            for symbol, version in sorted(glibc_needs(archive.read(name)).items()):
                if version_tuple(version)[:2] > MAX_GLIBC:
                    problems.append(f"{wheel}: {name} needs {symbol}@{version}, newer than glibc 2.17 (manylinux2014)")
    shown = subprocess.run([sys.executable, "-m", "auditwheel", "show", wheel], capture_output=True, text=True)
    tag = re.search(r'consistent with the following platform tag:\s*"([^"]+)"', shown.stdout)
    if shown.returncode != 0 or not tag:
        problems.append(f"{wheel}: auditwheel show failed: {shown.stdout}{shown.stderr}")
    elif not tag.group(1).startswith("manylinux_2_17_"):
        problems.append(f"{wheel}: auditwheel says {tag.group(1)}, not manylinux_2_17 (manylinux2014)")
    return problems


def main(wheels):
    if not wheels:
        print(__doc__, file=sys.stderr)
        return 2
    problems = [problem for wheel in wheels for problem in problems_of(wheel)]
    for problem in problems:
        print(f"check_wheel: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_wheel: {len(wheels)} wheel(s) need glibc 2.17 at most; auditwheel: manylinux_2_17")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
