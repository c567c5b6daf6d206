"""Test harness for camas: a real Synapse (or Dendrite), an nginx TLS proxy, matrix-nio clients and
the camas daemon as a subprocess. Used by tests/integration (pytest) and scripts/demo."""

from .camas import REPO_ROOT, Camas, ask_batch, ask_json, camas_binary, merge, run_cli
from .dendrite import Dendrite
from .client import Client, MatrixError, event_loop, in_reply_to, relates_to, run
from .synapse import SERVER_NAME, Synapse
from .tls import Nginx, TlsFiles, make_ca_and_cert
from .util import HttpError, TimeoutExpired, free_port, http_json, wait_for

__all__ = [
    "REPO_ROOT", "Camas", "ask_batch", "ask_json", "camas_binary", "merge", "run_cli",
    "Client", "MatrixError", "event_loop", "in_reply_to", "relates_to", "run",
    "SERVER_NAME", "Synapse", "Dendrite",
    "Nginx", "TlsFiles", "make_ca_and_cert",
    "HttpError", "TimeoutExpired", "free_port", "http_json", "wait_for",
]
