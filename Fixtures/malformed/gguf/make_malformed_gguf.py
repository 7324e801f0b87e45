#!/usr/bin/env python3
"""Writes the malformed GGUF corpus beside this script (plain Python, no dependencies).

Run: python3 Fixtures/malformed/gguf/make_malformed_gguf.py
Each file breaks exactly one rule of Formats/gguf.md; cases.json maps file -> the
FormatError case Temper must report. Files are built by hand so that each fault is exact.
"""
import json
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent
STRING, UINT32, UINT64, ARRAY, UINT8 = 8, 4, 10, 9, 0


def gstr(s: bytes) -> bytes:
    return struct.pack("<Q", len(s)) + s


def kv(key: bytes, vtype: int, payload: bytes) -> bytes:
    return gstr(key) + struct.pack("<I", vtype) + payload


def tinfo(name: bytes, dims, ggml_type: int, offset: int) -> bytes:
    return gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) \
        + struct.pack("<IQ", ggml_type, offset)


def gguf(kvs=(), tensors=(), data=b"", magic=b"GGUF", version=3, n_tensors=None, n_kv=None, alignment=32):
    head = magic + struct.pack("<I", version)
    head += struct.pack("<QQ", len(tensors) if n_tensors is None else n_tensors, len(kvs) if n_kv is None else n_kv)
    body = head + b"".join(kvs) + b"".join(tensors)
    body += b"\0" * (-len(body) % alignment)
    return body + data


ARCH = kv(b"general.architecture", STRING, gstr(b"llama"))
F32_4 = tinfo(b"w", [4], 0, 0)      # 16 bytes of f32
DATA16 = struct.pack("<4f", 1, 2, 3, 4)

CASES = {
    "bad_magic.gguf": ("badMagic", gguf([ARCH], [F32_4], DATA16, magic=b"GGUL")),
    "version_2.gguf": ("unsupportedVersion", gguf([ARCH], [F32_4], DATA16, version=2)),
    "version_1.gguf": ("unsupportedVersion", gguf([ARCH], [F32_4], DATA16, version=1)),
    "truncated_header.gguf": ("truncated", gguf([ARCH], [F32_4], DATA16)[:14]),
    "kv_count_overflow.gguf": ("countTooLarge", gguf([ARCH], [F32_4], DATA16, n_kv=2**60)),
    "tensor_count_overflow.gguf": ("countTooLarge", gguf([ARCH], [F32_4], DATA16, n_tensors=2**62)),
    "array_count_overflow.gguf": ("countTooLarge", gguf([kv(b"a", ARRAY, struct.pack("<IQ", UINT32, 2**61))])),
    "string_beyond_file.gguf": ("stringTooLong", gguf([kv(b"s", STRING, struct.pack("<Q", 10**6) + b"abc")])),
    "key_beyond_file.gguf": ("stringTooLong", gguf([struct.pack("<Q", 2**63) + b"k"], n_kv=1)),
    "unknown_value_type.gguf": ("unknownValueType", gguf([ARCH, kv(b"x", 13, b"\0" * 8)], [F32_4], DATA16)),
    "unknown_array_element_type.gguf": ("unknownValueType", gguf([kv(b"x", ARRAY, struct.pack("<IQ", 99, 1) + b"\0" * 8)])),
    "duplicate_key.gguf": ("duplicateKey", gguf([ARCH, ARCH], [F32_4], DATA16)),
    "alignment_zero.gguf": ("invalidAlignment", gguf([ARCH, kv(b"general.alignment", UINT32, struct.pack("<I", 0))], [F32_4], DATA16)),
    "alignment_three.gguf": ("invalidAlignment", gguf([ARCH, kv(b"general.alignment", UINT32, struct.pack("<I", 3))], [F32_4], DATA16, alignment=3)),
    "alignment_wrong_type.gguf": ("invalidMetadata", gguf([kv(b"general.alignment", UINT64, struct.pack("<Q", 32))], [F32_4], DATA16)),
    "misaligned_tensor.gguf": ("misalignedTensor", gguf([ARCH], [tinfo(b"w", [4], 0, 8)], DATA16 + DATA16)),
    "overlapping_tensors.gguf": ("overlappingTensors", gguf([ARCH], [tinfo(b"a", [16], 0, 0), tinfo(b"b", [4], 0, 32)], DATA16 * 4)),
    "tensor_data_past_end.gguf": ("invalidOffsets", gguf([ARCH], [tinfo(b"w", [64], 0, 0)], DATA16)),
    "n_dims_5.gguf": ("invalidShape", gguf([ARCH], [tinfo(b"w", [1, 1, 1, 1, 4], 0, 0)], DATA16)),
    "dims_product_overflow.gguf": ("invalidShape", gguf([ARCH], [tinfo(b"w", [2**32, 2**32], 0, 0)], DATA16)),
    "unknown_ggml_type.gguf": ("unknownGGMLType", gguf([ARCH], [tinfo(b"w", [4], 4, 0)], DATA16)),
    "block_shape.gguf": ("invalidBlockShape", gguf([ARCH], [tinfo(b"q", [20, 2], 8, 0)], b"\0" * 96)),
    "duplicate_tensor.gguf": ("duplicateTensor", gguf([ARCH], [F32_4, tinfo(b"w", [4], 0, 32)], DATA16 + b"\0" * 16 + DATA16)),
    "bool_not_0_or_1.gguf": ("invalidMetadata", gguf([kv(b"b", 7, b"\x02")])),
    "invalid_utf8_key.gguf": ("invalidMetadata", gguf([kv(b"\xff\xfe", UINT8, b"\x01")])),
    "empty.gguf": ("truncated", b""),
}


def main():
    for name, (_, content) in CASES.items():
        (OUT / name).write_bytes(content)
    (OUT / "cases.json").write_text(json.dumps({n: c for n, (c, _) in CASES.items()}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
