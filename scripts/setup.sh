# Shared by scripts/run, scripts/test and scripts/fuzz: install what is missing, configure, build.
# Sourced, not executed.

NESTLING_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NESTLING_PACKAGES=(g++ cmake ninja-build pkg-config libeigen3-dev libyaml-cpp-dev libboost-dev libhdf5-dev
                   hdf5-tools catch2 libcli11-dev python3-h5py python3-yaml
                   python3-dev pybind11-dev python3-numpy python3-pandas python3-matplotlib python3-tqdm
                   python3-pytest jupyter-nbconvert python3-nbformat python3-ipykernel
                   libopenmpi-dev openmpi-bin)

nestling_install_missing() {
  local missing=()
  for p in "${NESTLING_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "nestling: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The sanitized builds of scripts/test --sanitize and scripts/fuzz.
NESTLING_SANITIZE_OPTS=(-DNESTLING_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)

# nestling_build BUILD_DIR [cmake options...] [--target T]...
nestling_build() {
  local dir="$1"
  shift
  local opts=() targets=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--target" ]; then targets+=("$2"); shift 2; else opts+=("$1"); shift; fi
  done
  cmake -S "$NESTLING_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${opts[@]}" >/dev/null
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$dir" --parallel "$(nproc)" --target "${targets[@]}"
  else
    cmake --build "$dir" --parallel "$(nproc)"
  fi
}

# Makes Debian's python3 import the package of BUILD_DIR: a .pth file in its user site-packages
# (no root needed; a rebuild is picked up). Another python3 on PATH (pyenv, conda) does not read
# it and may lack Debian's numpy and pandas: use /usr/bin/python3 or set PYTHONPATH.
nestling_register_python() {
  local package_dir="$1/python" site
  [ -f "$package_dir/nestling/__init__.py" ] || return 0
  site="$(/usr/bin/python3 -m site --user-site)"
  mkdir -p "$site"
  echo "$package_dir" > "$site/nestling.pth"
  echo "nestling: /usr/bin/python3 imports nestling from $package_dir (via $site/nestling.pth)" >&2
}
