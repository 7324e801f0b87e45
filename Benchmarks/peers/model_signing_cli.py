"""Runs the OpenSSF model_signing CLI (`model_signing sign key …`, `verify key …`).

model_signing 1.1.1 imports pyOpenSSL for certificate signing even for the key method; where
pyOpenSSL is absent a stub module keeps the key method working (as Fixtures/interop.sh does).
"""
import sys
import types

try:
    import OpenSSL  # noqa: F401
except ImportError:
    stub = types.ModuleType("OpenSSL")
    stub.crypto = types.ModuleType("OpenSSL.crypto")
    sys.modules["OpenSSL"] = stub
    sys.modules["OpenSSL.crypto"] = stub.crypto

from model_signing._cli import main  # noqa: E402

sys.exit(main())
