"""The wheel check must fail on a shared object that needs a glibc newer
than 2.17, so that no later change slips one into the wheels unnoticed: a
wheel holding a binary built natively here (against this machine's glibc)
is refused, with the symbol and its version named.

usage: PYTHON tests/wheel/check_wheel_catches_new_glibc.py NATIVE_BINARY
(the maturin virtualenv's Python, which has auditwheel; scripts/test passes
the CLI it built natively)
"""

import os
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(native_binary):
    with tempfile.TemporaryDirectory() as folder:
        wheel = os.path.join(folder, "unportable-0.1.0-cp39-abi3-linux_x86_64.whl")
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.write(native_binary, "unportable/_core.abi3.so")
        done = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "check_wheel.py"), wheel],
                              capture_output=True, text=True)
    if done.returncode == 0 or "newer than glibc 2.17 (manylinux2014)" not in done.stderr:
        print(f"check_wheel passed an unportable wheel (exit {done.returncode}):\n{done.stdout}{done.stderr}",
              file=sys.stderr)
        return 1
    print("check_wheel refuses a shared object that needs a newer glibc:", done.stderr.splitlines()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
