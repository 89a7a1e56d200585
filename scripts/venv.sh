# Sourced by scripts/dev, scripts/test and scripts/serve from the repo root:
# `venv_ready NAME TARGET` creates .venv when missing and pip-installs TARGET (`.` or
# `.[test]`), again only when pyproject.toml changed since NAME's last install.
venv_ready() {
  local name="$1" target="$2"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $(python3 --version)"
    python3 -m venv .venv
  fi
  local stamp=".venv/.installed-$name"
  local digest
  digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    echo "Installing dependencies for $name (pinned in pyproject.toml)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
    echo "$digest" > "$stamp"
  fi
}
