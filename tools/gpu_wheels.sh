#!/usr/bin/env bash
# Fill .whl/ (git-ignored) with the wheels tools/gpu-visit.sh installs on a lent GPU machine: footdesc's dependencies that the
# machine's image lacks (its package list: /work/.library/device/KINDS.md), built for its Python 3.12. About 2.2 MB.
#   bash tools/gpu_wheels.sh           # footdesc's dependencies
#   bash tools/gpu_wheels.sh --tests   # and nbdev's test runner with IPython (about 7 MB more), for FD_STEPS="... cudatests ...":
#                                      # the notebooks' #| cuda tests, which CI (no GPU) never runs
# fastprogress is 1.0.3, not 1.1: 1.1 imports python-fasthtml (a web framework, with its own dependencies) when it is imported.
# The versions are those this project is tested with; pip fetches them from the package registry (the GPU machine reaches none).
set -euo pipefail
cd "$(dirname "$0")/.."
core="fastai==2.8.12 fastcore==2.2.41 fastdownload==0.0.8 fastprogress==1.0.3 fasttransform==0.0.5 plum-dispatch==2.9.0 beartype==0.23.1
      iterative-stratification==0.1.9"
tests="nbdev==3.3.26 execnb==0.3.4 asttokens==3.0.1 astunparse==1.6.3 ipython==8.12.3 backcall==0.2.0 decorator==5.2.1 jedi==0.20.0 parso==0.8.7
       matplotlib-inline==0.2.2 pexpect==4.8.0 ptyprocess==0.7.0 pickleshare==0.7.5 prompt-toolkit==3.0.52 wcwidth==0.7.0 stack-data==0.6.3
       executing==2.2.1 pure-eval==0.2.3 traitlets==5.15.0"
wanted=$core; [ "${1:-}" = --tests ] && wanted="$core $tests"
fresh=$(mktemp -d .whl-new.XXXXXX); trap 'rm -rf "$fresh"' EXIT   # downloaded beside .whl, which is replaced only once every wheel is there
if ! python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 \
     --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d "$fresh" $wanted 2>"$fresh.log"; then
  grep -v "^WARNING: Location" "$fresh.log" >&2; rm -f "$fresh.log"; echo "pip download failed: .whl is left as it was" >&2; exit 1
fi
# pywuffs (footdesc[fast-png]: PNGs decoded by Wuffs) has no wheels on PyPI: built here for the machine's Python 3.12 (about 90 s);
# should it not load there, footdesc decodes with Pillow, as without it
py312=""; for c in python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python; do "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { py312=$c; break; }; done
if [ -z "$py312" ] || ! "$py312" -m pip wheel -q --no-deps pywuffs==2.0.1 -w "$fresh" 2>>"$fresh.log"; then echo "pywuffs not built (no Python 3.12 here?): the visit decodes PNGs with Pillow" >&2; fi
rm -f "$fresh.log"; rm -rf .whl && mv "$fresh" .whl
echo "$(ls .whl | wc -l) wheels in .whl ($(du -sh .whl | cut -f1)); carry .whl (and .gpu) with the visit's call"
