#!/usr/bin/env python3
"""Builds Fixtures/integrity/signed-by-model-signing/ (dev-time only; tests never run Python).

Run with the fixture venv:  ~/.venvs/temper-fixtures/bin/python Fixtures/integrity/make_signed_fixture.py

Creates a small model folder (two .safetensors files written by python `safetensors`, a
config.json, a file in a subfolder), writes its temper.manifest.json exactly as
Formats/manifest.md specifies (so Swift can check its own manifest bytes against Python's),
then signs the folder with the OpenSSF `model_signing` CLI, key method, using freshly
generated P-256, P-384 and P-521 keys. Public keys are kept; private keys are discarded.
Also writes expected-digests.json: every covered file's SHA-256 from hashlib, and
Fixtures/integrity/keys/: PEM keys Temper must refuse with a typed error (RSA, Ed25519,
secp256k1, an encrypted EC key) and one traditional "EC PRIVATE KEY" it must accept.
"""
import hashlib
import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from safetensors.numpy import save_file

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "signed-by-model-signing"
MODEL = OUT / "model"

# model_signing 1.1.1 imports pyOpenSSL for its certificate signer even when only the key
# signer is used; when it is missing, a stub module lets the key method load.
CLI = """
import sys, types
try:
    import OpenSSL  # noqa: F401
except ImportError:
    stub = types.ModuleType("OpenSSL"); stub.crypto = types.ModuleType("OpenSSL.crypto")
    sys.modules["OpenSSL"] = stub; sys.modules["OpenSSL.crypto"] = stub.crypto
from model_signing._cli import main
sys.exit(main())
"""


def model_signing(*args):
    subprocess.run([sys.executable, "-c", CLI, *args], check=True, cwd=OUT)


def write_model():
    rng = np.random.RandomState(20240601)
    (MODEL / "sub").mkdir(parents=True)
    save_file({
        "model.embed_tokens.weight": rng.standard_normal((16, 8)).astype(np.float32),
        "model.layers.0.mlp.weight": rng.standard_normal((8, 8)).astype(np.float32),
        "model.layers.0.norm.weight": np.ones(8, dtype=np.float16),
        "model.layers.1.mlp.weight": rng.standard_normal((8, 8)).astype(np.float16),
        "model.layers.1.step": np.array([7], dtype=np.int64),
    }, str(MODEL / "model.safetensors"), metadata={"format": "np"})
    save_file({
        "lm_head.weight": rng.standard_normal((16, 8)).astype(np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }, str(MODEL / "head.safetensors"))
    (MODEL / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 2}, indent=2) + "\n")
    (MODEL / "sub" / "tokenizer.txt").write_text("a b c\nd e f\n")
    (MODEL / "sub" / "empty.bin").write_bytes(b"")


def components(path):
    return [part.encode("utf-8") for part in path.split("/")]


def safetensors_tensors(path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    tensors = []
    for name, info in header.items():
        begin, end = info["data_offsets"]
        begin, end = 8 + n + begin, 8 + n + end
        tensors.append({
            "name": name, "dtype": info["dtype"], "shape": info["shape"],
            "byte_range": [begin, end], "sha256": hashlib.sha256(data[begin:end]).hexdigest(),
        })
    tensors.sort(key=lambda t: tuple(t["byte_range"]))
    return tensors


def write_manifest():
    """temper.manifest.json per Formats/manifest.md, from Python's own reading of the files."""
    files = []
    for path in sorted((p for p in MODEL.rglob("*") if p.is_file()), key=lambda p: components(p.relative_to(MODEL).as_posix())):
        rel = path.relative_to(MODEL).as_posix()
        data = path.read_bytes()
        entry = {"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if rel.endswith(".safetensors"):
            entry["tensors"] = safetensors_tensors(path)
        files.append(entry)
    manifest = {"format": "temper.manifest", "version": 1, "hash_type": "sha256", "files": files}
    (MODEL / "temper.manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=True) + "\n")


def new_key(curve, name):
    key = ec.generate_private_key(curve)
    private = OUT / f"{name}.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    (OUT / f"{name}.pub.pem").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private


def write_key_fixtures():
    keys = HERE / "keys"
    if keys.exists():
        shutil.rmtree(keys)
    keys.mkdir()
    pem, pkcs8, spki = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.PublicFormat.SubjectPublicKeyInfo
    none = serialization.NoEncryption()
    for name, key in [("rsa", rsa.generate_private_key(public_exponent=65537, key_size=1024)),
                      ("ed25519", ed25519.Ed25519PrivateKey.generate()),
                      ("secp256k1", ec.generate_private_key(ec.SECP256K1()))]:
        (keys / f"{name}.pem").write_bytes(key.private_bytes(pem, pkcs8, none))
        (keys / f"{name}.pub.pem").write_bytes(key.public_key().public_bytes(pem, spki))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    (keys / "encrypted-p256.pem").write_bytes(ec_key.private_bytes(pem, pkcs8, serialization.BestAvailableEncryption(b"pw")))
    (keys / "traditional-p256.pem").write_bytes(ec_key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, none))
    (keys / "traditional-p256.pub.pem").write_bytes(ec_key.public_key().public_bytes(pem, spki))
    (keys / "not-a-key.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")


def main():
    write_key_fixtures()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    write_model()
    write_manifest()
    keys = {"p256": new_key(ec.SECP256R1(), "key"), "p384": new_key(ec.SECP384R1(), "key-p384"),
            "p521": new_key(ec.SECP521R1(), "key-p521")}
    new_key(ec.SECP256R1(), "other").unlink()  # only other.pub.pem stays: a key that did not sign
    # The P-256 signature lives inside the folder (ignored as the signature file); the
    # others outside it, so each signs exactly the same files.
    model_signing("sign", "key", "model", "--private_key", keys["p256"].name, "--signature", "model/model.sig")
    model_signing("sign", "key", "model", "--private_key", keys["p384"].name, "--signature", "model.p384.sig")
    model_signing("sign", "key", "model", "--private_key", keys["p521"].name, "--signature", "model.p521.sig")
    for curve in keys:
        model_signing("verify", "key", "model", "--public_key", keys[curve].with_suffix("").name + ".pub.pem",
                      "--signature", "model/model.sig" if curve == "p256" else f"model.{curve}.sig")
    for private in keys.values():
        private.unlink()
    digests = {}
    for path in sorted(p for p in MODEL.rglob("*") if p.is_file() and p.name != "model.sig"):
        digests[path.relative_to(MODEL).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    (OUT / "expected-digests.json").write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
