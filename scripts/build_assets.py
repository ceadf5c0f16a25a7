"""Copy the front-end files Shoudi serves from node_modules into build/static (run by `make assets`).

Only the minified dist files the templates load are copied; Django's staticfiles (and WhiteNoise in production)
serve them from there, so a deployment needs no CDN and no internet. The trailing source-map comments are dropped
because the maps are not shipped (a browser's developer tools would otherwise ask for them and get a 404).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "build" / "static" / "vendor"

# (npm package, file inside the package, destination under build/static/vendor)
FILES = [
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("echarts", "dist/echarts.min.js", "echarts/echarts.min.js"),
]

SOURCE_MAP = re.compile(rb"\n?(?:/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*\Z")


def wanted_versions() -> dict[str, str]:
    return json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]


def main() -> int:
    versions = wanted_versions()
    for package, source, target in FILES:
        package_dir = NODE_MODULES / package
        manifest = package_dir / "package.json"
        if not manifest.exists():
            print(f"build_assets: {package} is not in node_modules; run `npm ci` (make assets does)", file=sys.stderr)
            return 1
        installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if installed != versions[package]:
            print(
                f"build_assets: node_modules has {package} {installed}, package.json pins {versions[package]};"
                " run `npm ci`",
                file=sys.stderr,
            )
            return 1
        data = SOURCE_MAP.sub(b"\n", (package_dir / source).read_bytes())
        destination = VENDOR / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.with_suffix(destination.suffix + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(destination)
        print(f"build_assets: {package} {installed} {source} -> {destination.relative_to(ROOT)}")
    keep = {VENDOR / target for _, _, target in FILES}
    for stray in [p for p in VENDOR.rglob("*") if p.is_file() and p not in keep]:
        stray.unlink()  # a file dropped from FILES must not go on being served
    return 0


if __name__ == "__main__":
    sys.exit(main())
