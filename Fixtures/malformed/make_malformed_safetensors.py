#!/usr/bin/env python3
"""Writes the malformed safetensors / sharded-folder corpus under Fixtures/malformed/safetensors/.

Run:  ~/.venvs/temper-fixtures/bin/python Fixtures/malformed/make_malformed_safetensors.py

Each case is one small file (or folder) with exactly one fault. cases.json lists every case,
the FormatError case Temper must throw, and what the reference python `safetensors` says when
it loads the same single file ("accepted" where the reference reads it without complaint).
The escaping-symlink case is made by the Swift test at run time (git symlinks are awkward).
"""
import json
import pathlib
import shutil
import struct

from safetensors import deserialize

OUT = pathlib.Path(__file__).resolve().parent / "safetensors"
CASES = {}


def raw_file(name, header, data=b"", expect="", note="", length=None, pad=True):
    """Writes 8-byte LE length + header (bytes or str, space-padded to 8) + data."""
    h = header.encode("utf-8") if isinstance(header, str) else header
    if pad:
        h += b" " * (-len(h) % 8)
    n = len(h) if length is None else length
    blob = struct.pack("<Q", n) + h + data
    write(name, blob, expect, note)


def write(name, blob, expect, note):
    (OUT / name).write_bytes(blob)
    try:
        deserialize(blob)
        reference = "accepted"
    except Exception as e:  # the reference's own message, for the record
        reference = f"{type(e).__name__}: {e}"
    CASES[name] = {"error": expect, "fault": note, "reference": reference}


def tensor(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


def header(entries):
    return json.dumps(entries, separators=(",", ":"))


def single_files():
    write("truncated.safetensors", b"\x05\x00\x00", "truncated", "file shorter than the 8-byte length prefix")
    write("empty_file.safetensors", b"", "truncated", "zero-byte file")
    raw_file("header_beyond_file.safetensors", header({}), expect="headerBeyondFile",
             note="N = 1000 but only 8 header bytes follow", length=1000)
    raw_file("header_too_large.safetensors", header({}), expect="headerTooLarge",
             note="N = 100,000,001 (> 100 MB limit)", length=100_000_001)
    raw_file("invalid_json.safetensors", '{"a":{"dtype":"F32",', expect="invalidHeader", note="JSON cut short")
    raw_file("non_utf8.safetensors", b'{"a\xff":' + header(tensor()).encode() + b"}", b"\0" * 8,
             expect="notUTF8", note="byte 0xFF inside a key")
    raw_file("non_object_header.safetensors", "[1,2,3]", expect="invalidHeader", note="header is a JSON array")
    raw_file("trailing_garbage.safetensors", "{}x", expect="invalidHeader", note="text after the JSON object")
    raw_file("nul_padding.safetensors", b"{}" + b"\0" * 6, expect="invalidHeader", pad=False,
             note="padded with NUL instead of spaces")
    raw_file("unknown_dtype.safetensors", header({"a": tensor(dtype="F128")}), b"\0" * 8,
             expect="unknownDType", note="dtype F128")
    raw_file("missing_field.safetensors", header({"a": {"dtype": "F32", "shape": [2]}}), b"\0" * 8,
             expect="invalidHeader", note="no data_offsets")
    raw_file("shape_mismatch.safetensors", header({"a": tensor(shape=(2, 3), offsets=(0, 20))}), b"\0" * 20,
             expect="byteLengthMismatch", note="F32 [2,3] needs 24 bytes, offsets span 20")
    raw_file("overlapping_offsets.safetensors",
             header({"a": tensor(offsets=(0, 8)), "b": tensor(offsets=(4, 12))}), b"\0" * 12,
             expect="invalidOffsets", note="b starts inside a")
    raw_file("gapped_offsets.safetensors",
             header({"a": tensor(offsets=(0, 8)), "b": tensor(offsets=(12, 20))}), b"\0" * 20,
             expect="bufferNotCovered", note="bytes 8..<12 belong to no tensor")
    raw_file("end_out_of_range.safetensors", header({"a": tensor(offsets=(0, 8))}), b"\0" * 4,
             expect="invalidOffsets", note="end 8 beyond the 4-byte buffer")
    raw_file("begin_after_end.safetensors", header({"a": tensor(offsets=(8, 0))}), b"\0" * 8,
             expect="invalidOffsets", note="data_offsets [8, 0]")
    raw_file("offsets_not_pair.safetensors", header({"a": tensor(offsets=(0,))}), b"\0" * 8,
             expect="invalidOffsets", note="data_offsets has one element")
    dup = '{"a":' + header(tensor()) + ',"a":' + header(tensor()) + "}"
    raw_file("duplicate_names.safetensors", dup, b"\0" * 8, expect="duplicateTensor",
             note="tensor 'a' twice (the reference keeps the last and accepts)")
    raw_file("negative_shape.safetensors", header({"a": tensor(shape=(-1, 2), offsets=(0, 0))}),
             expect="invalidShape", note="dimension -1")
    raw_file("float_shape.safetensors", header({"a": tensor(shape=(2.0,))}), b"\0" * 8,
             expect="invalidShape", note="dimension written 2.0")
    raw_file("shape_overflow.safetensors", header({"a": tensor(shape=(2**32, 2**32, 2), offsets=(0, 0))}),
             expect="invalidShape", note="element count 2^65 overflows")
    raw_file("shape_bits_overflow.safetensors", header({"a": tensor(dtype="U8", shape=(2**61,), offsets=(0, 0))}),
             expect="invalidShape", note="2^61 elements × 8 bits overflows 64 bits")
    raw_file("metadata_non_string.safetensors", header({"__metadata__": {"k": 1}}), expect="invalidMetadata",
             note="metadata value is a number")
    raw_file("metadata_not_object.safetensors", header({"__metadata__": "x"}), expect="invalidMetadata",
             note="__metadata__ is a string")
    raw_file("metadata_duplicate_key.safetensors", '{"__metadata__":{"k":"1","k":"2"}}', expect="invalidMetadata",
             note="metadata key twice (the reference keeps the last and accepts)")
    raw_file("buffer_trailing_bytes.safetensors", header({"a": tensor(offsets=(0, 8))}), b"\0" * 12,
             expect="bufferNotCovered", note="4 bytes after the last tensor")
    raw_file("empty_metadata_no_tensors.safetensors", '{},"__metadata__":{}}', expect="invalidHeader",
             note="what the reference writes for serialize({}, metadata={}): not JSON")


def shard_blob(tensors):
    """A valid safetensors file holding F32 [2] tensors with the given names."""
    entries = {name: tensor(offsets=(8 * i, 8 * i + 8)) for i, name in enumerate(tensors)}
    h = header(entries).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"\0" * (8 * len(tensors))


def sharded_folder(name, weight_map, shards, expect, note, index_text=None):
    folder = OUT / name
    folder.mkdir()
    for shard, tensors in shards.items():
        (folder / shard).write_bytes(shard_blob(tensors))
    text = index_text if index_text is not None else json.dumps(
        {"metadata": {"total_size": 8 * len(weight_map)}, "weight_map": weight_map}, indent=2)
    (folder / "model.safetensors.index.json").write_text(text)
    CASES[name + "/"] = {"error": expect, "fault": note, "reference": "n/a (folder)"}


def sharded_cases():
    ok = "model-00001-of-00001.safetensors"
    sharded_folder("sharded_parent_path", {"a": "../x.safetensors"}, {}, "unsafeShardPath", "shard '../x.safetensors'")
    sharded_folder("sharded_dotdot_name", {"a": ".."}, {}, "unsafeShardPath", "shard '..'")
    sharded_folder("sharded_backslash", {"a": "..\\x.safetensors"}, {}, "unsafeShardPath", "shard with a backslash")
    sharded_folder("sharded_absolute_path", {"a": "/etc/passwd"}, {}, "unsafeShardPath", "absolute shard path")
    sharded_folder("sharded_missing_shard", {"a": ok, "b": "model-00002-of-00002.safetensors"}, {ok: ["a"]},
                   "missingShard", "second shard file absent")
    sharded_folder("sharded_tensor_not_in_shard", {"a": ok, "b": ok}, {ok: ["a"]}, "tensorNotInShard",
                   "index maps 'b' to a shard that holds only 'a'")
    sharded_folder("sharded_unlisted_tensor", {"a": ok}, {ok: ["a", "b"]}, "tensorNotInIndex",
                   "shard holds 'b', which the index does not list")
    sharded_folder("sharded_invalid_index", {}, {ok: ["a"]}, "invalidIndex", "index is not JSON",
                   index_text='{"weight_map": {"a": ')
    sharded_folder("sharded_weight_map_not_object", {}, {ok: ["a"]}, "invalidIndex", "weight_map is a list",
                   index_text='{"weight_map": ["a"]}')
    sharded_folder("sharded_duplicate_tensor", {}, {ok: ["a"]}, "invalidIndex", "'a' twice in weight_map",
                   index_text='{"weight_map": {"a": "%s", "a": "%s"}}' % (ok, ok))
    sharded_folder("sharded_bad_shard", {"a": ok}, {}, "truncated", "the shard file is 3 bytes")
    (OUT / "sharded_bad_shard" / ok).write_bytes(b"abc")


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    single_files()
    sharded_cases()
    (OUT / "cases.json").write_text(json.dumps(CASES, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(CASES)} cases to {OUT}")


if __name__ == "__main__":
    main()
